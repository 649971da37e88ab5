# Send 4 MiB with sendall(), receive 4 MiB back, and compare SHA-256
# checksums with the server's.
import hashlib
import socket
import struct
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345
SIZE = 4 * 1024 * 1024


def recv_exactly(sock, n):
    parts = []
    got = 0
    while got < n:
        chunk = sock.recv(min(65536, n - got))
        if not chunk:
            raise ConnectionError("connection closed early")
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


data = (bytes(range(251)) * (SIZE // 251 + 1))[:SIZE]
print("uploading", len(data), "bytes, sha256", hashlib.sha256(data).hexdigest())

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.connect(("127.0.0.1", PORT))
sock.sendall(struct.pack("!Q", len(data)))
result = sock.sendall(data)
print("sendall returned", result)

line = b""
while not line.endswith(b"\n"):
    line += sock.recv(1)
print("server:", line.decode().strip())

(size,) = struct.unpack("!Q", recv_exactly(sock, 8))
download = recv_exactly(sock, size)
digest = hashlib.sha256(download).hexdigest()
print("downloaded", len(download), "bytes, sha256", digest)
server_digest = recv_exactly(sock, 64).decode()
print("matches the server's checksum:", digest == server_digest)
sock.close()
