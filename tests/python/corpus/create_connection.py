# socket.create_connection() looks up the name and connects in one call;
# used as a context manager it closes the socket at the end.
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

with socket.create_connection(("localhost", PORT), timeout=5) as sock:
    print("connected to", sock.getpeername())
    print("family:", sock.family.name, "type:", sock.type.name)
    print("timeout:", sock.gettimeout())
    sock.sendall(b"GET time\n")
    reply = sock.recv(1024)
    print("reply:", reply.decode().strip())

print("closed after the with block:", sock.fileno() == -1)
