// Two clients, talking in a fixed interleaving; each step waits for the
// server's print or echo before the next.
import assert from 'node:assert/strict';
import { Reader, tcpConnect } from '../harness.mjs';

export async function peer({ run, ports, defer }) {
  await run.waitFor(`listening on 127.0.0.1:${ports.main}`);
  const a = await tcpConnect(ports.main);
  defer(() => a.destroy());
  const ra = new Reader(a);
  await run.waitFor('client1 joined');
  const b = await tcpConnect(ports.main);
  defer(() => b.destroy());
  const rb = new Reader(b);
  await run.waitFor('client2 joined');
  const observed = [];
  const say = async (socket, reader, text) => {
    socket.write(`${text}\n`);
    const echo = (await reader.until('\n')).toString();
    assert.equal(echo, `echo: ${text}\n`);
    observed.push(echo);
  };
  await say(b, rb, 'hello from B');
  await say(a, ra, 'hello from A');
  await say(b, rb, 'B again');
  a.end();
  await run.waitFor('client1 left');
  await say(b, rb, 'B is alone now');
  b.end();
  await run.waitFor('all clients gone');
  return { observed };
}
