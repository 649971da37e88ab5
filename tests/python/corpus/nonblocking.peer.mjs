// Connects only after the first BlockingIOError, sends only after the
// second, and closes after the answer.
import { Reader, tcpConnect } from '../harness.mjs';

export async function peer({ run, ports }) {
  await run.waitFor(`listening on 127.0.0.1:${ports.main}`);
  const socket = await tcpConnect(ports.main);
  const reader = new Reader(socket);
  await run.waitFor('no data yet');
  socket.write('some data\n');
  const answer = (await reader.until('\n')).toString();
  socket.end();
  await run.waitFor('then: ');
  return { observed: answer };
}
