# A server that runs until Ctrl-C, then closes its socket and says goodbye.
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", PORT))
server.listen()
print(f"listening on 127.0.0.1:{PORT}, press Ctrl-C to stop")
count = 0
try:
    while True:
        print("waiting for a client")
        conn, addr = server.accept()
        count += 1
        with conn:
            conn.sendall(f"you are visitor {count}\n".encode())
except KeyboardInterrupt:
    print("Ctrl-C: shutting down after", count, "visitors")
finally:
    server.close()
print("closed:", server.fileno() == -1)
