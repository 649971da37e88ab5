// Two connections; both must be closed (FIN) by the program.
import { Reader, tcpListen } from '../harness.mjs';

export async function peer({ ports, defer }) {
  const listener = await tcpListen(ports.main);
  defer(() => listener.close());
  const observed = [];
  for (let i = 0; i < 2; i++) {
    const socket = await listener.next();
    const reader = new Reader(socket);
    const text = (await reader.toEnd()).toString();
    observed.push({ text, closed: await reader.closed() });
  }
  return { observed };
}
