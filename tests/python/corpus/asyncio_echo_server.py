# An asyncio echo server: each client gets its own coroutine. It stops
# after two clients have come and gone.
import asyncio
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345
finished = 0


async def handle(reader, writer):
    global finished
    addr = writer.get_extra_info("peername")
    print(f"connection from {addr}")
    while True:
        data = await reader.readline()
        if not data:
            break
        message = data.decode().strip()
        print(f"received {message!r} from {addr}")
        writer.write(f"echo: {message}\n".encode())
        await writer.drain()
    print(f"{addr} disconnected")
    writer.close()
    await writer.wait_closed()
    finished += 1
    if finished == 2:
        all_done.set()


async def main():
    global all_done
    all_done = asyncio.Event()
    server = await asyncio.start_server(handle, "127.0.0.1", PORT)
    for sock in server.sockets:
        print("serving on", sock.getsockname())
    async with server:
        await all_done.wait()
    print("two clients served")


asyncio.run(main())
