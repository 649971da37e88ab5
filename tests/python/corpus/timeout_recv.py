# settimeout(): recv() and accept() give up with socket.timeout, which is
# the built-in TimeoutError since Python 3.10.
import socket
import sys
import time

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345
SPARE_PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 12346

s = socket.create_connection(("127.0.0.1", PORT))
print("default timeout:", s.gettimeout())
s.settimeout(0.5)
print("timeout now:", s.gettimeout())

start = time.monotonic()
try:
    data = s.recv(1024)
    print("received", data)
except socket.timeout as e:
    elapsed = time.monotonic() - start
    print("recv timed out:", type(e).__name__)
    print("socket.timeout is TimeoutError:", socket.timeout is TimeoutError)
    print("message:", e)
    print("waited about half a second:", 0.45 <= elapsed < 3)

# the connection is still usable after a timeout
s.sendall(b"are you there?\n")
s.settimeout(5)
print("answer:", s.recv(1024))
s.close()

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", SPARE_PORT))
server.listen()
server.settimeout(0.2)
start = time.monotonic()
try:
    server.accept()
except TimeoutError as e:
    print("accept timed out too:", e, 0.15 <= time.monotonic() - start < 3)
server.close()
