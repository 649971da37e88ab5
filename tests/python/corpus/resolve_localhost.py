# Name lookups for localhost: getaddrinfo() and gethostbyname(), then a
# connection to the address found.
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

print("gethostbyname('localhost'):", socket.gethostbyname("localhost"))
print("gethostbyname('127.0.0.1'):", socket.gethostbyname("127.0.0.1"))

infos = socket.getaddrinfo("localhost", PORT, socket.AF_INET, socket.SOCK_STREAM)
print("getaddrinfo:", infos)
for family, type_, proto, canonname, sockaddr in infos:
    print(f"  family={family.name} type={type_.name} proto={proto} canonname={canonname!r} sockaddr={sockaddr}")

family, type_, proto, _, sockaddr = infos[0]
s = socket.socket(family, type_, proto)
s.connect(sockaddr)
print("connected to", s.getpeername())
print("server says:", s.recv(100).decode().strip())
s.close()
