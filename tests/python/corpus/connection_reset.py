# The server resets the connection (RST) instead of answering.
import errno
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(("127.0.0.1", PORT))
s.sendall(b"hello?\n")
print("sent a greeting, waiting for an answer")
try:
    data = s.recv(1024)
    print("received", data)
except ConnectionResetError as e:
    print("recv failed:", type(e).__name__)
    print("errno name:", errno.errorcode[e.errno])
    print("message:", e)
    print("is a ConnectionError:", isinstance(e, ConnectionError))
s.close()
print("closed")
