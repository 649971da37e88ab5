# The classic upload client: sendall() a file's worth of bytes, close, and
# end. Everything sent must reach the server, also when the program closes
# (or simply ends) right after its last sendall().
import hashlib
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345
SIZE = 2 * 1024 * 1024

data = (bytes(range(256)) * (SIZE // 256))[:SIZE]
print("sending", len(data), "bytes, sha256", hashlib.sha256(data).hexdigest())

first = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
first.connect(("127.0.0.1", PORT))
first.sendall(data)
first.close()
print("first connection closed")

# The second one is never closed: the program just ends.
second = socket.create_connection(("127.0.0.1", PORT))
second.sendall("再见 (bye) 👋\n".encode())
print("done")
