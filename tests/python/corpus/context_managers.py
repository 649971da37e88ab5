# Sockets are context managers: leaving the with block closes them, also
# when an exception leaves it.
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.connect(("127.0.0.1", PORT))
    s.sendall(b"first\n")
    print("inside: fileno is valid:", s.fileno() >= 0)
print("after with: fileno", s.fileno())

try:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s2:
        s2.connect(("127.0.0.1", PORT))
        s2.sendall(b"second\n")
        raise ValueError("something went wrong")
except ValueError as e:
    print("caught:", e)
print("closed anyway: fileno", s2.fileno())

try:
    s.sendall(b"third\n")
except OSError as e:
    print("using a closed socket:", type(e).__name__, e)
