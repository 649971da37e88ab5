// Accepts and stays silent until the program's recv() has timed out; then
// answers its question.
import { Reader, tcpListen } from '../harness.mjs';

export const ports = ['main', 'spare'];
export const argv = (p) => [String(p.main), String(p.spare)];

export async function peer({ run, ports, defer }) {
  const listener = await tcpListen(ports.main);
  defer(() => listener.close());
  const socket = await listener.next();
  const reader = new Reader(socket);
  await run.waitFor('recv timed out:');
  const question = (await reader.until('\n')).toString();
  socket.write('yes, here\n');
  return { observed: question };
}
