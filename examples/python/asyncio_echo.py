# An echo server with asyncio: one coroutine per client, all in one
# thread. While one waits for data, the others run. It sends every line
# back. Try `nc localhost 12345` from two terminals at once.
import asyncio
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345


async def handle(reader, writer):
    # asyncio calls this for every new connection, with a stream to read
    # from and one to write to.
    addr = writer.get_extra_info("peername")
    print(f"Connected by {addr[0]}:{addr[1]}")
    while line := await reader.readline():  # b"" when the client hangs up
        print(f"{addr[1]} says: {line.decode('utf-8', errors='replace').rstrip()}")
        writer.write(line)  # echo it back
        await writer.drain()  # wait until it has gone out
    print(f"{addr[0]}:{addr[1]} hung up")
    writer.close()
    await writer.wait_closed()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", PORT)
    print(f"Echo server on 127.0.0.1:{PORT}")
    async with server:
        await server.serve_forever()


asyncio.run(main())
