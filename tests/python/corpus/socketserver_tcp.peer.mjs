// Two clients in turn, each sending lines and half-closing.
import { Reader, tcpConnect } from '../harness.mjs';

export async function peer({ run, ports }) {
  await run.waitFor(`server address: ('127.0.0.1', ${ports.main})`);
  const observed = [];
  for (const lines of [['hello', 'straße'], ['ünïcödé 😀']]) {
    const socket = await tcpConnect(ports.main);
    const reader = new Reader(socket);
    socket.end(lines.map((l) => `${l}\n`).join(''));
    observed.push((await reader.toEnd()).toString('utf8'));
  }
  return { observed };
}
