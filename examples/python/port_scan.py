# A port scanner: it tries to connect to each port of this machine and
# reports the ones where a server answers. Only scan machines you own:
# here the gateway only lets programs reach its own host (127.0.0.1),
# and says so in its policy at the top of the page.
import socket
import sys

HOST = "127.0.0.1"
FIRST = int(sys.argv[1]) if len(sys.argv) > 1 else 1
LAST = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
# Ports that development servers like, and this playground's: the gateway
# itself (8080), its echo service (9007) and the examples' servers.
EXTRA = [3000, 5000, 8000, 8080, 8888, 9007, 12345]

ports = sorted(set(EXTRA) | set(range(FIRST, LAST + 1)))
print(f"Scanning {HOST}: {len(ports)} TCP ports")
open_ports = []
for port in ports:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.3)  # a port that does not answer at once is skipped
        # connect_ex() returns an error number instead of raising:
        # 0 means a server accepted the connection.
        result = sock.connect_ex((HOST, port))
        if result == 0:
            print(f"  port {port}: open")
            open_ports.append(port)

print(f"Done: {len(open_ports)} open ({', '.join(map(str, open_ports)) or 'none'})")
