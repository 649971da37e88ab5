// Sends requests in awkward pieces: two lines in one write, one line split
// over two writes, so readline() has to buffer.
import assert from 'node:assert/strict';
import { Reader, tcpConnect } from '../harness.mjs';

export async function peer({ run, ports }) {
  await run.waitFor(`calculator on 127.0.0.1:${ports.main}`);
  const socket = await tcpConnect(ports.main);
  const reader = new Reader(socket);
  const answers = [];
  socket.write('add 2 3\nmul 6 7\n');
  answers.push((await reader.line()), (await reader.line()));
  socket.write('add 1');
  await run.waitFor("request: ['mul', '6', '7']");
  socket.write('00 23\n');
  answers.push(await reader.line());
  socket.write('pow 2 8\nquit\n');
  answers.push(await reader.line(), await reader.line());
  assert.deepEqual(answers, ['5', '42', '123', 'unknown operation', 'bye']);
  assert.equal(await reader.closed(), 'end');
  return { observed: answers };
}
