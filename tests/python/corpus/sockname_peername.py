# getsockname() and getpeername() before and after connecting.
import errno
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
print("before connect, sockname:", s.getsockname())
try:
    s.getpeername()
except OSError as e:
    print("before connect, getpeername:", type(e).__name__, errno.errorcode[e.errno])

s.connect(("127.0.0.1", PORT))
local = s.getsockname()
remote = s.getpeername()
print("local address:", local)
print("remote address:", remote)
print("local ip is loopback:", local[0] == "127.0.0.1")
print("remote port is the server's:", remote[1] == PORT)
s.sendall(f"my address is {local[0]}:{local[1]}\n".encode())
print("server says:", s.recv(1024).decode().strip())
s.close()
