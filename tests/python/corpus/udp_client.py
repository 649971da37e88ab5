# A UDP client: send a few datagrams to a server and print the answers,
# including some UTF-8 text.
import socket
import sys

SERVER = ("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 12345)

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for text in ["hello", "你好", "bye 👋"]:
    data = text.encode("utf-8")
    sent = sock.sendto(data, SERVER)
    print(f"sent {sent} bytes to {SERVER}")
    reply, addr = sock.recvfrom(1024)
    print(f"reply from {addr}: {reply.decode('utf-8')!r}")
    print("reply came from the server:", addr == SERVER)

print("my address:", sock.getsockname())
sock.close()
