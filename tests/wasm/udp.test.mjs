// UDP through web/src/sockgate.js, the wasm client and the real gateway, with
// a Node dgram socket as the peer.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';

import { SockgateError, gatewaySession, nextEvent, patternBytes, record, text } from './support.mjs';
import { waitFor } from '../support/wait.mjs';

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

// With no 'wire' listener, sockgate.js reads and writes DATAGRAM frames
// itself and the wasm client only checks and counts them; with one, every
// frame goes through the client. Both must give the same datagrams, sources,
// counts and errors.
describe('UDP datagrams read and written in JS or by the client', () => {
  const suite = gatewaySession();
  const sizes = [0, 1, 64, 1024, 9000];

  for (const tapped of [false, true]) {
    const how = tapped ? 'with a wire listener (through the client)' : 'without a wire listener (in JS)';

    for (const family of ['udp4', 'udp6']) {
      const loopback = family === 'udp4' ? '127.0.0.1' : '::1';

      test(`${family} datagrams both ways ${how}: intact, sources named, counted`, async () => {
        const { session } = suite;
        const wire = [];
        const onWire = (e) => wire.push(e.detail);
        if (tapped) session.addEventListener('wire', onWire);
        const peer = dgram.createSocket(family);
        peer.bind(0, loopback);
        await once(peer, 'listening');
        try {
          const { sock, local } = await session.bind(loopback, 0);
          const datagrams = record(session, 'datagram');
          const ours = () => datagrams.filter((d) => d.sock === sock);

          for (const [i, size] of sizes.entries()) peer.send(patternBytes(size, i), local.port, loopback);
          await waitFor(() => ours().length === sizes.length, `${sizes.length} datagrams on socket ${sock}`);
          const header = 5 + 1 + (family === 'udp4' ? 4 : 16) + 2;
          for (const [i, d] of ours().entries()) {
            assert.deepEqual([...d.bytes], [...patternBytes(sizes[i], i)], `datagram ${i} differs`);
            assert.deepEqual(d.from, { addr: loopback, port: peer.address().port });
            if (!tapped) assert.equal(d.bytes.byteOffset, header, 'payload copied instead of viewed in the message');
          }

          const received = [];
          peer.on('message', (m, rinfo) => received.push({ m, rinfo }));
          for (const [i, size] of sizes.entries()) session.sendTo(sock, loopback, peer.address().port, patternBytes(size, 100 + i));
          await waitFor(() => received.length === sizes.length, `${sizes.length} datagrams at the peer`);
          for (const [i, { m, rinfo }] of received.entries()) {
            assert.deepEqual([...m], [...patternBytes(sizes[i], 100 + i)], `datagram ${i} sent differs`);
            assert.equal(rinfo.port, local.port);
          }

          const total = sizes.reduce((a, b) => a + b, 0);
          const row = session.sockets().find((s) => s.id === sock);
          assert.deepEqual(
            [row.datagramsIn, row.datagramsOut, row.bytesIn, row.bytesOut],
            [sizes.length, sizes.length, total, total],
          );
          const frames = wire.filter((w) => w.kind === 'binary' && w.frame.type === 'DATAGRAM' && w.frame.sock === sock);
          assert.equal(frames.length, tapped ? 2 * sizes.length : 0);
          await session.close(sock);
        } finally {
          session.removeEventListener('wire', onWire);
          peer.close();
        }
      });
    }

    test(`sendTo errors ${how} are the client's`, async () => {
      const { session } = suite;
      const onWire = () => {};
      if (tapped) session.addEventListener('wire', onWire);
      try {
        const { sock } = await session.bind('127.0.0.1', 0);
        const fails = (call, code) => assert.throws(call, (e) => e instanceof SockgateError && e.code === code);
        fails(() => session.sendTo(sock, '127.0.0.1', 9, new Uint8Array(65508)), 'EMSGSIZE');
        fails(() => session.sendTo(sock, 'localhost', 9, 'x'), 'EINVAL');
        fails(() => session.sendTo(sock, '127.0.0.1', 70000, 'x'), 'EINVAL');
        fails(() => session.sendTo(9999, '127.0.0.1', 9, 'x'), 'EBADF');
        const row = session.sockets().find((s) => s.id === sock);
        assert.equal(row.datagramsOut, 0, 'a refused datagram was counted');
        await session.close(sock);
        fails(() => session.sendTo(sock, '127.0.0.1', 9, 'x'), 'EBADF');
      } finally {
        session.removeEventListener('wire', onWire);
      }
    });
  }
});
