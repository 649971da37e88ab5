// Connects once the program's first select() has timed out, sends one
// line once it waits for data, then closes.
import { tcpConnect } from '../harness.mjs';

export async function peer({ run, ports }) {
  await run.waitFor(`no clients yet, listening on 127.0.0.1:${ports.main}`);
  const socket = await tcpConnect(ports.main);
  await run.waitFor('waiting for data');
  socket.write('knock knock\n');
  await run.waitFor('data: ');
  socket.end();
  await run.waitFor('readable at end of stream');
  return { observed: null };
}
