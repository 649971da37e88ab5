# A name that cannot be resolved raises socket.gaierror. A name with spaces
# is refused by the resolver library itself, so no DNS server is asked
# (tests send traffic to loopback only).
import socket
import sys

HOST = "no such host"

try:
    socket.getaddrinfo(HOST, 80)
except socket.gaierror as e:
    print("getaddrinfo failed:", type(e).__name__)
    print("is an OSError:", isinstance(e, OSError))

try:
    socket.gethostbyname(HOST)
except socket.gaierror as e:
    print("gethostbyname failed:", type(e).__name__)

try:
    socket.create_connection((HOST, 80), timeout=5)
except OSError as e:
    print("create_connection failed:", type(e).__name__)

print("giving up")
sys.exit(2)
