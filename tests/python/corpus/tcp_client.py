# A TCP client: connect, send a line of text, print the server's reply.
import socket
import sys

HOST = "127.0.0.1"
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
print("connecting to", (HOST, PORT))
s.connect((HOST, PORT))
print("connected")

message = "Hello, server!\n"
s.sendall(message.encode())
print("sent", repr(message))

reply = b""
while not reply.endswith(b"\n"):
    chunk = s.recv(1024)
    if not chunk:
        break
    reply += chunk
print("received", repr(reply.decode()))

# the server closes after replying: recv() then returns b""
print("after the reply:", s.recv(1024))
s.close()
print("closed")
