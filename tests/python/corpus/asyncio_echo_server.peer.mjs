// Two clients connected at the same time, messages interleaved.
import assert from 'node:assert/strict';
import { Reader, tcpConnect } from '../harness.mjs';

export async function peer({ run, ports, defer }) {
  await run.waitFor(`serving on ('127.0.0.1', ${ports.main})`);
  const connect = async (n) => {
    const socket = await tcpConnect(ports.main);
    defer(() => socket.destroy());
    await run.waitFor(new RegExp(`(connection from [^]*){${n}}`));
    return { socket, reader: new Reader(socket) };
  };
  const a = await connect(1);
  const b = await connect(2);
  const observed = [];
  const say = async (c, text) => {
    c.socket.write(`${text}\n`);
    const line = await c.reader.line();
    assert.equal(line, `echo: ${text}`);
    observed.push(line);
  };
  await say(a, 'first from A');
  await say(b, 'first from B');
  await say(a, 'A: 你好');
  b.socket.end();
  assert.equal(await b.reader.closed(), 'end');
  await say(a, 'A is last');
  a.socket.end();
  assert.equal(await a.reader.closed(), 'end');
  await run.waitFor('two clients served');
  return { observed };
}
