# A line-based calculator server using conn.makefile('rwb') and readline().
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", PORT))
server.listen()
print(f"calculator on 127.0.0.1:{PORT}")

conn, addr = server.accept()
f = conn.makefile("rwb")
while True:
    line = f.readline()
    if not line:
        print("client hung up")
        break
    words = line.decode().split()
    print("request:", words)
    if words == ["quit"]:
        f.write(b"bye\n")
        f.flush()
        break
    op, a, b = words[0], int(words[1]), int(words[2])
    if op == "add":
        result = a + b
    elif op == "mul":
        result = a * b
    else:
        result = "unknown operation"
    f.write(f"{result}\n".encode())
    f.flush()

f.close()
conn.close()
server.close()
print("stopped")
