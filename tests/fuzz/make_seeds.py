#!/usr/bin/env python3
"""Writes the seed corpora (tests/fuzz/corpus/<target>/) and dictionaries
(tests/fuzz/<target>.dict) from the messages, rules and configs the docs and
tests use. Run it again after changing it; the files are checked in."""
import json
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def j(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


def write_corpus(target, seeds):
    d = os.path.join(HERE, "corpus", target)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for i, seed in enumerate(seeds):
        with open(os.path.join(d, "seed-%03d" % i), "wb") as f:
            f.write(seed if isinstance(seed, bytes) else seed.encode())


def write_dict(target, tokens):
    with open(os.path.join(HERE, target + ".dict"), "w") as f:
        for t in tokens:
            f.write('"%s"\n' % "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "\\x%02x" % ord(c) for c in t))


# ---- binary frames ----
def data(sock, payload):
    return bytes([1]) + struct.pack(">I", sock) + payload


def datagram(sock, family, addr, port, payload):
    return bytes([2]) + struct.pack(">I", sock) + bytes([family]) + addr + struct.pack(">H", port) + payload


def window(sock, inc):
    return bytes([3]) + struct.pack(">II", sock, inc)


FRAMES = [
    data(1, b"hello"), data(7, b"\x00\xff" * 8),
    datagram(3, 4, bytes([127, 0, 0, 1]), 9007, b"ping"),
    datagram(3, 6, bytes(15) + b"\x01", 5000, b"pong"),
    datagram(3, 6, bytes(10) + b"\xff\xff" + bytes([127, 0, 0, 1]), 53, b""),
    window(1, 65536), window(1, 0), window(1, 1) + b"x",
    b"\x01\x00\x00\x00\x01", b"\x02\x00\x00\x00\x03\x05", b"\x04\x00\x00\x00\x01x", b"\x03\x00", b"",
    b"127.0.0.1", b"::1", b"::ffff:10.0.0.1", b"fe80::1%eth0", b"2001:db8::1",
]

# ---- control messages: the protocol's examples, both directions ----
HELLO_REPLY = {"op": "hello", "id": 1, "ok": True, "version": 1, "server": "sockgate/0.1.0", "session": "s1",
               "window": 262144, "max_window": 4194304, "max_frame": 1048576,
               "limits": {"sockets": 64, "listeners": 8}}
EP = {"addr": "127.0.0.1", "port": 51234}
MESSAGES = [
    {"op": "hello", "id": 1, "version": 1}, {"op": "hello", "id": 1, "version": 1, "token": "s3cret"},
    HELLO_REPLY,
    {"op": "connect", "id": 2, "proto": "tcp", "host": "localhost", "port": 9007, "timeout_ms": 5000},
    {"op": "connect", "id": 2, "ok": True, "sock": 1, "local": EP, "remote": {"addr": "::1", "port": 9007}},
    {"op": "listen", "id": 3, "proto": "tcp", "port": 0, "host": "::1", "backlog": 16},
    {"op": "listen", "id": 3, "ok": True, "sock": 2, "local": {"addr": "127.0.0.1", "port": 40113}},
    {"op": "bind", "id": 4, "proto": "udp"}, {"op": "bind", "id": 4, "proto": "udp", "host": "127.0.0.1", "port": 0},
    {"op": "shutdown", "id": 5, "sock": 1}, {"op": "close", "id": 7, "sock": 1},
    {"op": "close", "id": 7, "ok": True},
    {"op": "resolve", "id": 6, "host": "localhost"},
    {"op": "resolve", "id": 6, "ok": True, "addrs": ["127.0.0.1", "::1"]},
    {"op": "connect", "id": 2, "ok": False, "error": {"code": "ECONNREFUSED", "message": "connect to 127.0.0.1 port 7"}},
    {"op": "accept", "listener": 2, "sock": 4, "local": {"addr": "127.0.0.1", "port": 40113},
     "remote": {"addr": "127.0.0.1", "port": 52088}},
    {"op": "eof", "sock": 1},
    {"op": "closed", "sock": 1, "error": {"code": "ECONNRESET", "message": "receive from peer: reset"}},
    {"op": "closed", "sock": 1},
    {"op": "error", "error": {"code": "EBADMSG", "message": "malformed JSON: ..."}},
    {"op": "error", "id": 9, "sock": 3, "error": {"code": "EACCES", "message": "..."}},
    {"op": "teleport", "id": 8, "to": "mars"},
]
TEXTS = [j(m) for m in MESSAGES] + [b"{not json", b"[1,2,3]", b'{"op":"connect","id":1,"x":1e400}',
                                    b'{"op":"x","id":9223372036854775808}', b'{"op":"Bad-Op","id":3}']
JSON_TOKENS = ['"op"', '"id"', '"ok"', "true", "false", "null", "1e400", "-1", "4294967296", "9223372036854775807",
               "18446744073709551616", "1.5", "\\u0000", "\\ud800", '"error"', '"code"', '"message"'] + [
    '"%s"' % k for k in ["hello", "connect", "listen", "bind", "shutdown", "close", "resolve", "accept", "eof",
                         "closed", "version", "token", "proto", "tcp", "udp", "host", "port", "timeout_ms",
                         "backlog", "sock", "server", "session", "window", "max_window", "max_frame", "limits",
                         "sockets", "listeners", "local", "remote", "addr", "addrs", "listener", "127.0.0.1",
                         "::1", "EBADMSG", "EINVAL"]]

# ---- policy rules (tests/unit/policy_test.cpp, the defaults) ----
RULES = ["any:127.0.0.0/8:*", "any:::1/128:*", "tcp:127.0.0.0/8:8000-8999", "udp:[::1]/128:5000-5100",
         "any:[2001:db8:abcd::1]/33:*", "tcp:10.0.0.0/8:*", "any:::ffff:127.0.0.1/104:1",
         "127.0.0.0/8:1024-65535", "::1/128:1024-65535", "[::]/0:0", "tcp:127.0.0.1:65536", "sctp:1.2.3.4:*",
         "tcp:127.0.0.0/33:*", "tcp:127.0.0.1:1-2-3"]

# ---- config files (the help text's example, tests/unit/options_test.cpp) ----
CONFIGS = [
    '{"listen": "127.0.0.1:8080", "allow": ["tcp:127.0.0.0/8:*"], "max_sockets": 10, "demo": false}',
    '{"listen": "[::1]:0", "bind_allow": "127.0.0.0/8:1024-65535", "token": "t", "quiet": true}',
    '// comment\n{"max-frame": 65600, "window": 1, "max_window": 2147483648, "origin": ["http://localhost:3000"]}',
    '{"demo_host": "localhost", "demo_port": 0, "no-demo": true, "ping_interval_ms": 0, "udp_queue": 1}',
    '{"connect_timeout_ms": 86400000, "max_backlog": 65535, "max_listeners": 0, "web_root": "/tmp/web"}',
    '{"insecure_no_auth": true, "listen": "0.0.0.0:8080", "max_sessions": 100000}',
    '{"config": "x.json"}', '{"max_frame": 1e400}', '[]', '{"allow": [1]}',
]

# ---- static paths: TARGET [\n Accept-Encoding [\n If-None-Match]] ----
PATHS = ["/", "/index.html", "/app.js\ngzip, br;q=0.9\n", "/app.js\nbr;q=0, gzip;q=0.5, *;q=0\nW/\"x\", \"y\"",
         "/sub%20dir/", "/sub dir/a%25b.txt", "/alias-dir/index.html?x=1#y", "/alias.js", "/leak.txt",
         "/leakdir/", "/index.txt\ngzip", "/../secret.txt", "/%2e%2e/secret.txt", "/examples/echo.py\nx-gzip",
         "/empty/", "//app.js", "/./app.js", "/app.js/", "/a%zz", "relative", "/%00"]


# ---- client core: byte 0 = callback flags, then [tag][len16][payload] ----
def rec(tag, payload):
    payload = payload if isinstance(payload, bytes) else payload.encode()
    return bytes([tag]) + struct.pack("<H", len(payload)) + payload


def act(what, sock=0, port=0, rest=b""):
    return rec(2, bytes([what, sock]) + struct.pack("<H", port) + rest)


HELLO_FIELDS = {k: v for k, v in HELLO_REPLY.items() if k not in ("op", "id", "ok")}
HELLO = rec(0, j(HELLO_REPLY))
CLIENT = [
    b"\x00" + HELLO + act(1, port=9007) + rec(3, j({"sock": 1, "local": EP, "remote": EP}))
    + rec(1, data(1, b"hello")) + rec(1, window(1, 100)) + act(7, 0, 10, b"abc") + rec(4, b"\x01{}")
    + act(5) + rec(3, b"{}"),
    b"\x13" + rec(3, j(HELLO_FIELDS)) + act(2, port=0) + rec(3, j({"sock": 2, "local": EP}))
    + rec(4, b"\x00" + j({"listener": 2, "sock": 4, "local": EP, "remote": EP})) + rec(5, b"\x00\x01data")
    + rec(4, b"\x02" + j({"sock": 4, "error": {"code": "ECONNRESET", "message": "reset"}})),
    b"\x81" + HELLO + act(3) + rec(3, j({"sock": 3, "local": EP}))
    + rec(1, datagram(3, 4, bytes([127, 0, 0, 1]), 9007, b"ping")) + act(8, 0, 9007, b"127.0.0.1")
    + rec(0, j({"op": "error", "id": 1, "error": {"code": "EINVAL", "message": "bad"}})) + rec(6, b"\xe8bye"),
    b"\x7f" + HELLO + act(1, port=7) + rec(0, j({"op": "connect", "id": 2, "ok": False, "error": {}}))
    + act(4, rest=b"localhost") + rec(3, j({"addrs": ["::1"]})) + act(13, rest=b"frobnicate")
    + rec(0, j({"op": "frobnicate", "id": 4, "ok": False, "error": {"code": "ENOTSUP"}})),
    b"\x30" + HELLO + act(1, port=1) + rec(3, j({"sock": 1, "local": EP, "remote": EP}))
    + act(10, 0, 1) + rec(1, data(1, b"x" * 300)) + act(9, 0, 100) + act(11) + act(6)
    + rec(4, b"\x01{}") + rec(0, b"{not json") + rec(1, b"\x09") + act(14),
]
CLIENT_TOKENS = JSON_TOKENS + ["\x01\x00\x00\x00\x01", "\x02\x00\x00\x00\x03\x04", "\x03\x00\x00\x00\x01"]

write_corpus("frame_decoder_fuzz", FRAMES)
write_corpus("control_message_fuzz", TEXTS)
write_corpus("policy_rule_fuzz", RULES)
write_corpus("config_file_fuzz", CONFIGS)
write_corpus("static_path_fuzz", PATHS)
write_corpus("client_core_fuzz", CLIENT)
write_dict("control_message_fuzz", JSON_TOKENS)
write_dict("client_core_fuzz", CLIENT_TOKENS)
write_dict("config_file_fuzz", ['"%s"' % k for k in ["listen", "web_root", "origin", "token", "insecure_no_auth",
                                                       "no_demo", "demo", "demo_host", "demo_port", "allow",
                                                       "bind_allow", "max_sessions", "max_sockets", "max_listeners",
                                                       "max_frame", "window", "max_window", "connect_timeout_ms",
                                                       "udp_queue", "ping_interval_ms", "max_backlog", "quiet",
                                                       "config", "[::1]:8080", "tcp:127.0.0.0/8:*"]]
           + ["true", "false", "1e400", "18446744073709551616", "-1", "/*", "*/", "//"])
write_dict("policy_rule_fuzz", ["tcp:", "udp:", "any:", "::ffff:", "127.0.0.1", "[::1]", "/128", "/96", ":*",
                                ":1024-65535", "65535", "0.0.0.0/0"])
write_dict("static_path_fuzz", ["%2e", "%2f", "%5c", "%00", "..", "/./", "//", "?", "#", "\n", "br", "gzip",
                                "x-gzip", "identity", "*", ";q=0", ";q=1.000", "W/", "\"", "index.html",
                                "leak.txt", "leakdir", "alias-dir", "sub%20dir", "app.js", ".gz", ".br"])
