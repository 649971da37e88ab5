// The compose deployment's front door for real, without containers: Debian's
// nginx with docker/nginx.conf (rendered as compose renders it) terminating
// TLS in front of two real gateway processes. Sessions are the wasm client
// under Node, speaking wss:// to nginx with the Origin a browser on that
// address would send.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { WebSocket } from 'ws';

import * as sockgate from '../../web/src/sockgate.js';
import { moduleFactory, nextEvent, patternBytes, receiveBytes, startGateway, tcpServer } from '../wasm/support.mjs';
import { waitFor } from '../support/wait.mjs';
import { makeCertificate, startNginx } from './nginx.mjs';
import { fetchMetric } from '../support/metrics.mjs';

const TOKEN = 'proxy-test-token';
// nginx drops a /ws tunnel silent for this long; the gateways ping well
// inside it. Low, so the idle test is short.
const READ_TIMEOUT_S = 3;
const PING_MS = 1000;

let dir;
let tls;
let gateways = [];
let quiet; // a gateway that never pings, behind its own nginx
let nginx;
let quietNginx;
let echo;

// The browser's WebSocket, trusting the test's certificate and sending the
// Origin of the page nginx serves, as a browser on that page would;
// `localAddress` makes it another machine to nginx (127.0.0.2, ...).
function browserLikeWebSocket(origin, localAddress) {
  return class extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols, { ca: tls.pem, origin, localAddress });
    }
  };
}

function openSession(front, { from } = {}) {
  globalThis.WebSocket = browserLikeWebSocket(`https://127.0.0.1:${front.port}`, from);
  return sockgate.openSession({ url: `wss://127.0.0.1:${front.port}/ws`, token: TOKEN, moduleFactory });
}

// The value of one sample in a gateway's /metrics, read from the gateway itself.
async function metric(gateway, name) {
  const value = await fetchMetric(gateway.httpUrl, name);
  assert.notEqual(value, -1, `no ${name} in /metrics of ${gateway.httpUrl}`);
  return value;
}

// Sends `bytes` on a fresh TCP socket to the echo peer and checks they come back.
async function roundTrip(session, bytes) {
  const { sock } = await session.connect('127.0.0.1', echo.port, { timeoutMs: 5000 });
  const received = receiveBytes(session, sock, bytes.length, 10_000);
  session.send(sock, bytes);
  assert.ok(Buffer.from(bytes).equals(await received), 'echoed bytes differ from those sent');
  return sock;
}

const upstream = (gw) => new URL(gw.httpUrl).host;

describe('nginx with docker/nginx.conf in front of two gateways', () => {
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sockgate-proxy-'));
    tls = makeCertificate(dir);
    // nginx connects from 127.0.0.1; its X-Forwarded-For names the browser.
    const args = ['--token', TOKEN, '--ping-interval-ms', String(PING_MS), '--trust-proxy', '127.0.0.1/32'];
    gateways = await Promise.all([startGateway(args, { quiet: false }), startGateway(args, { quiet: false })]);
    quiet = await startGateway(['--token', TOKEN, '--ping-interval-ms', '0']);
    echo = await tcpServer((s) => s.pipe(s));
    // Each nginx gets its own prefix: config, pid file and logs.
    const front = (name, ups) => {
      mkdirSync(path.join(dir, name));
      return startNginx({
        dir: path.join(dir, name), upstreams: ups.map(upstream), tls, readTimeout: `${READ_TIMEOUT_S}s`,
      });
    };
    nginx = await front('main', gateways);
    quietNginx = await front('quiet', [quiet]);
  });

  after(async () => {
    await Promise.all([nginx?.stop(), quietNginx?.stop()]);
    await Promise.all([...gateways, quiet].filter(Boolean).map((g) => g.stop()));
    await echo?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a wss:// session through nginx says hello and relays TCP to an echo peer', async () => {
    const session = await openSession(nginx);
    try {
      assert.ok(session.info.session, 'the hello reply names the session');
      await roundTrip(session, patternBytes(256 * 1024, 3));
    } finally {
      await session.closeSession();
    }
  });

  test('sessions are spread over both gateways', async () => {
    const before = await Promise.all(gateways.map((g) => metric(g, 'sockgate_sessions_total')));
    const sessions = [];
    try {
      for (let i = 0; i < 4; i++) sessions.push(await openSession(nginx));
      const after = await Promise.all(gateways.map((g) => metric(g, 'sockgate_sessions_total')));
      const opened = after.map((n, i) => n - before[i]);
      assert.equal(opened[0] + opened[1], 4, `sessions opened per gateway: ${opened}`);
      assert.ok(opened.every((n) => n >= 1), `one gateway got none of the sessions: ${opened}`);
    } finally {
      await Promise.all(sessions.map((s) => s.closeSession()));
    }
  });

  test("the gateways log and count each browser's own address, not nginx's", async () => {
    const usedBefore = await Promise.all(gateways.map((g) => metric(g, 'sockgate_forwarded_headers_total{outcome="used"}')));
    const froms = ['127.0.0.2', '127.0.0.3'];
    const sessions = [];
    try {
      for (const from of froms) sessions.push(await openSession(nginx, { from }));
      for (const from of froms) {
        const line = `opened from ${from} via proxy 127.0.0.1`;
        await waitFor(() => gateways.some((g) => g.output().includes(line)), `a gateway logging "${line}"`, 5000);
      }
      const usedAfter = await Promise.all(gateways.map((g) => metric(g, 'sockgate_forwarded_headers_total{outcome="used"}')));
      assert.ok(usedAfter[0] + usedAfter[1] - usedBefore[0] - usedBefore[1] >= 2, 'X-Forwarded-For was not used');
    } finally {
      await Promise.all(sessions.map((s) => s.closeSession()));
    }
  });

  test("a foreign Origin is refused with the gateway's 403 through the proxy", async () => {
    const refusedBefore = await Promise.all(gateways.map((g) => metric(g, 'sockgate_handshakes_refused_total')));
    const ws = new WebSocket(`wss://127.0.0.1:${nginx.port}/ws`, 'sockgate.v1', {
      ca: tls.pem,
      origin: 'https://evil.example',
    });
    const answer = await new Promise((resolve, reject) => {
      ws.once('open', () => reject(new Error('the handshake from a foreign Origin was accepted')));
      ws.once('unexpected-response', (req, res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
      ws.once('error', () => {});
    });
    assert.equal(answer.status, 403);
    // The gateway's own refusal, not one of nginx's pages.
    assert.match(answer.body, /origin https:\/\/evil\.example is not allowed/);
    const refusedAfter = await Promise.all(gateways.map((g) => metric(g, 'sockgate_handshakes_refused_total')));
    assert.equal(refusedAfter[0] + refusedAfter[1] - refusedBefore[0] - refusedBefore[1], 1);
  });

  test("an idle session outlives nginx's read timeout thanks to the gateway's pings", async () => {
    // The control: the same nginx settings in front of a gateway that does
    // not ping end a silent session, so the timeout below is real.
    const unpinged = await openSession(quietNginx);
    const unpingedSilentSince = Date.now(); // its hello reply was its last traffic
    const session = await openSession(nginx);
    try {
      const sock = await roundTrip(session, patternBytes(1000, 5));
      let closed = null;
      session.addEventListener('sessionclosed', (e) => (closed = e.detail));

      // Waiting out the timeout is the point: three times over, idle.
      const started = Date.now();
      const cut = await nextEvent(unpinged, 'sessionclosed', () => true, 4 * READ_TIMEOUT_S * 1000);
      const silentFor = Date.now() - unpingedSilentSince;
      assert.ok(silentFor >= READ_TIMEOUT_S * 1000 - 500,
        `the unpinged session ended after ${silentFor} ms, before nginx's timeout: ${JSON.stringify(cut)}`);
      await waitFor(() => closed !== null || Date.now() - started > 3 * READ_TIMEOUT_S * 1000,
        'three read timeouts', 5 * READ_TIMEOUT_S * 1000);

      assert.equal(closed, null, `the pinged session was closed: ${JSON.stringify(closed)}`);
      const payload = patternBytes(1000, 6);
      const received = receiveBytes(session, sock, payload.length, 10_000);
      session.send(sock, payload);
      assert.ok(Buffer.from(payload).equals(await received), 'the idle socket no longer echoes');
    } finally {
      await session.closeSession();
      await unpinged.closeSession().catch(() => {});
    }
  });
});
