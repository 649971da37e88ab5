// Sends one short message in a single write and reads the program's answer.
import { Reader, tcpConnect } from '../harness.mjs';

export async function peer({ run, ports }) {
  await run.waitFor(`listening on 127.0.0.1:${ports.main}`);
  const socket = await tcpConnect(ports.main);
  socket.write('peekaboo\n');
  const answer = (await new Reader(socket).toEnd()).toString();
  return { observed: answer };
}
