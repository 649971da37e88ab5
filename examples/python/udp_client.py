# A UDP client: it sends one datagram to the UDP server example and
# waits for the answer. UDP may lose datagrams, so it gives up after
# 5 seconds. Start the UDP server first.
import socket
import sys

HOST = "127.0.0.1"
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 54321

with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
    sock.settimeout(5)  # recvfrom() gives up after 5 s
    # No connect(): each sendto() says where its datagram goes.
    sock.sendto(b"Hello from UDP client!", (HOST, PORT))
    print(f"Sent a datagram to {HOST}:{PORT}")
    try:
        data, addr = sock.recvfrom(1024)
        text = data.decode("utf-8")
        print(f"Received from {addr[0]}:{addr[1]}: {text}")
    except TimeoutError:
        print("No answer in 5 seconds. Is the UDP server running?")
