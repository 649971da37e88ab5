# A client that reads what to send from the keyboard with input().
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

name = input("Your name: ")
print(f"Hi {name}, connecting...")
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(("127.0.0.1", PORT))
s.sendall(f"NAME {name}\n".encode())
print("server:", s.recv(1024).decode().strip())

while True:
    try:
        line = input("> ")
    except EOFError:
        print()
        print("end of input")
        break
    if line == "quit":
        print("quitting")
        break
    s.sendall(line.encode() + b"\n")
    reply = s.recv(1024).decode().strip()
    print("server:", reply)

s.close()
count = 0
for line in sys.stdin:
    count += 1
print("lines left on stdin:", count)
try:
    input("more? ")
except EOFError:
    print("EOFError: stdin is closed")
