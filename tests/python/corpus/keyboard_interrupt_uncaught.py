# Ctrl-C while blocked in recv(), not caught: the program ends with a
# KeyboardInterrupt traceback.
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(("127.0.0.1", PORT))
print("connected, waiting for data (press Ctrl-C to give up)")
data = s.recv(1024)
print("received", data)
