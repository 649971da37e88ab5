# Printing addresses with f-strings, the way tutorials do.
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", PORT))
server.listen(1)
host, port = server.getsockname()
print(f"Server listening on {host}:{port}")
print(f"server address tuple: {server.getsockname()}")
print(f"same with !r: {server.getsockname()!r}")

conn, addr = server.accept()
client_host, client_port = addr
print(f"Connected by {addr}")
print(f"client host={client_host!r} port is an int: {isinstance(client_port, int)}")
print(f"{'client':<8}|{client_host:>12}|")
print(f"peer of conn: {conn.getpeername()} local: {conn.getsockname()}")
print("addr == conn.getpeername():", addr == conn.getpeername())
print(f"type of addr: {type(addr).__name__}, length {len(addr)}")

conn.sendall(f"you are {client_host}:{client_port}\n".encode())
conn.close()
server.close()
