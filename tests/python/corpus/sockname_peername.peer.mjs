// Checks that the port the program reports for itself is the one its
// connection really comes from.
import assert from 'node:assert/strict';
import { Reader, tcpListen } from '../harness.mjs';

export async function peer({ ports, defer }) {
  const listener = await tcpListen(ports.main);
  defer(() => listener.close());
  const socket = await listener.next();
  const line = (await new Reader(socket).until('\n')).toString();
  assert.equal(line, `my address is 127.0.0.1:${socket.remotePort}\n`);
  const answer = `I see you at ${socket.remoteAddress}:${socket.remotePort}`;
  socket.end(`${answer}\n`);
  return { observed: { line, answer } };
}
