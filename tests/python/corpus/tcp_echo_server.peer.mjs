// Three clients in turn; each sends two messages (waiting for each echo)
// and closes.
import assert from 'node:assert/strict';
import { Reader, tcpConnect } from '../harness.mjs';

export async function peer({ run, ports }) {
  await run.waitFor(`listening on 127.0.0.1:${ports.main}`);
  const observed = [];
  for (let i = 1; i <= 3; i++) {
    const socket = await tcpConnect(ports.main);
    const reader = new Reader(socket);
    for (const text of [`hello from client ${i}\n`, `bye from client ${i}\n`]) {
      // One message at a time (the next is sent after the echo), so each
      // recv() in the server gets exactly one.
      socket.write(text);
      const echo = (await reader.until('\n')).toString();
      assert.equal(echo, text);
      observed.push(echo);
    }
    socket.end();
    assert.equal(await reader.closed(), 'end');
    await run.waitFor(`client ${i} disconnected`);
  }
  return { observed };
}
