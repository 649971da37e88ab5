# socketserver: a handler class per connection; handle_request() serves
# one client at a time.
import socketserver
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345


class UpperHandler(socketserver.StreamRequestHandler):
    def handle(self):
        print("client:", self.client_address)
        for line in self.rfile:
            text = line.decode("utf-8").rstrip("\n")
            print("line:", text)
            self.wfile.write(text.upper().encode("utf-8") + b"\n")
        print("client done")


with socketserver.TCPServer(("127.0.0.1", PORT), UpperHandler) as server:
    print("server address:", server.server_address)
    for _ in range(2):
        server.handle_request()
print("bye")
