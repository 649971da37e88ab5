# An echo server with asyncio: one coroutine per client, all in one
# thread; while one waits for data, the others run. It sends every
# line back. Try `nc localhost 12345` from two terminals at once.
import asyncio
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345


async def handle(reader, writer):
    # asyncio calls this for every new connection, with a stream
    # to read from and one to write to.
    host, port = writer.get_extra_info("peername")[:2]
    print(f"Connected by {host}:{port}")
    # readline() gives b"" when the client hangs up.
    while line := await reader.readline():
        text = line.decode("utf-8", errors="replace").rstrip()
        print(f"{port} says: {text}")
        writer.write(line)  # echo it back
        await writer.drain()  # wait until it has gone out
    print(f"{host}:{port} hung up")
    writer.close()
    await writer.wait_closed()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", PORT)
    print(f"Echo server on 127.0.0.1:{PORT}")
    async with server:
        await server.serve_forever()


asyncio.run(main())
