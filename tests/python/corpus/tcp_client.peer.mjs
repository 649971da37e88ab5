// A server that reads one line, answers with its length and closes.
import { Reader, tcpListen } from '../harness.mjs';

export async function peer({ ports, defer }) {
  const listener = await tcpListen(ports.main);
  defer(() => listener.close());
  const socket = await listener.next();
  const line = (await new Reader(socket).until('\n')).toString();
  socket.end(`Hello, client! You sent ${Buffer.byteLength(line)} bytes.\n`);
  return { observed: { received: line } };
}
