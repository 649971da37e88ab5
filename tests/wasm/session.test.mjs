// Sessions through web/src/sockgate.js and the wasm client, against the real
// gateway: opening (hello, tokens, failures), the wire view, errors thrown
// at once, and closing a session.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';

import { WebSocketServer } from 'ws';

import * as sockgate from '../../web/src/sockgate.js';
import {
  SockgateError,
  moduleUrl,
  nativeWebSocket,
  nextEvent,
  openSession,
  readAll,
  receiveBytes,
  record,
  startGateway,
  tcpServer,
  text,
} from './support.mjs';

// Node 20's built-in WebSocket reports a refused connection with an error
// event but never the close event that browsers (and ws) send after it.
const refusedNeedsClose = nativeWebSocket && 'Node 20 WebSocket fires no close after a refused connection';

describe('opening a session', () => {
  let gateway;
  before(async () => {
    gateway = await startGateway();
  });
  after(() => gateway.stop());

  test('resolves with the hello reply as info', async () => {
    const session = await openSession(gateway);
    try {
      assert.ok(session instanceof sockgate.SockgateSession);
      assert.equal(session.url, gateway.wsUrl);
      assert.equal(session.info.version, 1);
      assert.match(session.info.server, /^sockgate\/\d+\.\d+\.\d+$/);
      assert.match(session.info.session, /^\S+$/);
      assert.equal(session.info.window, 262144);
      assert.equal(session.info.max_window, 4194304);
      assert.equal(session.info.max_frame, 1048576);
      assert.deepEqual(session.info.limits, { sockets: 64, listeners: 8 });
      assert.equal(session.closed, false);
      assert.equal(session.state, 'ready');
      assert.deepEqual(session.sockets(), []);
    } finally {
      await session.closeSession();
    }
  });

  test('loads the module from moduleUrl under Node', async () => {
    const session = await sockgate.openSession({ url: gateway.wsUrl, moduleUrl });
    try {
      assert.equal(session.info.version, 1);
    } finally {
      await session.closeSession();
    }
  });

  test('emits wire events for hello out and its reply in', async () => {
    // The handshake's wire events are held back until the task after
    // openSession resolves, so a listener added right away still sees them.
    const session = await openSession(gateway);
    const wire = record(session, 'wire');
    await new Promise((resolve) => setTimeout(resolve, 0));
    try {
      const hello = wire.filter((w) => w.kind === 'text' && JSON.parse(w.text).op === 'hello');
      assert.equal(hello.length, 2, JSON.stringify(wire));
      const [out, reply] = hello;
      assert.equal(out.dir, 'out');
      assert.deepEqual(JSON.parse(out.text), { op: 'hello', id: 1, version: 1 });
      assert.equal(reply.dir, 'in');
      assert.equal(JSON.parse(reply.text).ok, true);
      assert.equal(JSON.parse(reply.text).session, session.info.session);
      assert.equal(typeof out.time, 'number');
      assert.ok(reply.time >= out.time);
    } finally {
      await session.closeSession();
    }
  });

  test('describes no frames while nobody listens for wire events, and does again once someone does', async () => {
    const session = await openSession(gateway);
    // Every 'wire' event the session dispatches, listened to or not.
    const dispatched = [];
    const dispatch = session.dispatchEvent.bind(session);
    session.dispatchEvent = (event) => {
      if (event.type === 'wire') dispatched.push(event.detail);
      return dispatch(event);
    };
    await new Promise((resolve) => setTimeout(resolve, 0)); // the handshake's, held back for late listeners
    assert.equal(dispatched.length, 2, 'the hello exchange is still described');
    dispatched.length = 0;
    const echo = await tcpServer((s) => s.pipe(s));
    try {
      const { sock } = await session.connect('127.0.0.1', echo.port);
      session.send(sock, 'unheard');
      assert.equal(text(await receiveBytes(session, sock, 7)), 'unheard');
      await new Promise((resolve) => setTimeout(resolve, 0));
      assert.deepEqual(dispatched, [], 'frames were described with no wire listener');

      const heard = [];
      const listener = (event) => heard.push(event.detail);
      session.addEventListener('wire', listener);
      session.send(sock, 'heard');
      assert.equal(text(await receiveBytes(session, sock, 5)), 'heard');
      await new Promise((resolve) => setTimeout(resolve, 0));
      const data = heard.filter((w) => w.kind === 'binary' && w.frame.type === 'DATA' && w.frame.sock === sock);
      assert.deepEqual(data.map((w) => w.dir).sort(), ['in', 'out'], JSON.stringify(heard));

      session.removeEventListener('wire', listener);
      dispatched.length = 0;
      session.send(sock, 'unheard again');
      assert.equal(text(await receiveBytes(session, sock, 13)), 'unheard again');
      await new Promise((resolve) => setTimeout(resolve, 0));
      assert.deepEqual(dispatched, [], 'frames were described after the last wire listener left');
    } finally {
      await session.closeSession();
      await echo.close();
    }
  });

  test('rejects with ECONNREFUSED when no gateway listens', { skip: refusedNeedsClose }, async () => {
    const server = await tcpServer((s) => s.destroy());
    const port = server.port;
    await server.close(); // a port that was free a moment ago and is closed now
    const error = await openSession({ wsUrl: `ws://127.0.0.1:${port}/ws` }).then(
      () => assert.fail('opened a session to a closed port'),
      (e) => e,
    );
    assert.ok(error instanceof SockgateError, String(error));
    assert.equal(error.code, 'ECONNREFUSED');
    assert.equal(error.closeCode, 1006);
    assert.match(error.message, /1006/);
  });

  test('rejects with ECONNREFUSED when the gateway refuses the upgrade', { skip: refusedNeedsClose }, async () => {
    const error = await openSession({ wsUrl: gateway.wsUrl.replace(/\/ws$/, '/not-ws') }).then(
      () => assert.fail('opened a session on a wrong path'),
      (e) => e,
    );
    assert.equal(error.code, 'ECONNREFUSED');
    assert.equal(error.closeCode, 1006);
  });

  test('rejects with EINVAL for a URL that is not ws:// or wss://', async () => {
    await assert.rejects(openSession({ wsUrl: 'http://127.0.0.1:1/ws' }), { code: 'EINVAL' });
  });
});

describe('a gateway that requires a token', () => {
  let gateway;
  before(async () => {
    gateway = await startGateway(['--token', 's3cret']);
  });
  after(() => gateway.stop());

  test('rejects a wrong token with EACCES', async () => {
    await assert.rejects(openSession(gateway, { token: 'wrong' }), (e) => {
      assert.ok(e instanceof SockgateError);
      assert.equal(e.code, 'EACCES');
      return true;
    });
  });

  test('rejects a missing token with EACCES', async () => {
    await assert.rejects(openSession(gateway), { code: 'EACCES' });
  });

  test('accepts the right token', async () => {
    const session = await openSession(gateway, { token: 's3cret' });
    assert.equal(session.info.version, 1);
    await session.closeSession();
  });
});

test('a server that closes before answering hello gives EPROTO with its close code', async () => {
  // Not the gateway: a WebSocket server that misbehaves on purpose.
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'sockgate.v1' });
  await once(server, 'listening');
  server.on('connection', (ws) => ws.once('message', () => ws.close(4000, 'no hello today')));
  try {
    const url = `ws://127.0.0.1:${server.address().port}/ws`;
    await assert.rejects(openSession({ wsUrl: url }), (e) => {
      assert.equal(e.code, 'EPROTO');
      assert.equal(e.closeCode, 4000);
      assert.equal(e.closeReason, 'no hello today');
      return true;
    });
  } finally {
    server.close();
  }
});

test('requests still unanswered when the session closes reject with ECONNRESET', async () => {
  // Not the gateway: a server that answers hello and then nothing, so that
  // the request is certainly pending when the session ends.
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'sockgate.v1' });
  await once(server, 'listening');
  server.on('connection', (ws) =>
    ws.once('message', () =>
      ws.send(
        JSON.stringify({
          op: 'hello', id: 1, ok: true, version: 1, server: 'silent/0', session: 's',
          window: 65536, max_frame: 65600, limits: { sockets: 4, listeners: 1 },
        }),
      ),
    ),
  );
  try {
    const session = await openSession({ wsUrl: `ws://127.0.0.1:${server.address().port}/ws` });
    const pending = session.connect('127.0.0.1', 9);
    const closing = session.closeSession(4001, 'bye');
    await assert.rejects(pending, (e) => e instanceof SockgateError && e.code === 'ECONNRESET');
    assert.deepEqual(await closing, { code: 4001, reason: 'bye' });
  } finally {
    server.close();
  }
});

describe('an open session', () => {
  let gateway;
  before(async () => {
    gateway = await startGateway();
  });
  after(() => gateway.stop());

  test('throws EBADF at once when sending to an unknown socket', async () => {
    const session = await openSession(gateway);
    try {
      assert.throws(() => session.send(77, 'x'), (e) => e instanceof SockgateError && e.code === 'EBADF');
      assert.throws(() => session.sendTo(77, '127.0.0.1', 9, 'x'), { code: 'EBADF' });
      await assert.rejects(session.close(77), { code: 'EBADF' });
      await assert.rejects(session.shutdown(77), { code: 'EBADF' });
    } finally {
      await session.closeSession();
    }
  });

  test('rejects arguments of the wrong type with EINVAL', async () => {
    const session = await openSession(gateway);
    try {
      await assert.rejects(session.connect('127.0.0.1', 70000), { code: 'EINVAL' });
      await assert.rejects(session.connect('127.0.0.1', '80'), { code: 'EINVAL' });
      await assert.rejects(session.connect(42, 80), { code: 'EINVAL' });
      assert.throws(() => session.send(1, 12345), { code: 'EINVAL' });
      await assert.rejects(session.closeSession(1001), { code: 'EINVAL' });
      assert.equal(session.closed, false);
    } finally {
      await session.closeSession();
    }
  });

  test('passes raw requests and their replies through request()', async () => {
    const session = await openSession(gateway);
    try {
      const reply = await session.request('resolve', { host: 'localhost' });
      assert.equal(reply.op, 'resolve');
      assert.equal(reply.ok, true);
      assert.ok(reply.addrs.includes('127.0.0.1'), JSON.stringify(reply));
      await assert.rejects(session.request('frobnicate', {}), { code: 'ENOTSUP' });
      await assert.rejects(session.request('connect', { proto: 'tcp', host: '127.0.0.1' }), {
        code: 'EINVAL',
      });
      assert.deepEqual(await session.resolve('127.0.0.1'), { addrs: ['127.0.0.1'] });
    } finally {
      await session.closeSession();
    }
  });

  test('closing the session ends every socket and request', async () => {
    const peerSockets = [];
    const peer = await tcpServer((s) => peerSockets.push(s));
    const session = await openSession(gateway);
    try {
      const { sock } = await session.connect('127.0.0.1', peer.port);
      const listener = await session.listen('127.0.0.1', 0);
      const udp = await session.bind('127.0.0.1', 0);
      while (peerSockets.length === 0) await new Promise((r) => setTimeout(r, 5));
      const peerSawEnd = readAll(peerSockets[0]);
      // A request in flight as the session goes: the gateway may still
      // answer it before it reads the close, but it must not stay pending.
      const inFlight = session.resolve('localhost').then(
        () => 'answered',
        (e) => e.code,
      );
      const closedEvent = nextEvent(session, 'sessionclosed');

      const result = await session.closeSession(1000, 'done here');

      assert.deepEqual(result, { code: 1000, reason: 'done here' });
      assert.deepEqual(await closedEvent, { code: 1000, reason: 'done here' });
      assert.equal(session.closed, true);
      assert.equal(session.state, 'closed');
      assert.ok(['answered', 'ECONNRESET'].includes(await inFlight));
      const table = session.sockets();
      assert.deepEqual(table.map((s) => s.id).sort(), [sock, listener.sock, udp.sock].sort());
      for (const row of table) {
        assert.equal(row.state, 'closed');
        assert.equal(row.error.code, 'ECONNRESET');
      }
      // The gateway let go of the real socket too.
      await peerSawEnd;
      assert.throws(() => session.send(sock, 'late'), { code: 'ENOTCONN' });
      await assert.rejects(session.connect('127.0.0.1', peer.port), { code: 'ENOTCONN' });
      assert.deepEqual(await session.closeSession(), { code: 1000, reason: 'done here' });
    } finally {
      if (!session.closed) await session.closeSession();
      await peer.close();
    }
  });
});
