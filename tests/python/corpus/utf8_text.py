# UTF-8 text both ways: Chinese and emoji, as str and as bytes.
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345

greeting = "你好，世界 🌍🐍"
data = greeting.encode("utf-8")
print("text:", greeting)
print("characters:", len(greeting), "bytes:", len(data))
print("bytes:", data)

with socket.create_connection(("127.0.0.1", PORT)) as s:
    s.sendall(data + b"\n")
    reply = b""
    while not reply.endswith(b"\n"):
        chunk = s.recv(4)  # small reads split characters between chunks
        if not chunk:
            break
        reply += chunk

text = reply.decode("utf-8").rstrip("\n")
print("reply:", text)
print("reply repr:", repr(text))
print("reply characters:", len(text), "bytes:", len(reply) - 1)
print("upper-case of mixed text:", "straße ǆ".upper())
for ch in text[:3]:
    print(f"  {ch} U+{ord(ch):04X}")
