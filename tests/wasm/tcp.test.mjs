// TCP through web/src/sockgate.js, the wasm client and the real gateway, with
// Node net peers on the other side.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  SockgateError,
  gatewaySession,
  nextEvent,
  patternBytes,
  readAll,
  receiveBytes,
  record,
  tcpClient,
  tcpServer,
  text,
} from './support.mjs';
import { waitFor } from '../support/wait.mjs';

const MiB = 1024 * 1024;

describe('TCP', () => {
  const suite = gatewaySession();

  test('connect echoes 1 MiB byte for byte under flow control', async () => {
    const { session } = suite;
    const echo = await tcpServer((s) => s.pipe(s));
    try {
      const { sock, local, remote } = await session.connect('127.0.0.1', echo.port, { timeoutMs: 5000 });
      assert.deepEqual(remote, { addr: '127.0.0.1', port: echo.port });
      assert.equal(local.addr, '127.0.0.1');
      const wire = record(session, 'wire');
      const drained = nextEvent(session, 'drained', (d) => d.sock === sock);
      const payload = patternBytes(MiB, 7);
      const received = receiveBytes(session, sock, MiB);

      session.send(sock, payload);

      // More than one window's worth cannot leave at once: the rest waits
      // in the wasm client for WINDOW frames from the gateway.
      const row = session.sockets().find((s) => s.id === sock);
      assert.equal(row.queued, MiB - session.info.window);
      assert.equal(row.bytesOut, session.info.window);
      assert.equal(row.sendCredit, 0);

      const echoed = await received;
      await drained;
      assert.equal(echoed.length, MiB);
      assert.ok(Buffer.from(payload).equals(echoed), 'echoed bytes differ from those sent');

      const after = session.sockets().find((s) => s.id === sock);
      assert.equal(after.bytesOut, MiB);
      assert.equal(after.bytesIn, MiB);
      assert.equal(after.queued, 0);
      await new Promise((resolve) => setTimeout(resolve, 0)); // let queued wire events out
      const windowsIn = wire.filter((w) => w.dir === 'in' && w.frame?.type === 'WINDOW' && w.frame.sock === sock);
      const windowsOut = wire.filter((w) => w.dir === 'out' && w.frame?.type === 'WINDOW' && w.frame.sock === sock);
      assert.ok(windowsIn.length > 0, 'the gateway granted no credit back');
      assert.ok(windowsOut.length > 0, 'the client granted no credit back');
      const dataOut = wire.filter((w) => w.dir === 'out' && w.frame?.type === 'DATA' && w.frame.sock === sock);
      assert.equal(dataOut.reduce((n, w) => n + w.frame.length, 0), MiB);
      for (const w of dataOut) assert.ok(w.size <= session.info.max_frame);
      await session.close(sock);
      assert.equal(session.sockets().find((s) => s.id === sock).state, 'closed');
    } finally {
      await echo.close();
    }
  });

  test('wire events describe DATA frames in and out', async () => {
    const { session } = suite;
    const echo = await tcpServer((s) => s.pipe(s));
    try {
      const { sock } = await session.connect('127.0.0.1', echo.port);
      const wire = record(session, 'wire');
      const received = receiveBytes(session, sock, 4);
      session.send(sock, 'ping');
      assert.equal(text(await received), 'ping');
      await new Promise((resolve) => setTimeout(resolve, 0));

      const data = wire.filter((w) => w.kind === 'binary' && w.frame.type === 'DATA' && w.frame.sock === sock);
      const out = data.find((w) => w.dir === 'out');
      const into = data.find((w) => w.dir === 'in');
      assert.ok(out && into, JSON.stringify(wire.map((w) => [w.dir, w.frame?.type])));
      for (const w of [out, into]) {
        assert.equal(w.frame.length, 4);
        assert.equal(text(w.frame.preview), 'ping');
        assert.equal(w.size, 9);
        // 01, the socket id big-endian, then the payload.
        assert.deepEqual([...w.raw], [1, 0, 0, (sock >> 8) & 0xff, sock & 0xff, ...Buffer.from('ping')]);
        assert.equal(typeof w.time, 'number');
      }
      assert.ok(into.time >= out.time);
      await session.close(sock);
    } finally {
      await echo.close();
    }
  });

  test('listen accepts a Node client and carries data both ways', async () => {
    const { session } = suite;
    const { sock: listener, local } = await session.listen('127.0.0.1', 0, { backlog: 4 });
    assert.equal(local.addr, '127.0.0.1');
    assert.ok(local.port > 0);
    const accepted = nextEvent(session, 'accept', (a) => a.listener === listener);
    const client = await tcpClient(local.port);
    try {
      const accept = await accepted;
      assert.deepEqual(accept.local, local);
      assert.deepEqual(accept.remote, { addr: '127.0.0.1', port: client.localPort });
      const row = session.sockets().find((s) => s.id === accept.sock);
      assert.equal(row.kind, 'tcp');
      assert.equal(row.listener, listener);
      assert.equal(session.sockets().find((s) => s.id === listener).kind, 'listener');

      const fromNode = receiveBytes(session, accept.sock, 13);
      client.write('hello, wasm!\n');
      assert.equal(text(await fromNode), 'hello, wasm!\n');

      const atNode = readAll(client);
      session.send(accept.sock, 'hello, node!\n');
      await session.shutdown(accept.sock);
      assert.equal(text(await atNode), 'hello, node!\n');
    } finally {
      client.destroy();
      await session.close(listener);
    }
  });

  test('eof arrives after the peer ends; shutdown sends everything queued, then FIN', async () => {
    const { session } = suite;
    const big = patternBytes(600 * 1024, 3); // more than a window: shutdown must wait
    let peerReceived;
    const peer = await tcpServer((s) => {
      peerReceived = readAll(s);
      s.end('bye from node');
    });
    try {
      // The peer writes and ends at once, so its bytes and its eof can reach
      // the page in the same task as the connect reply (Node's ws emits every
      // message of one TCP read together): record from before the connect,
      // as a listener added after it may be too late.
      const eofs = record(session, 'eof');
      const data = record(session, 'data');
      const { sock } = await session.connect('127.0.0.1', peer.port);
      await waitFor(() => eofs.some((e) => e.sock === sock), `eof on socket ${sock}`);
      assert.deepEqual(eofs.filter((e) => e.sock === sock), [{ sock }]);
      const bye = Buffer.concat(data.filter((d) => d.sock === sock).map((d) => Buffer.from(d.bytes)));
      assert.equal(text(bye), 'bye from node');
      assert.equal(session.sockets().find((s) => s.id === sock).eof, true);

      session.send(sock, big);
      const shutdown = session.shutdown(sock);
      assert.equal(session.sockets().find((s) => s.id === sock).shutdown, true);
      assert.throws(() => session.send(sock, 'more'), (e) => e instanceof SockgateError && e.code === 'EPIPE');
      await shutdown;
      const got = await peerReceived;
      assert.equal(got.length, big.length);
      assert.ok(Buffer.from(big).equals(got), 'the peer got different bytes');
      await session.close(sock);
    } finally {
      await peer.close();
    }
  });

  test('a peer reset closes the socket with ECONNRESET', async () => {
    const { session } = suite;
    const peer = await tcpServer((s) => s.resetAndDestroy());
    try {
      const closed = record(session, 'closed');
      const { sock } = await session.connect('127.0.0.1', peer.port);
      const event = closed.find((c) => c.sock === sock) ?? (await nextEvent(session, 'closed', (c) => c.sock === sock));
      assert.equal(event.error?.code, 'ECONNRESET', JSON.stringify(event));
      const row = session.sockets().find((s) => s.id === sock);
      assert.equal(row.state, 'closed');
      assert.equal(row.error.code, 'ECONNRESET');
      assert.throws(() => session.send(sock, 'x'), { code: 'EBADF' });
    } finally {
      await peer.close();
    }
  });

  test('connect to a closed port rejects with ECONNREFUSED', async () => {
    const { session } = suite;
    const peer = await tcpServer(() => {});
    const port = peer.port;
    await peer.close();
    await assert.rejects(session.connect('127.0.0.1', port), (e) => {
      assert.ok(e instanceof SockgateError);
      assert.equal(e.code, 'ECONNREFUSED');
      return true;
    });
  });

  test('sockets events follow changes to the table', async () => {
    const { session } = suite;
    const peer = await tcpServer(() => {});
    try {
      const changed = nextEvent(session, 'sockets');
      const { sock } = await session.connect('127.0.0.1', peer.port);
      await changed;
      const afterClose = nextEvent(session, 'sockets');
      await session.close(sock);
      await afterClose;
      session.forgetClosed();
      assert.equal(session.sockets().find((s) => s.id === sock), undefined);
    } finally {
      await peer.close();
    }
  });
});

// With no 'wire' listener, sockgate.js reads and writes DATA frames itself
// and the wasm client only counts them (ARCHITECTURE.md §4, §5): the same
// bytes, counts and flow control as through the client, with each payload
// delivered as a view on the received message, past the frame header.
describe('TCP stream data without a wire listener', () => {
  const suite = gatewaySession();

  test('echoes 1 MiB intact, counted and held to credit, delivered without a copy', async () => {
    const { session } = suite;
    const echo = await tcpServer((s) => s.pipe(s));
    try {
      const { sock } = await session.connect('127.0.0.1', echo.port);
      const deliveries = record(session, 'data');
      const drained = nextEvent(session, 'drained', (d) => d.sock === sock);
      const payload = patternBytes(MiB, 11);
      const received = receiveBytes(session, sock, MiB);

      session.send(sock, payload);

      const row = session.sockets().find((s) => s.id === sock);
      assert.equal(row.bytesOut, session.info.window, 'sent beyond the credit');
      assert.equal(row.queued, MiB - session.info.window);

      const echoed = await received;
      await drained;
      assert.ok(Buffer.from(payload).equals(echoed), 'echoed bytes differ from those sent');
      const after = session.sockets().find((s) => s.id === sock);
      assert.equal(after.bytesOut, MiB);
      assert.equal(after.bytesIn, MiB);
      assert.equal(after.queued, 0);
      const ours = deliveries.filter((d) => d.sock === sock);
      assert.ok(ours.length > 0);
      for (const { bytes } of ours) {
        assert.equal(bytes.byteOffset, 5, 'payload was copied instead of viewed in the received message');
        assert.equal(bytes.buffer.byteLength, bytes.length + 5);
      }

      // Errors are the client's, as through it.
      assert.throws(() => session.send(9999, 'x'), (e) => e instanceof SockgateError && e.code === 'EBADF');
      await session.shutdown(sock);
      assert.throws(() => session.send(sock, 'x'), (e) => e instanceof SockgateError && e.code === 'EPIPE');
      await session.close(sock);
    } finally {
      await echo.close();
    }
  });

  // Bytes beyond the credit wait in sockgate.js, in frames made at send().
  test('many sends past the credit arrive in order, and shutdown sends FIN after the last byte', async () => {
    const { session } = suite;
    let got;
    const sink = await tcpServer((s) => {
      got = readAll(s);
    });
    try {
      const { sock } = await session.connect('127.0.0.1', sink.port);
      const drained = record(session, 'drained');
      const parts = [];
      for (let i = 0; i < 64; i++) parts.push(patternBytes(1000 + i * 997, i + 1)); // sizes that split frames
      for (const part of parts) session.send(sock, part);
      const total = parts.reduce((n, p) => n + p.length, 0);
      assert.ok(session.queued(sock) > 0, 'nothing waited for credit: the test proves nothing');
      assert.equal(session.queued(sock), total - session.info.window);
      assert.equal(session.sockets().find((s) => s.id === sock).queued, session.queued(sock));
      await session.shutdown(sock);
      await waitFor(() => got, 'the gateway to connect to the sink');
      const received = await got;
      assert.ok(Buffer.concat(parts).equals(received), 'bytes lost, reordered or cut off by the FIN');
      await waitFor(() => drained.some((d) => d.sock === sock), 'drained');
      assert.equal(drained.filter((d) => d.sock === sock).length, 1);
      await session.close(sock);
    } finally {
      await sink.close();
    }
  });

  test('sends that keep coming while earlier bytes wait and drain stay intact', async () => {
    const { session } = suite;
    const echo = await tcpServer((s) => s.pipe(s));
    try {
      const { sock } = await session.connect('127.0.0.1', echo.port);
      const total = 8 * MiB;
      const payload = patternBytes(total, 41);
      const received = receiveBytes(session, sock, total, 60_000);
      // Writes of odd sizes, each made when some echo has come back, so that
      // the queue here is written to while it is being sent from.
      let sent = 0;
      let sawQueue = false;
      const more = () => {
        const n = Math.min(total - sent, 96 * 1024 + 13);
        if (n > 0) session.send(sock, payload.subarray(sent, sent + n));
        sent += n;
        sawQueue ||= session.queued(sock) > 0;
      };
      const onData = ({ detail }) => {
        if (detail.sock === sock) more();
      };
      session.addEventListener('data', onData);
      for (let i = 0; i < 8; i++) more();
      const echoed = await received;
      session.removeEventListener('data', onData);
      assert.ok(sawQueue, 'nothing ever waited for credit: the test proves nothing');
      assert.ok(Buffer.from(payload).equals(echoed), 'echoed bytes differ from those sent');
      await session.close(sock);
    } finally {
      await echo.close();
    }
  });

  test('a wire listener added while bytes wait takes them over in order, drained once', async () => {
    const { session } = suite;
    const echo = await tcpServer((s) => s.pipe(s));
    const onWire = () => {};
    try {
      const { sock } = await session.connect('127.0.0.1', echo.port);
      const drained = record(session, 'drained');
      const first = patternBytes(MiB, 21);
      const received = receiveBytes(session, sock, 3 * MiB);
      session.send(sock, first); // past the credit: waits here
      session.addEventListener('wire', onWire); // now the core sends everything
      const second = patternBytes(MiB, 22);
      session.send(sock, second); // queued in the core behind the first
      session.removeEventListener('wire', onWire);
      const third = patternBytes(MiB, 23);
      session.send(sock, third); // waits here again, behind the core's queue
      assert.equal(session.queued(sock), 3 * MiB - session.info.window);
      const echoed = await received;
      assert.ok(Buffer.concat([first, second, third]).equals(echoed), 'echoed bytes differ from those sent');
      await waitFor(() => drained.some((d) => d.sock === sock), 'drained');
      assert.equal(drained.filter((d) => d.sock === sock).length, 1);
      assert.equal(session.queued(sock), 0);
      await session.close(sock);
    } finally {
      session.removeEventListener('wire', onWire);
      await echo.close();
    }
  });

  test('close discards the bytes waiting for credit, and the socket refuses more', async () => {
    const { session } = suite;
    const held = [];
    const stalled = await tcpServer((s) => {
      s.pause(); // reads nothing: credit never comes back
      held.push(s);
    });
    try {
      const { sock } = await session.connect('127.0.0.1', stalled.port);
      const drained = record(session, 'drained');
      session.send(sock, patternBytes(MiB, 31));
      assert.equal(session.queued(sock), MiB - session.info.window);
      await session.close(sock);
      assert.equal(session.queued(sock), 0);
      assert.equal(session.sockets().find((s) => s.id === sock)?.queued ?? 0, 0);
      assert.throws(() => session.send(sock, 'x'), (e) => e instanceof SockgateError && e.code === 'EBADF');
      assert.equal(drained.filter((d) => d.sock === sock).length, 0);
    } finally {
      for (const s of held) s.destroy();
      await stalled.close();
    }
  });
});
