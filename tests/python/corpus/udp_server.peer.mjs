// Three datagrams from one native UDP socket; each answer must come from
// the server's port and back to the sender.
import assert from 'node:assert/strict';
import { udpSocket } from '../harness.mjs';

export async function peer({ run, ports, defer }) {
  await run.waitFor(`listening on 127.0.0.1:${ports.main} (udp)`);
  const udp = await udpSocket();
  defer(() => udp.close());
  const observed = [];
  for (const text of ['ping', 'hello udp', 'third and last']) {
    await udp.send(Buffer.from(text), ports.main);
    const { msg, rinfo } = await udp.next();
    assert.equal(rinfo.port, ports.main);
    assert.equal(rinfo.address, '127.0.0.1');
    observed.push(msg.toString());
  }
  return { observed };
}
