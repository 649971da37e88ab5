// The example programs (C++ compiled to wasm) run in the page against the
// real gateway, talking to native peers in this test: TCP server and client,
// UDP server and client, and a server and client in the page at once.
//
// The examples take "[host] [port]" arguments (their defaults are localhost
// 12345 for TCP and 54321 for UDP); the tests pass 127.0.0.1 and free
// ephemeral ports through the page's argument field, so they do not depend
// on the default ports being free.

import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  requireWebRoot, startGatewayAndBrowser, stopAll, openPlayground, waitForText, textOf, screenshot, command,
  tcpExchange, tcpServer, udpSocket, retry, portIsFree, getJson, freePort, inPlayground,
} from './helpers.mjs';
import { waitFor } from '../support/wait.mjs';

async function select(page, name) {
  await page.click(`.ex-tab[data-example="${name}"]`);
  await page.waitForSelector(`.ex-tab[data-example="${name}"][aria-selected="true"]`);
}

/** Selects an example, sets its arguments and clicks Run. */
async function run(page, name, args) {
  await select(page, name);
  await page.fill('.ex-args', args);
  await page.click('.btn-run');
  await page.waitForSelector(`.ex-tab[data-example="${name}"]:is([data-status="running"], [data-status="exited"], [data-status="failed"])`);
}

async function stop(page, name) {
  await select(page, name);
  await page.click('.btn-stop');
  await waitStatus(page, name, 'stopped', 10000);
}

const output = (name) => `.ex-output[data-example="${name}"]`;

async function status(page, name) {
  return page.getAttribute(`.ex-tab[data-example="${name}"]`, 'data-status');
}

async function waitStatus(page, name, wanted, timeout = 15000) {
  const list = Array.isArray(wanted) ? wanted : [wanted];
  try {
    await page.waitForFunction(([n, l]) => l.includes(document.querySelector(`.ex-tab[data-example="${n}"]`)?.dataset.status),
      [name, list], { timeout, polling: 100 });
  } catch {
    throw new Error(`${name} is ${await status(page, name)}, not ${list.join('/')}; output:\n${await textOf(page, output(name))}`);
  }
}

describe('examples in the page', { timeout: 240000 }, () => {
  let gw;
  let browser;
  let tab;
  const page = () => tab.page;

  before(async () => {
    requireWebRoot({ examples: true });
    ({ gw, browser } = await startGatewayAndBrowser());
    tab = await openPlayground(browser, gw);
    await page().waitForSelector('.ex-tab[data-example="tcp_server"]');
  });
  after(() => stopAll(browser, gw));

  // The tests share one tab (loading it is the slow part) but no state: each
  // picks its own program and ports. What each test did made no request
  // outside the gateway and raised no page error.
  afterEach(() => {
    assert.deepEqual(tab.external, [], 'no requests outside the gateway');
    assert.deepEqual(tab.errors, [], 'no page errors');
  });

  it('lists the four examples and shows their C++ source', async () => {
    const names = await page().$$eval('.ex-tab', (tabs) => tabs.map((t) => t.dataset.example));
    for (const n of ['tcp_server', 'tcp_client', 'udp_server', 'udp_client']) assert.ok(names.includes(n), `${n} listed`);
    await select(page(), 'tcp_server');
    await page().waitForFunction(() => window.sockgatePlayground.examples.editor.text.includes('#include <sys/socket.h>'));
    await waitForText(page(), '.ex-editor', 'int main(');
    // C++ highlighting: CodeMirror marks tokens with spans.
    const spans = await page().$$eval('.ex-editor .cm-content span', (els) => els.length);
    assert.ok(spans > 10, `highlighted tokens: ${spans}`);
    assert.equal(await page().getAttribute('.ex-args', 'placeholder'), '[host] [port]');
  });

  it('runs the TCP server; a native client gets "Hello from server!"', async () => {
    const port = await freePort('both');
    await run(page(), 'tcp_server', `127.0.0.1 ${port}`);
    await waitForText(page(), output('tcp_server'), `listening on 127.0.0.1:${port}`);
    // The hint from index.json, adjusted to the arguments, with a copy button.
    await page().waitForSelector('.ex-hint:not([hidden])');
    assert.ok((await textOf(page(), '.ex-hint')).includes(`nc 127.0.0.1 ${port}`));
    assert.ok(await page().$('.ex-hint .btn-copy'));
    // The example's sockets live in its own session: /healthz counts them.
    const hz = await getJson(gw, 'healthz');
    assert.ok(hz.sessions >= 2 && hz.sockets >= 1, `console + example sessions: ${JSON.stringify(hz)}`);
    await screenshot(page(), 'playground-tcp-server.png');

    const reply = await retry(() => tcpExchange(port, 'Hello from the native test client!\n', { until: 'Hello from server!' }),
      { timeout: 20000, what: 'talking to the page\'s TCP server' });
    assert.match(reply, /Hello from server!/);
    await waitForText(page(), output('tcp_server'), 'Received: Hello from the native test client!');
    // The server serves one client, then exits.
    await waitStatus(page(), 'tcp_server', 'exited');
    assert.match(await textOf(page(), '.ex-status'), /exited · code 0/);
  });

  it('runs the TCP server and the TCP client in the page at once', async () => {
    const port = await freePort('both');
    await run(page(), 'tcp_server', `127.0.0.1 ${port}`);
    await waitForText(page(), output('tcp_server'), 'listening');
    await run(page(), 'tcp_client', `127.0.0.1 ${port}`);
    await waitForText(page(), output('tcp_client'), 'Hello from server!');
    await waitForText(page(), output('tcp_server'), 'Received: Hello from client!');
    await waitStatus(page(), 'tcp_client', 'exited');
    await waitStatus(page(), 'tcp_server', 'exited');
    await screenshot(page(), 'playground-examples.png');
  });

  it('fetches the programs once for runs of different programs (one module holds them all)', async () => {
    await inPlayground(browser, gw, {}, async ({ page: own }) => {
      const fetched = [];
      own.on('request', (r) => {
        const { pathname } = new URL(r.url());
        if (/^\/examples\/.*\.(mjs|wasm)$/.test(pathname)) fetched.push(pathname);
      });
      const port = await freePort('both');
      await run(own, 'tcp_server', `127.0.0.1 ${port}`);
      await waitForText(own, output('tcp_server'), 'listening');
      await run(own, 'tcp_client', `127.0.0.1 ${port}`);
      await waitForText(own, output('tcp_client'), 'Hello from server!');
      await waitStatus(own, 'tcp_client', 'exited');
      await waitStatus(own, 'tcp_server', 'exited');
      assert.deepEqual(fetched.sort(), ['/examples/programs.mjs', '/examples/programs.wasm']);
    });
  });

  it('stops a server blocked in accept, which frees its port', async () => {
    const port = await freePort('both');
    await run(page(), 'tcp_server', `127.0.0.1 ${port}`);
    await waitForText(page(), output('tcp_server'), 'listening');
    assert.equal(await portIsFree(port, 'tcp'), false, 'the gateway listens for the example');
    await stop(page(), 'tcp_server');
    // A user's stop, not a crash: said in words, no error from the program,
    // no exit code.
    assert.equal(await textOf(page(), '.ex-status'), 'stopped by you');
    await waitForText(page(), output('tcp_server'), /stopped by you after [\d.]+ s/);
    const out = await textOf(page(), output('tcp_server'));
    assert.doesNotMatch(out, /Connection reset|accept:|code \d/, out);
    assert.equal(await page().$$eval(`${output('tcp_server')} .ol-err`, (els) => els.length), 0, out);
    await retry(async () => { if (!(await portIsFree(port, 'tcp'))) throw new Error(`port ${port} still in use`); }, { what: 'port freed' });
    // It can run again afterwards.
    await run(page(), 'tcp_server', `127.0.0.1 ${port}`);
    await waitForText(page(), output('tcp_server'), 'listening');
    await stop(page(), 'tcp_server');
  });

  it('explains a listen the policy refuses, as the console does, under the program\'s own error', async () => {
    // Ports below 1024 are outside the default --bind-allow rules.
    await run(page(), 'tcp_server', '127.0.0.1 80');
    await waitStatus(page(), 'tcp_server', 'exited');
    const callout = `${output('tcp_server')} .callout-denied`;
    await page().waitForSelector(callout);
    const text = await textOf(page(), callout);
    assert.match(text, /listen 127\.0\.0\.1 80/, text);
    assert.match(text, /--bind-allow 127\.0\.0\.1\/32:80/, text);
    // The program's own line first, then why.
    const order = await page().$$eval(`${output('tcp_server')} .ol`, (lines) => lines.map((l) => (l.classList.contains('ol-explain') ? 'explain' : l.textContent)));
    const errorAt = order.findIndex((l) => /Permission denied/.test(l));
    assert.ok(errorAt >= 0 && order.indexOf('explain') === errorAt + 1, JSON.stringify(order));
    // Refused at bind(), where POSIX and CPython refuse it, not at listen().
    assert.equal(order[errorAt], 'bind: Permission denied');
  });

  it('says who holds a port the program cannot listen on', async () => {
    const port = await freePort('tcp');
    await command(page(), `listen 127.0.0.1 ${port}`);
    await waitForText(page(), '.console-out', new RegExp(`listening on 127\\.0\\.0\\.1:${port}`));
    const held = await page().evaluate((p) => window.sockgatePlayground.state.session.sockets().find((s) => s.local?.port === p)?.id, port);
    assert.ok(held, 'the console holds the port');
    try {
      await run(page(), 'tcp_server', `127.0.0.1 ${port}`);
      await waitStatus(page(), 'tcp_server', 'exited');
      const callout = `${output('tcp_server')} .callout-error[data-code="EADDRINUSE"]`;
      await page().waitForSelector(callout);
      const text = await textOf(page(), callout);
      assert.ok(text.includes(`the console's listener [${held}]`), text);
      assert.ok(text.includes(`listen 127.0.0.1 ${port}`), text);
      assert.match(await textOf(page(), output('tcp_server')), /^bind: Address in use$/m);
    } finally {
      await command(page(), `close ${held}`);
    }
  });

  it('runs the TCP client against a native server', async () => {
    const port = await freePort('both');
    const server = await tcpServer(port, 'Hello from the native test server!');
    try {
      await run(page(), 'tcp_client', `127.0.0.1 ${port}`);
      await waitForText(page(), output('tcp_client'), 'Hello from the native test server!');
      await waitStatus(page(), 'tcp_client', 'exited');
      await retry(async () => { if (!server.received.some((m) => m.includes('Hello from client!'))) throw new Error(JSON.stringify(server.received)); },
        { what: 'native server received the client\'s greeting' });
    } finally {
      await server.close();
    }
  });

  it('runs the UDP server; a native client gets its answer', async () => {
    const port = await freePort('both');
    await run(page(), 'udp_server', `127.0.0.1 ${port}`);
    await waitForText(page(), output('udp_server'), 'listening');
    const client = await udpSocket();
    try {
      // UDP may lose a datagram: send again until the answer comes.
      await retry(async () => {
        await client.send('Hello from the native UDP client!', port);
        // Resend if no answer within 300 ms (the datagram may be lost).
        await waitFor(() => client.messages.length, 'an answer to this datagram', 300);
      }, { timeout: 20000, interval: 50, what: 'answer from the page\'s UDP server' });
      assert.equal(client.messages[0].text, 'Hello from UDP server!');
      assert.equal(client.messages[0].from.port, port);
      await waitForText(page(), output('udp_server'), `from 127.0.0.1:${client.port}: Hello from the native UDP client!`);
    } finally {
      await client.close();
    }
    // The UDP server serves until stopped.
    assert.equal(await status(page(), 'udp_server'), 'running');
    await stop(page(), 'udp_server');
    await retry(async () => { if (!(await portIsFree(port, 'udp'))) throw new Error(`port ${port} still in use`); }, { what: 'UDP port freed' });
  });

  it('runs the UDP client against a native server', async () => {
    const port = await freePort('both');
    const server = await udpSocket(port);
    server.sock.on('message', (msg, rinfo) => {
      server.sock.send('Hello from the native UDP server!', rinfo.port, rinfo.address);
    });
    try {
      await run(page(), 'udp_client', `127.0.0.1 ${port}`);
      await waitForText(page(), output('udp_client'), 'Hello from the native UDP server!', 20000);
      assert.ok(server.messages.length >= 1, 'the native server got a datagram');
      await waitStatus(page(), 'udp_client', 'exited');
    } finally {
      if (await status(page(), 'udp_client') === 'running') await stop(page(), 'udp_client');
      await server.close();
    }
  });

  it('runs the UDP server and client in the page at once', async () => {
    const port = await freePort('both');
    await run(page(), 'udp_server', `127.0.0.1 ${port}`);
    await waitForText(page(), output('udp_server'), 'listening');
    await run(page(), 'udp_client', `127.0.0.1 ${port}`);
    await waitForText(page(), output('udp_client'), 'Hello from UDP server!', 20000);
    await waitStatus(page(), 'udp_client', 'exited');
    await stop(page(), 'udp_server');
  });

  it('lets the console talk to a running example', async () => {
    const port = await freePort('both');
    await run(page(), 'udp_server', `127.0.0.1 ${port}`);
    await waitForText(page(), output('udp_server'), 'listening');
    await command(page(), 'bind');
    await waitForText(page(), '.console-out', /UDP socket bound to 127\.0\.0\.1:\d+/);
    const sock = /(\d+)\s*UDP socket bound/.exec(await textOf(page(), '.console-out'))[1];
    // The example's answer comes back to the console's socket; resend if a
    // datagram is lost.
    await retry(async () => {
      await command(page(), `sendto ${sock} 127.0.0.1 ${port} hello example`);
      await waitForText(page(), '.console-out', 'Hello from UDP server!', 1500);
    }, { timeout: 15000, interval: 100, what: 'the example answering the console' });
    await waitForText(page(), output('udp_server'), 'hello example');
    await waitForText(page(), '#sequence .seq-body', /DATAGRAM 22 B/);
    await screenshot(page(), 'playground-overview.png');
    await stop(page(), 'udp_server');
  });
});
