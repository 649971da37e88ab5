# A select()-based echo server for several clients at once. It stops when
# the two clients it expects have both left.
import select
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", PORT))
server.listen(5)
print(f"listening on 127.0.0.1:{PORT}")

sockets = [server]
names = {}
joined = 0
while True:
    readable, _, _ = select.select(sockets, [], [], 10.0)
    if not readable:
        print("nothing happened for 10 seconds")
        break
    for s in readable:
        if s is server:
            conn, addr = server.accept()
            joined += 1
            names[conn] = f"client{joined}"
            sockets.append(conn)
            print(f"{names[conn]} joined from {addr}")
        else:
            data = s.recv(1024)
            if data:
                print(f"{names[s]} says {data.decode().strip()!r}")
                s.sendall(b"echo: " + data)
            else:
                print(f"{names[s]} left")
                sockets.remove(s)
                s.close()
    if joined == 2 and len(sockets) == 1:
        break

server.close()
print("all clients gone")
