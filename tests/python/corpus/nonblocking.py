# Non-blocking sockets: operations that would wait raise BlockingIOError
# instead, so the program polls.
import errno
import socket
import sys
import time

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", PORT))
server.listen()
server.setblocking(False)
print("blocking:", server.getblocking(), "timeout:", server.gettimeout())

try:
    server.accept()
except BlockingIOError as e:
    print("accept with nobody waiting:", type(e).__name__, errno.errorcode[e.errno])
print(f"listening on 127.0.0.1:{PORT}")

while True:
    try:
        conn, addr = server.accept()
        break
    except BlockingIOError:
        time.sleep(0.01)
print("client connected from", addr)
print("accepted socket blocking:", conn.getblocking())

conn.setblocking(False)
try:
    conn.recv(1024)
except BlockingIOError as e:
    print("recv with no data:", type(e).__name__, errno.errorcode[e.errno])
    print("is an OSError:", isinstance(e, OSError))
print("no data yet")

while True:
    try:
        data = conn.recv(1024)
        break
    except BlockingIOError:
        time.sleep(0.01)
print("got", data)

conn.sendall(b"thanks\n")
while True:
    try:
        data = conn.recv(1024)
        break
    except BlockingIOError:
        time.sleep(0.01)
print("then:", data)
conn.close()
server.close()
