# Connecting to a port where nobody listens.
import errno
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    s.connect(("127.0.0.1", PORT))
    print("connected?!")
except ConnectionRefusedError as e:
    print("connect failed:", type(e).__name__)
    print("errno name:", errno.errorcode[e.errno])
    print("errno matches errno.ECONNREFUSED:", e.errno == errno.ECONNREFUSED)
    print("strerror:", e.strerror)
    print("message:", e)
    print("is an OSError:", isinstance(e, OSError))
finally:
    s.close()

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
code = s.connect_ex(("127.0.0.1", PORT))
print("connect_ex returned", errno.errorcode[code])
s.close()

try:
    socket.create_connection(("127.0.0.1", PORT), timeout=2)
except OSError as e:
    print("create_connection:", type(e).__name__, e.strerror)

print("once more without try/except:")
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(("127.0.0.1", PORT))
print("not reached")
