# A TCP echo server: accept clients one after another and send back
# whatever each one sends. It stops after serving three clients.
import socket
import sys

HOST = "127.0.0.1"
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345
MAX_CLIENTS = 3

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind((HOST, PORT))
server.listen()
print(f"listening on {HOST}:{PORT}")

served = 0
while True:
    conn, addr = server.accept()
    served += 1
    print(f"client {served} connected from {addr}")
    while True:
        data = conn.recv(1024)
        if not data:
            break
        print(f"client {served} sent {data!r}")
        conn.sendall(data)
    conn.close()
    print(f"client {served} disconnected")
    if served == MAX_CLIENTS:
        break

server.close()
print("served", served, "clients, bye")
