// A server that answers the "slow" client only after the "fast" one has
// been answered, so the program's two coroutines must really overlap.
import assert from 'node:assert/strict';
import { Reader, tcpListen } from '../harness.mjs';

export async function peer({ run, ports, defer }) {
  const listener = await tcpListen(ports.main);
  defer(() => listener.close());
  const solo = await listener.next();
  const soloReader = new Reader(solo);
  const hello = await soloReader.line();
  solo.write('hi there\n');
  await run.waitFor('no second reply within 0.3 s');
  assert.equal(await soloReader.closed(), 'end');

  const requests = {};
  for (let i = 0; i < 2; i++) {
    const socket = await listener.next();
    const line = await new Reader(socket).line();
    requests[line.split(':')[0]] = { socket, line };
  }
  assert.deepEqual(Object.keys(requests).sort(), ['fast', 'slow']);
  requests.fast.socket.end('pong\n');
  await run.waitFor("fast got 'pong'");
  requests.slow.socket.end('42\n');
  await run.waitFor('answers in order:');
  return { observed: [hello, requests.slow.line, requests.fast.line] };
}
