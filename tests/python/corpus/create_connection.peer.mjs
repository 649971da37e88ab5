// Answers one request line.
import { Reader, tcpListen } from '../harness.mjs';

export async function peer({ ports, defer }) {
  const listener = await tcpListen(ports.main);
  defer(() => listener.close());
  const socket = await listener.next();
  const reader = new Reader(socket);
  const request = (await reader.until('\n')).toString();
  socket.write('it is tea time\n');
  return { observed: { request, closedByProgram: await reader.closed() } };
}
