// Types into the program's stdin when it asks (the prompts have no
// newline), serves it as a reversing echo server, and ends stdin after
// "quit" with two lines still unread.
import assert from 'node:assert/strict';
import { Reader, tcpListen } from '../harness.mjs';

export async function peer({ run, ports, defer }) {
  const listener = await tcpListen(ports.main);
  defer(() => listener.close());
  await run.waitFor('Your name: ');
  run.write('Grace 🌸\n');
  const socket = await listener.next();
  const reader = new Reader(socket);
  const hello = await reader.line();
  assert.equal(hello, 'NAME Grace 🌸');
  socket.write('welcome\n');
  const seen = [hello];
  let prompts = 1;
  for (const text of ['hello there', '你好', '']) {
    await run.waitFor(new RegExp(`(> [^]*){${prompts}}`));
    prompts++;
    run.write(`${text}\n`);
    const line = await reader.line();
    seen.push(line);
    socket.write(`${[...line].reverse().join('')}!\n`);
  }
  await run.waitFor(new RegExp(`(> [^]*){${prompts}}`));
  run.write('quit\nleft over 1\nleft over 2\n');
  run.closeStdin();
  assert.equal(await reader.closed(), 'end');
  return { observed: seen };
}
