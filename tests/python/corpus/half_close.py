# Half-close: send everything, shutdown(SHUT_WR) to say "no more", then
# read the server's answer until it closes too.
import errno
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(("127.0.0.1", PORT))
for word in ["apple", "banana", "cherry"]:
    s.sendall(word.encode() + b"\n")
s.shutdown(socket.SHUT_WR)
print("sent three lines and shut down the sending side")

try:
    s.send(b"too late")
except OSError as e:
    print("send after shutdown:", type(e).__name__, errno.errorcode[e.errno])

answer = b""
while True:
    chunk = s.recv(1024)
    if not chunk:
        print("server closed its side")
        break
    answer += chunk
print("answer:", answer.decode())
print("recv at EOF again:", s.recv(1024))
s.close()
