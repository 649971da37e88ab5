# MSG_PEEK looks at waiting data without taking it.
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", PORT))
server.listen()
print(f"listening on 127.0.0.1:{PORT}")
conn, addr = server.accept()

peeked = conn.recv(1024, socket.MSG_PEEK)
print("peeked:", peeked)
print("peeked again:", conn.recv(1024, socket.MSG_PEEK))
print("first 4 bytes:", conn.recv(4))
print("peek the rest:", conn.recv(1024, socket.MSG_PEEK))
print("the rest:", conn.recv(1024))
conn.sendall(b"peeked %d bytes\n" % len(peeked))
conn.close()
server.close()
