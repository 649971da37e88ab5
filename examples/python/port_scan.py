# A port scanner: it tries to connect to each port of this machine
# and reports those where a server answers. Only scan machines you
# own: here the gateway lets programs reach its own host only
# (127.0.0.1), as its policy at the top of the page says.
import socket
import sys

HOST = "127.0.0.1"
FIRST = int(sys.argv[1]) if len(sys.argv) > 1 else 1
LAST = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
# Ports development servers like, and this playground's: the
# gateway (8080), its echo service (9007), the examples' servers.
EXTRA = [3000, 5000, 8000, 8080, 8888, 9007, 12345]

ports = sorted(set(EXTRA) | set(range(FIRST, LAST + 1)))
print(f"Scanning {HOST}: {len(ports)} TCP ports")
open_ports = []
for port in ports:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.3)  # no answer at once: skip the port
        # connect_ex() returns an error number instead of raising
        # an exception: 0 means a server accepted the connection.
        if sock.connect_ex((HOST, port)) == 0:
            print(f"  port {port}: open")
            open_ports.append(port)

found = ", ".join(map(str, open_ports)) or "none"
print(f"Done: {len(open_ports)} open ({found})")
