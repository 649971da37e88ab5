// UDP through web/src/sockgate.js, the wasm client and the real gateway, with
// a Node dgram socket as the peer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';

import { gatewaySession, nextEvent, text } from './support.mjs';

const suite = gatewaySession();

test('bind, then datagrams both ways with their source addresses', async () => {
  const { session } = suite;
  const peer = dgram.createSocket('udp4');
  peer.bind(0, '127.0.0.1');
  await once(peer, 'listening');
  try {
    const { sock, local } = await session.bind('127.0.0.1', 0);
    assert.equal(local.addr, '127.0.0.1');
    assert.ok(local.port > 0);
    assert.equal(session.sockets().find((s) => s.id === sock).kind, 'udp');

    // Node -> wasm: the datagram names the peer as its source.
    const arrived = nextEvent(session, 'datagram', (d) => d.sock === sock);
    peer.send('from node', local.port, '127.0.0.1');
    const datagram = await arrived;
    assert.equal(text(datagram.bytes), 'from node');
    assert.deepEqual(datagram.from, { addr: '127.0.0.1', port: peer.address().port });

    // wasm -> Node: it comes from the gateway's bound address.
    const received = once(peer, 'message');
    session.sendTo(sock, '127.0.0.1', peer.address().port, new Uint8Array([0, 1, 2, 255]));
    const [message, rinfo] = await received;
    assert.deepEqual([...message], [0, 1, 2, 255]);
    assert.equal(rinfo.address, '127.0.0.1');
    assert.equal(rinfo.port, local.port);

    const row = session.sockets().find((s) => s.id === sock);
    assert.equal(row.datagramsIn, 1);
    assert.equal(row.datagramsOut, 1);
    assert.equal(row.bytesIn, 9);
    assert.equal(row.bytesOut, 4);
    await session.close(sock);
  } finally {
    peer.close();
  }
});

test('the demo echo service answers a datagram', async () => {
  const { gateway, session } = suite;
  const { sock } = await session.bind(null, 0);
  const arrived = nextEvent(session, 'datagram', (d) => d.sock === sock);
  session.sendTo(sock, gateway.demo.host, gateway.demo.port, 'ping');
  const datagram = await arrived;
  assert.equal(text(datagram.bytes), 'ping');
  assert.deepEqual(datagram.from, { addr: gateway.demo.host, port: gateway.demo.port });
  assert.throws(() => session.send(sock, 'x'), { code: 'EOPNOTSUPP' });
  assert.throws(() => session.sendTo(sock, 'localhost', 9, 'x'), { code: 'EINVAL' });
  await session.close(sock);
});
