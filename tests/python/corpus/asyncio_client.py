# asyncio clients: open_connection(), a timeout with wait_for(), and two
# connections running at the same time with gather().
import asyncio
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 12345


async def ask(name, question):
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    writer.write(f"{name}: {question}\n".encode())
    await writer.drain()
    answer = (await reader.readline()).decode().strip()
    print(f"{name} got {answer!r}")
    writer.close()
    await writer.wait_closed()
    return answer


async def main():
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    print("connected to", writer.get_extra_info("peername"))
    writer.write("solo: hello 🌏\n".encode())
    await writer.drain()
    print("reply:", (await reader.readline()).decode().strip())
    try:
        await asyncio.wait_for(reader.readline(), timeout=0.3)
    except asyncio.TimeoutError as e:
        print("no second reply within 0.3 s:", type(e).__name__)
    writer.close()
    await writer.wait_closed()

    answers = await asyncio.gather(ask("slow", "what is 6*7?"), ask("fast", "ping"))
    print("answers in order:", answers)


asyncio.run(main())
