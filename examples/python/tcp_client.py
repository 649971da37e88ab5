# A TCP client: it connects to the TCP server example, sends one
# message and prints the answer. Start the TCP server first.
import socket
import sys

HOST = "127.0.0.1"  # the server's address
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
    sock.connect((HOST, PORT))  # the TCP handshake happens here
    print(f"Connected to {HOST}:{PORT}")
    sock.sendall("Hello from client!".encode("utf-8"))
    data = sock.recv(1024)  # waits for the server's answer

print(f"Received: {data.decode('utf-8')}")
