// A UDP server on the chosen port that answers "got: <text> (N bytes)".
import assert from 'node:assert/strict';
import { udpSocket } from '../harness.mjs';

export async function peer({ run, ports, defer }) {
  const udp = await udpSocket(ports.main);
  defer(() => udp.close());
  const observed = [];
  let clientPort = null;
  for (let i = 0; i < 3; i++) {
    const { msg, rinfo } = await udp.next();
    assert.equal(rinfo.address, '127.0.0.1');
    clientPort ??= rinfo.port;
    assert.equal(rinfo.port, clientPort, 'all datagrams come from one socket');
    const text = msg.toString('utf8');
    observed.push(text);
    await udp.send(Buffer.from(`got: ${text} (${msg.length} bytes)`), rinfo.port);
  }
  // The program prints its own address last. It never called bind(), so it
  // has the wildcard address, and the port the datagrams came from.
  await run.waitFor(`my address: ('0.0.0.0', ${clientPort})`);
  return { observed };
}
