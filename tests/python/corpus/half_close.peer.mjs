// Reads to end of stream, then answers with a summary and closes.
import { Reader, tcpListen } from '../harness.mjs';

export async function peer({ run, ports, defer }) {
  const listener = await tcpListen(ports.main, { allowHalfOpen: true });
  defer(() => listener.close());
  const socket = await listener.next();
  const text = (await new Reader(socket).toEnd()).toString();
  const lines = text.split('\n').filter(Boolean);
  socket.end(`${lines.length} lines: ${lines.join(', ')}`);
  await run.waitFor('answer: 3 lines: apple, banana, cherry');
  return { observed: text };
}
