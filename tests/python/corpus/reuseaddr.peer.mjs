// Connects once per round and reads until the server closes.
import { Reader, tcpConnect } from '../harness.mjs';

export async function peer({ run, ports }) {
  const observed = [];
  for (const round of [1, 2]) {
    await run.waitFor(`round ${round}: listening on 127.0.0.1:${ports.main}`);
    const socket = await tcpConnect(ports.main);
    const reader = new Reader(socket);
    observed.push((await reader.toEnd()).toString());
    socket.end();
  }
  return { observed };
}
