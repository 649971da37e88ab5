# A UDP server: answer each datagram with the same text in capitals and
# say who sent it. It stops after three datagrams.
import socket
import sys

HOST = "127.0.0.1"
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((HOST, PORT))
print(f"listening on {HOST}:{PORT} (udp)")

for i in range(3):
    data, addr = sock.recvfrom(4096)
    print(f"datagram {i + 1} from {addr}: {data!r} ({len(data)} bytes)")
    sock.sendto(data.upper(), addr)

print("local address", sock.getsockname())
sock.close()
print("done")
