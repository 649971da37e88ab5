# SO_REUSEADDR lets a server bind its port again right after closing a
# connection (which leaves it in TIME_WAIT).
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

for round_ in (1, 2):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    print("SO_REUSEADDR is on:", server.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) != 0)
    server.bind(("127.0.0.1", PORT))
    server.listen()
    print(f"round {round_}: listening on 127.0.0.1:{PORT}")
    conn, addr = server.accept()
    conn.sendall(f"round {round_}\n".encode())
    conn.close()  # the server closes first
    server.close()
    print(f"round {round_}: done")
