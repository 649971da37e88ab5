# A chat server with the selectors module: every line a client sends goes
# to all the other clients. It stops once three clients have come and gone.
import selectors
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

sel = selectors.DefaultSelector()
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", PORT))
server.listen()
server.setblocking(False)
sel.register(server, selectors.EVENT_READ, data=None)
print(f"chat server on 127.0.0.1:{PORT}")

clients = {}
count = 0


def broadcast(message, sender=None):
    print("broadcast:", message.strip())
    for conn in clients:
        if conn is not sender:
            conn.sendall(message.encode("utf-8"))


def accept(sock):
    global count
    conn, addr = sock.accept()
    conn.setblocking(False)
    count += 1
    name = f"user{count}"
    conn.sendall(f"welcome {name}\n".encode("utf-8"))
    broadcast(f"{name} joined\n")
    clients[conn] = name
    sel.register(conn, selectors.EVENT_READ, data=name)


def read(conn, name):
    data = conn.recv(1024)
    if data:
        broadcast(f"{name}: {data.decode('utf-8')}", sender=conn)
    else:
        sel.unregister(conn)
        conn.close()
        del clients[conn]
        broadcast(f"{name} left\n")


while count < 3 or clients:
    for key, mask in sel.select(timeout=10):
        if key.data is None:
            accept(key.fileobj)
        else:
            read(key.fileobj, key.data)

sel.close()
server.close()
print("chat over")
