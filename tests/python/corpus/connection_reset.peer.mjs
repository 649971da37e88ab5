// Accepts, waits for the greeting, then destroys the socket with an RST.
import { Reader, tcpListen } from '../harness.mjs';

export async function peer({ ports, defer }) {
  const listener = await tcpListen(ports.main);
  defer(() => listener.close());
  const socket = await listener.next();
  const greeting = (await new Reader(socket).until('\n')).toString();
  socket.resetAndDestroy();
  return { observed: greeting };
}
