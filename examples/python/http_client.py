# An HTTP client with urllib.request: it fetches a page from the
# HTTP server example. Start that first.
import sys
import urllib.request

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
url = f"http://localhost:{PORT}/hello"

# urlopen() looks the name up, connects a TCP socket, sends the
# request and reads the status line and headers of the response.
with urllib.request.urlopen(url, timeout=5) as response:
    print(f"GET {url} -> {response.status} {response.reason}")
    print("Content-Type:", response.headers["Content-Type"])
    body = response.read()  # the rest: the body, as bytes
    print(body.decode("utf-8"), end="")
