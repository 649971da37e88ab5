# An HTTP client with urllib.request: it fetches a page from the HTTP
# server example. Start that first.
import sys
import urllib.request

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
url = f"http://localhost:{PORT}/hello"

# urlopen() resolves the name, connects a TCP socket, sends the request
# and reads the response's status line and headers.
with urllib.request.urlopen(url, timeout=5) as response:
    print(f"GET {url} -> {response.status} {response.reason}")
    print("Content-Type:", response.headers["Content-Type"])
    body = response.read()  # the rest of the response: the body, as bytes
    print(body.decode("utf-8"), end="")
