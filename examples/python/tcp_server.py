# A TCP server: it waits for clients on a port, prints what each
# one sends, and answers it. Run it, then start the TCP client
# example (or `nc localhost 12345` in a terminal) to talk to it.
# Stop ends it.
import socket
import sys

HOST = "127.0.0.1"  # the loopback address: this machine only
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

# AF_INET: IPv4 addresses. SOCK_STREAM: TCP, a stream of bytes.
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
    # Lets a restarted server use the port again at once.
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((HOST, PORT))  # the address clients connect to
    server.listen()  # start accepting connections
    print(f"Listening on {HOST}:{PORT}")

    while True:
        # accept() waits for the next client. It gives back a new
        # socket for talking to that client, and its address.
        conn, addr = server.accept()
        with conn:  # closes the connection at the end of the block
            print(f"Connected by {addr[0]}:{addr[1]}")
            data = conn.recv(1024)  # up to 1024 bytes
            if not data:  # b"": the client hung up
                continue
            text = data.decode("utf-8")  # bytes -> str
            print(f"Received: {text}")
            reply = f"Hello from server! You sent: {text}"
            conn.sendall(reply.encode("utf-8"))  # str -> bytes
