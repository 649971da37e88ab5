// The gateway's policy as sockgate.js reports it: a denied destination is an
// EACCES rejection whose message says which --allow rule would admit it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { SockgateError, openSession, startGateway, tcpServer } from './support.mjs';

let gateway;
let session;
before(async () => {
  gateway = await startGateway(['--allow', 'tcp:127.0.0.1/32:1-1000']);
  session = await openSession(gateway);
});
after(async () => {
  await session.closeSession();
  await gateway.stop();
});

test('connect to a port the policy does not allow rejects with EACCES naming --allow', async () => {
  let connections = 0;
  const peer = await tcpServer((s) => {
    connections += 1;
    s.destroy();
  });
  try {
    assert.ok(peer.port > 1000);
    await assert.rejects(session.connect('127.0.0.1', peer.port), (e) => {
      assert.ok(e instanceof SockgateError);
      assert.equal(e.code, 'EACCES');
      assert.match(e.message, /--allow/);
      return true;
    });
    assert.equal(connections, 0, 'the gateway connected to a denied destination');
    assert.deepEqual(session.sockets(), []);
  } finally {
    await peer.close();
  }
});
