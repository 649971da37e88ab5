# A UDP server. UDP has no connections, only datagrams: single
# messages, each with the sender's address. This one answers every
# datagram. Try it with the UDP client example, or with
# `nc -u localhost 54321` in a terminal.
import socket
import sys

HOST = "127.0.0.1"
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 54321

# SOCK_DGRAM: UDP.
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
    sock.bind((HOST, PORT))  # receive datagrams sent here
    print(f"UDP server listening on {HOST}:{PORT}")

    while True:
        # recvfrom() waits for one datagram and says who sent it.
        data, addr = sock.recvfrom(1024)
        text = data.decode("utf-8", errors="replace")
        print(f"From {addr[0]}:{addr[1]}: {text}")
        # No connection to answer on: send a datagram back to addr.
        sock.sendto(b"Hello from UDP server!", addr)
