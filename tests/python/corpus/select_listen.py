# select.select() with timeouts, on a listening socket and then on the
# connected one.
import select
import socket
import sys
import time

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", PORT))
server.listen()

start = time.monotonic()
readable, writable, errors = select.select([server], [], [], 0.3)
elapsed = time.monotonic() - start
print("after waiting 0.3 s:", readable, writable, errors)
print("the wait took about 0.3 s:", 0.25 <= elapsed < 3)
print(f"no clients yet, listening on 127.0.0.1:{PORT}")

readable, _, _ = select.select([server], [], [], 10)
print("listening socket readable:", readable == [server])
conn, addr = server.accept()
print("accepted", addr)

readable, writable, _ = select.select([conn], [conn], [], 0)
print("right after accept: readable", readable == [conn], "writable", writable == [conn])
print("waiting for data")
readable, _, _ = select.select([conn], [], [], 10)
print("readable now:", readable == [conn])
print("data:", conn.recv(1024))

readable, _, _ = select.select([conn], [], [], 10)
print("readable at end of stream:", readable == [conn], conn.recv(1024))
conn.close()
server.close()
