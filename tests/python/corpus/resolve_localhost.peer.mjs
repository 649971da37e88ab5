import { tcpListen } from '../harness.mjs';

export async function peer({ ports, defer }) {
  const listener = await tcpListen(ports.main);
  defer(() => listener.close());
  const socket = await listener.next();
  socket.end('found me\n');
  return { observed: socket.remoteAddress };
}
