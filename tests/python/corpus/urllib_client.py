# Fetching web pages with urllib.request.
import json
import sys
import urllib.error
import urllib.request

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
BASE = f"http://127.0.0.1:{PORT}"

with urllib.request.urlopen(BASE + "/hello") as response:
    print("status:", response.status, response.reason)
    print("content type:", response.headers["Content-Type"])
    print("body:", response.read().decode("utf-8"))

request = urllib.request.Request(
    BASE + "/echo",
    data=json.dumps({"msg": "hi 👋"}).encode(),
    headers={"Content-Type": "application/json"},
)
with urllib.request.urlopen(request, timeout=5) as response:
    print("POST status:", response.status)
    print("POST answer:", json.load(response))

try:
    urllib.request.urlopen(BASE + "/missing")
except urllib.error.HTTPError as e:
    print("error:", e.code, e.reason)
    print("error body:", e.read().decode())
