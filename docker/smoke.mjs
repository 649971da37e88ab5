// Checks a running sockgate container the way a user meets it: /healthz, the
// page, and a session with the token that relays TCP through /ws to an echo
// peer beside it; a wrong token is refused. docker/test.sh runs it next to
// the image's entrypoint, in the network namespace the entrypoint runs in.
//
// Environment:
//   SOCKGATE_SMOKE_URL    the gateway, e.g. http://127.0.0.1:8080
//   SOCKGATE_SMOKE_TOKEN  the token the gateway was started with
//   SOCKGATE_WASM_DIR     the wasm client to use (docker/test.sh: the image's own)
import assert from 'node:assert/strict';

import * as sockgate from '../web/src/sockgate.js';
import { moduleFactory, patternBytes, receiveBytes, tcpServer } from '../tests/wasm/support.mjs';

const base = process.env.SOCKGATE_SMOKE_URL;
const token = process.env.SOCKGATE_SMOKE_TOKEN;
assert.ok(base && token, 'set SOCKGATE_SMOKE_URL and SOCKGATE_SMOKE_TOKEN');
const wsUrl = `${base.replace(/^http/, 'ws')}/ws`;

let failures = 0;
async function check(what, fn) {
  try {
    await fn();
    console.log(`ok - ${what}`);
  } catch (e) {
    failures++;
    console.log(`not ok - ${what}\n  ${String(e?.stack ?? e).replaceAll('\n', '\n  ')}`);
  }
}

await check('/healthz reports ok', async () => {
  const res = await fetch(`${base}/healthz`);
  assert.equal(res.status, 200);
  assert.equal((await res.json()).status, 'ok');
});

await check('the playground page and its wasm client are served', async () => {
  const page = await fetch(`${base}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<script[^>]+app\.js/);
  const wasm = await fetch(`${base}/wasm/sockgate_client.wasm`);
  assert.equal(wasm.status, 200);
  assert.ok((await wasm.arrayBuffer()).byteLength > 10_000, 'the wasm client is suspiciously small');
});

await check('a session with the token relays TCP through /ws to an echo peer', async () => {
  const echo = await tcpServer((s) => s.pipe(s));
  const session = await sockgate.openSession({ url: wsUrl, token, moduleFactory });
  try {
    const { sock } = await session.connect('127.0.0.1', echo.port, { timeoutMs: 5000 });
    const payload = patternBytes(64 * 1024, 11);
    const received = receiveBytes(session, sock, payload.length, 10_000);
    session.send(sock, payload);
    assert.ok(Buffer.from(payload).equals(await received), 'echoed bytes differ from those sent');
  } finally {
    await session.closeSession();
    await echo.close();
  }
});

await check('a session with a wrong token is refused with EACCES', async () => {
  await assert.rejects(sockgate.openSession({ url: wsUrl, token: `${token}-wrong`, moduleFactory }),
    (e) => e.code === 'EACCES');
});

process.exit(failures ? 1 : 0);
