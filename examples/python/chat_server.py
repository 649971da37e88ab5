# A chat server for many clients at once, in one thread: the
# selectors module waits until some socket is ready, and the loop
# handles just that one. Every line a client types goes to all
# the others. Connect two terminals with `nc localhost 12345`.
import selectors
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

sel = selectors.DefaultSelector()
names = {}  # client socket -> its name

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", PORT))
server.listen()
server.setblocking(False)  # never wait in accept() or recv()
# "Tell me when this socket has something to read."
sel.register(server, selectors.EVENT_READ)
print(f"Chat server on 127.0.0.1:{PORT}")


def broadcast(text, sender=None):
    print(text, end="")
    for conn in names:
        if conn is not sender:
            conn.sendall(text.encode("utf-8"))


while True:
    # select() waits until a registered socket is ready.
    for key, _ in sel.select():
        sock = key.fileobj
        if sock is server:
            # A listening socket is "readable" when a client waits.
            conn, addr = server.accept()
            conn.setblocking(False)
            sel.register(conn, selectors.EVENT_READ)
            names[conn] = f"{addr[0]}:{addr[1]}"
            conn.sendall(b"Welcome! Type a line to talk to all.\n")
            broadcast(f"* {names[conn]} joined\n", sender=conn)
        else:
            data = sock.recv(1024)
            if data:
                text = data.decode("utf-8", errors="replace")
                line = text.rstrip("\n")
                broadcast(f"{names[sock]}: {line}\n", sender=sock)
            else:  # b"": the client hung up
                sel.unregister(sock)
                name = names.pop(sock)
                sock.close()
                broadcast(f"* {name} left\n")
