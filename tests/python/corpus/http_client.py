# http.client: one connection, several requests.
import http.client
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8000

conn = http.client.HTTPConnection("localhost", PORT, timeout=5)
conn.request("GET", "/status")
resp = conn.getresponse()
print(resp.status, resp.reason)
print("X-Answer:", resp.getheader("X-Answer"))
print(resp.read().decode())

conn.request("PUT", "/notes/1", body="remember the milk 🥛".encode(), headers={"Content-Type": "text/plain; charset=utf-8"})
resp = conn.getresponse()
print(resp.status, resp.reason)
print(resp.read().decode())

conn.request("HEAD", "/status")
resp = conn.getresponse()
print("HEAD:", resp.status, "length", resp.getheader("Content-Length"), "body", resp.read())
conn.close()
