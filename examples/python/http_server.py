# A small web server with the standard library's http.server: it
# answers every GET with a line of text. Try the HTTP client
# example, or `curl http://localhost:8000/` in a terminal.
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8000


class Hello(BaseHTTPRequestHandler):
    # http.server calls do_GET for every GET request it reads.
    def do_GET(self):
        text = "Hello from Python's http.server! "
        text += f"You asked for {self.path}\n"
        body = text.encode("utf-8")
        self.send_response(200)  # the status line: 200 OK
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()  # a blank line ends the headers
        self.wfile.write(body)  # then the body


# HTTPServer listens on a TCP socket and hands every connection
# to Hello. It logs each request on stderr.
with HTTPServer(("127.0.0.1", PORT), Hello) as httpd:
    print(f"Serving HTTP on http://127.0.0.1:{PORT}/")
    httpd.serve_forever()  # accept, answer, repeat
