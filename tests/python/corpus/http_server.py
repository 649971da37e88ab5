# A tiny web server with http.server: answers one GET and one POST, then
# stops.
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8000


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"Hello from Python! You asked for {self.path}\n你好，世界\n".encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        data = json.loads(self.rfile.read(length))
        print("posted:", data)
        body = json.dumps({"sum": sum(data["numbers"]), "echo": data["name"]}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        # the default log line has a timestamp; keep it short
        print("request:", format % args)


server = HTTPServer(("127.0.0.1", PORT), Handler)
print(f"serving on http://127.0.0.1:{PORT}/")
server.handle_request()
server.handle_request()
server.server_close()
print("server stopped")
