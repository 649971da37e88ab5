# socket.create_server() binds and listens in one call.
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

print("has create_server:", hasattr(socket, "create_server"))
with socket.create_server(("127.0.0.1", PORT)) as server:
    print("listening on", server.getsockname())
    print("SO_REUSEADDR set:", server.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) != 0)
    conn, addr = server.accept()
    with conn:
        print("connection from", addr)
        name = conn.recv(1024).decode().strip()
        conn.sendall(f"Hello, {name}!\n".encode())
        print("greeted", name)
print("server closed:", server.fileno() == -1, conn.fileno() == -1)
