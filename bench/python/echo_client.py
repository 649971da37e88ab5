# The Python side of bench/python/python_bench.mjs: an ordinary echo client,
# timed from inside the program so that interpreter start-up is not counted.
#
#   python3 echo_client.py PORT MIB ROUNDS
#
# 1. throughput: MIB MiB through the echo peer in 16 KiB writes with at most
#    1 MiB in flight (selectors, non-blocking), every byte compared;
# 2. round trips: ROUNDS sequential 32-byte request/reply exchanges.
# Prints one JSON line with the figures.
import hashlib
import json
import selectors
import socket
import sys
import time

PORT = int(sys.argv[1])
MIB = int(sys.argv[2])
ROUNDS = int(sys.argv[3])
CHUNK = 16 * 1024
IN_FLIGHT = 1 << 20


def pattern(size):
    block = hashlib.sha256(b"sockgate").digest() * (CHUNK // 32)
    return (block * (size // len(block) + 1))[:size]


def throughput(sock):
    total = MIB << 20
    payload = pattern(total)
    sent = received = 0
    digest = hashlib.sha256()
    sock.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
    start = time.perf_counter()
    while received < total:
        want = selectors.EVENT_READ
        if sent < total and sent - received < IN_FLIGHT:
            want |= selectors.EVENT_WRITE
        sel.modify(sock, want)
        for _, events in sel.select():
            if events & selectors.EVENT_WRITE:
                try:
                    sent += sock.send(payload[sent:sent + CHUNK])
                except BlockingIOError:
                    pass
            if events & selectors.EVENT_READ:
                try:
                    data = sock.recv(256 * 1024)
                except BlockingIOError:
                    continue
                if not data:
                    raise ConnectionError("the echo peer closed early")
                digest.update(data)
                received += len(data)
    seconds = time.perf_counter() - start
    sel.close()
    sock.setblocking(True)
    intact = digest.digest() == hashlib.sha256(payload).digest()
    return {"mib": MIB, "seconds": seconds, "mib_per_s": MIB / seconds, "intact": intact}


def round_trips(sock):
    request = b"r" * 32
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        sock.sendall(request)
        got = b""
        while len(got) < len(request):
            got += sock.recv(len(request) - len(got))
        times.append(time.perf_counter() - start)
        if got != request:
            raise ValueError("the echo peer changed the bytes")
    times.sort()
    us = lambda q: times[min(len(times) - 1, int(q * len(times)))] * 1e6
    return {"rounds": ROUNDS, "p50_us": us(0.5), "p99_us": us(0.99)}


with socket.create_connection(("127.0.0.1", PORT)) as sock:
    result = {"throughput": throughput(sock), "rtt": round_trips(sock)}
print(json.dumps(result))
