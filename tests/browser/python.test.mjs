// Python programs in the page's editor, run by CPython in a Web Worker
// against the real gateway, talking to native peers in this test and to
// each other: the TCP server example typed into the editor answers a
// native client in Chinese, the UDP server answers a native datagram, the
// TCP server and client examples talk, input() reads the stdin line, Stop
// frees a port within a second and interrupts a busy loop, a denied bind
// gets the policy callout, a traceback links to its line, and a share link
// opens code without running it.
//
// Every program gets a free port through the args field (the examples read
// sys.argv[1]), so the tests do not depend on 12345 or 54321 being free.

import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  repo, webRoot, artifacts, requireWebRoot, startGatewayAndBrowser, stopAll, openPlayground, command, waitForText, textOf, screenshot,
  tcpExchange, tcpServer, udpSocket, retry, portIsFree, getJson, freePort,
} from './helpers.mjs';
import { waitFor } from '../support/wait.mjs';

const example = (name) => readFileSync(path.join(repo, 'examples', 'python', `${name}.py`), 'utf8');
const output = (name) => `.py-output[data-program="${name}"]`;
const CHINESE = '你好，世界 🌏';

function requirePython() {
  requireWebRoot({ examples: true });
  const need = ['python-worker.js', 'pyodide/pyodide.mjs', 'examples/python/index.json', 'examples/python/tcp_server.py'];
  const missing = need.filter((f) => !existsSync(path.join(webRoot, f)));
  if (missing.length) throw new Error(`the web root ${webRoot} has no Python (missing ${missing.join(', ')}); run scripts/build-web.sh`);
}

async function select(page, name) {
  await page.click(`.py-tab[data-program="${name}"]`);
  await page.waitForSelector(`.py-tab[data-program="${name}"][aria-selected="true"]`);
  // The editor shows the program once its source has loaded.
  await page.waitForFunction(() => !window.sockgatePlayground.python.editor.text.startsWith('# loading'));
}

/** Replaces the editor's text the way a learner pastes: select all, insert. */
async function setCode(page, text) {
  await page.click('.py-editor .cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
  assert.equal(await page.evaluate(() => window.sockgatePlayground.python.editor.text), text);
}

async function status(page, name) {
  return page.getAttribute(`.py-tab[data-program="${name}"]`, 'data-status');
}

async function waitStatus(page, name, wanted, timeout = 20000) {
  const list = Array.isArray(wanted) ? wanted : [wanted];
  try {
    await page.waitForFunction(([n, l]) => l.includes(document.querySelector(`.py-tab[data-program="${n}"]`)?.dataset.status),
      [name, list], { timeout, polling: 50 });
  } catch {
    throw new Error(`${name} is ${await status(page, name)}, not ${list.join('/')}; output:\n${await textOf(page, output(name))}`);
  }
}

/** Selects a program, sets its arguments and presses Run; resolves when it runs (or has ended). */
async function run(page, name, args = '') {
  await select(page, name);
  await page.fill('.py-args', args);
  await page.click('.py-run');
  // Each run needs an interpreter of its own; loading one takes a few
  // seconds, more on a busy machine.
  await waitStatus(page, name, ['running', 'exited', 'stopped', 'failed'], 60000);
}

async function stop(page, name) {
  await select(page, name);
  await page.click('.py-stop');
  await waitStatus(page, name, 'stopped');
}

/** The lines of a program's output pane, as text. */
async function lines(page, name) {
  return page.$$eval(`${output(name)} .pl`, (els) => els.map((e) => e.textContent));
}

/** Makes the views follow the session whose picker entry starts with label. */
async function follow(page, label) {
  const value = await page.$eval('#sockets .session-select', (sel, l) => [...sel.options].find((o) => o.textContent.startsWith(l))?.value, label);
  assert.ok(value, `the session picker lists ${label}`);
  await page.selectOption('#sockets .session-select', value);
}

async function shown(page) {
  return page.$eval('#sockets .session-select', (sel) => sel.selectedOptions[0]?.textContent || '');
}

describe('Python in the page', { timeout: 300000 }, () => {
  let gw;
  let browser;
  let tab;
  const page = () => tab.page;

  before(async () => {
    requirePython();
    ({ gw, browser } = await startGatewayAndBrowser());
    tab = await openPlayground(browser, gw);
    await page().waitForSelector('.py-tab[data-program="tcp_server"]');
    await page().waitForSelector('.py-engine[data-state="ready"]', { timeout: 60000 });
  });
  after(() => stopAll(browser, gw));

  // The tests share one tab (loading it is the slow part) but no state: each
  // picks its own program and ports. What each test did made no request
  // outside the gateway and raised no page error.
  afterEach(() => {
    assert.deepEqual(tab.external, [], 'no requests outside the gateway');
    assert.deepEqual(tab.errors, [], 'no page errors');
  });

  it('lists the Python examples and highlights their source', async () => {
    const names = await page().$$eval('.py-tab', (tabs) => tabs.map((t) => t.dataset.program));
    for (const n of ['main', 'tcp_server', 'tcp_client', 'udp_server', 'udp_client', 'http_server', 'http_client', 'chat_server', 'port_scan', 'asyncio_echo']) {
      assert.ok(names.includes(n), `${n} listed`);
    }
    await select(page(), 'tcp_server');
    assert.equal(await page().evaluate(() => window.sockgatePlayground.python.editor.text), example('tcp_server'));
    const spans = await page().$$eval('.py-editor .cm-content span', (els) => els.length);
    assert.ok(spans > 10, `highlighted tokens: ${spans}`);
    assert.equal(await page().getAttribute('.py-args', 'placeholder'), '[port]');
  });

  it('runs the TCP server pasted into the editor; a native client talks Chinese to it', async () => {
    const port = await freePort('both');
    await select(page(), 'main');
    await setCode(page(), example('tcp_server'));
    await run(page(), 'main', String(port));
    await waitForText(page(), output('main'), `Listening on 127.0.0.1:${port}`);
    assert.equal(await portIsFree(port, 'tcp'), false, 'the gateway listens for the program');

    // The views follow the new run.
    assert.match(await shown(page()), /^Your code · Python/);
    await waitForText(page(), '#sockets tbody', new RegExp(`listen\\s+127\\.0\\.0\\.1:${port}`));

    // A native client stays connected until the table has shown its connection.
    const client = net.connect({ host: '127.0.0.1', port });
    let reply = '';
    const answered = new Promise((resolve, reject) => {
      client.on('data', (d) => { reply += d.toString('utf8'); if (reply.includes(CHINESE)) resolve(); });
      client.on('error', reject);
    });
    await new Promise((resolve) => client.on('connect', resolve));
    const clientPort = client.localPort;
    client.write(CHINESE);
    await answered;
    assert.equal(reply, `Hello from server! You sent: ${CHINESE}`);
    await waitForText(page(), output('main'), `Received: ${CHINESE}`);
    assert.ok((await lines(page(), 'main')).includes(`Received: ${CHINESE}`), 'the output line is exactly the text sent');
    assert.ok((await lines(page(), 'main')).includes(`Connected by 127.0.0.1:${clientPort}`));
    client.destroy();

    // The sockets view lists the listener and the accepted connection with
    // its bytes (20 in: the UTF-8 of the text; 49 out: the reply).
    const bytesIn = Buffer.byteLength(CHINESE);
    const bytesOut = Buffer.byteLength(reply);
    await waitForText(page(), '#sockets tbody', new RegExp(`tcp\\s+127\\.0\\.0\\.1:${port}\\s+127\\.0\\.0\\.1:${clientPort}[\\s\\S]*${bytesIn} B\\s+${bytesOut} B`));
    await waitForText(page(), '#sequence .seq-body', /accept on \[1\]/);
    await waitForText(page(), '#wire .wire-list', `"op":"listen"`);

    // Another session, then back: the views are rebuilt from the run's history.
    await follow(page(), 'console');
    await waitForText(page(), '#wire .wire-subject', 'console');
    assert.ok(!(await textOf(page(), '#sockets tbody')).includes(String(port)), 'the console has no such socket');
    assert.ok(!(await textOf(page(), '#sequence .seq-body')).includes(`listen 127.0.0.1:${port}`));
    await follow(page(), 'Your code');
    await waitForText(page(), '#sockets tbody', new RegExp(`listen\\s+127\\.0\\.0\\.1:${port}`));
    await waitForText(page(), '#sequence .seq-body', `listen 127.0.0.1:${port}`);
    await waitForText(page(), '#sequence .seq-body', `from 127.0.0.1:${clientPort}`);
    await waitForText(page(), '#wire .wire-list', `"op":"accept"`);

    // Chinese output, drawn with the page's fonts.
    await screenshot(page(), 'python-chinese.png');
    await page().locator(output('main')).screenshot({ path: path.join(artifacts, 'python-chinese-output.png') });

    // The server serves client after client until stopped.
    const again = await tcpExchange(port, 'again', { until: 'again' });
    assert.equal(again, 'Hello from server! You sent: again');
    await stop(page(), 'main');
    assert.equal(await textOf(page(), '.py-status'), 'stopped by you');
  });

  it('runs the UDP server; a native datagram peer gets its answer', async () => {
    const port = await freePort('both');
    await run(page(), 'udp_server', String(port));
    await waitForText(page(), output('udp_server'), `UDP server listening on 127.0.0.1:${port}`);
    const peer = await udpSocket();
    try {
      // UDP may lose a datagram: send again until the answer comes.
      await retry(async () => {
        if (!peer.messages.length) await peer.send(`ping ${CHINESE}`, port);
        await waitForText(page(), output('udp_server'), `From 127.0.0.1:${peer.port}: ping ${CHINESE}`, 1000);
        if (!peer.messages.length) throw new Error('no answer yet');
      }, { timeout: 20000, interval: 50, what: 'answer from the page\'s UDP server' });
      assert.equal(peer.messages[0].text, 'Hello from UDP server!');
      assert.equal(peer.messages[0].from.port, port);
    } finally {
      await peer.close();
    }
    assert.match(await shown(page()), /^UDP server · Python/);
    await waitForText(page(), '#sockets tbody', new RegExp(`udp\\s+127\\.0\\.0\\.1:${port}[\\s\\S]*\\d+ dg[\\s\\S]*\\d+ dg`));
    await stop(page(), 'udp_server');
  });

  it('runs the TCP server and the TCP client examples at once; they talk', async () => {
    const port = await freePort('both');
    await run(page(), 'tcp_server', String(port));
    await waitForText(page(), output('tcp_server'), `Listening on 127.0.0.1:${port}`);
    // The example's hint, with the port of this run.
    await page().waitForSelector('.py-hint:not([hidden])');
    assert.match(await textOf(page(), '.py-hint'), new RegExp(`nc localhost ${port}`));
    await run(page(), 'tcp_client', String(port));
    await waitStatus(page(), 'tcp_client', 'exited');
    assert.ok((await lines(page(), 'tcp_client')).includes('Received: Hello from server! You sent: Hello from client!'),
      await textOf(page(), output('tcp_client')));
    assert.equal(await textOf(page(), '.py-status'), 'exited with status 0');
    await waitForText(page(), output('tcp_server'), 'Received: Hello from client!');
    assert.equal(await status(page(), 'tcp_server'), 'running');
    // Both runs are in the picker; the views follow the newest.
    const options = await page().$$eval('#sockets .session-select option', (os) => os.map((o) => o.textContent));
    assert.ok(options.some((o) => o.startsWith('TCP server · Python')), options.join(' | '));
    assert.ok(options.some((o) => o.startsWith('TCP client · Python')), options.join(' | '));
    assert.match(await shown(page()), /^TCP client · Python/);
    await waitForText(page(), '#sockets tbody', new RegExp(`tcp\\s+127\\.0\\.0\\.1:\\d+\\s+127\\.0\\.0\\.1:${port}`));
    await stop(page(), 'tcp_server');
  });

  it('runs the HTTP server and client examples, the chat server, the port scanner and the asyncio echo server', async () => {
    // http.server answers urllib.request in the page and fetch() here.
    const httpPort = await freePort('both');
    await run(page(), 'http_server', String(httpPort));
    await waitForText(page(), output('http_server'), `Serving HTTP on http://127.0.0.1:${httpPort}/`);
    const res = await fetch(`http://127.0.0.1:${httpPort}/from-node`);
    assert.equal(await res.text(), "Hello from Python's http.server! You asked for /from-node\n");
    await run(page(), 'http_client', String(httpPort));
    await waitStatus(page(), 'http_client', 'exited');
    const client = await lines(page(), 'http_client');
    assert.ok(client.includes(`GET http://localhost:${httpPort}/hello -> 200 OK`), client.join('\n'));
    assert.ok(client.includes("Hello from Python's http.server! You asked for /hello"), client.join('\n'));
    await waitForText(page(), output('http_server'), '"GET /hello HTTP/1.1" 200');
    await stop(page(), 'http_server');

    // The chat server passes a line from one native client to the other.
    const chatPort = await freePort('both');
    await run(page(), 'chat_server', String(chatPort));
    await waitForText(page(), output('chat_server'), `Chat server on 127.0.0.1:${chatPort}`);
    const connect = () => new Promise((resolve, reject) => {
      const sock = net.connect({ host: '127.0.0.1', port: chatPort });
      sock.got = '';
      sock.on('data', (d) => { sock.got += d.toString('utf8'); });
      sock.once('error', reject);
      sock.once('connect', () => resolve(sock));
    });
    const alice = await connect();
    const bob = await connect();
    try {
      await retry(async () => { if (!bob.got.includes('Welcome') || !alice.got.includes('joined')) throw new Error(`${alice.got} | ${bob.got}`); }, { what: 'both clients welcomed' });
      alice.write(`${CHINESE}\n`);
      await retry(async () => { if (!bob.got.includes(`: ${CHINESE}\n`)) throw new Error(bob.got); }, { what: 'the line reaching the other client' });
    } finally {
      alice.destroy();
      bob.destroy();
    }
    await waitForText(page(), output('chat_server'), `: ${CHINESE}`);
    await stop(page(), 'chat_server');

    // The port scanner finds a native server among a few ports.
    const openPort = await freePort('both');
    const native = await tcpServer(openPort, 'hi');
    try {
      await run(page(), 'port_scan', `${openPort - 1} ${openPort + 1}`);
      await waitStatus(page(), 'port_scan', 'exited', 60000);
      const out = await lines(page(), 'port_scan');
      assert.ok(out.includes(`  port ${openPort}: open`), out.join('\n'));
    } finally {
      await native.close();
    }

    // asyncio echoes each line.
    const echoPort = await freePort('both');
    await run(page(), 'asyncio_echo', String(echoPort));
    await waitForText(page(), output('asyncio_echo'), `Echo server on 127.0.0.1:${echoPort}`);
    assert.equal(await tcpExchange(echoPort, `${CHINESE}\n`, { until: '\n' }), `${CHINESE}\n`);
    await stop(page(), 'asyncio_echo');
  });

  it('reads input() from the stdin line', async () => {
    await select(page(), 'main');
    await setCode(page(), 'name = input("name? ")\nprint(f"Hello, {name}!")\n');
    await run(page(), 'main');
    await page().waitForSelector('.py-stdin[data-waiting="true"]');
    assert.equal(await page().isEnabled('.py-stdin-input'), true);
    assert.equal(await textOf(page(), '.py-status'), 'waiting for input');
    await waitForText(page(), output('main'), 'name? ');
    await page().fill('.py-stdin-input', 'Ada 李');
    await page().press('.py-stdin-input', 'Enter');
    await waitStatus(page(), 'main', 'exited');
    const out = await lines(page(), 'main');
    assert.ok(out.includes('name? Ada 李'), out.join('\n'));
    assert.ok(out.includes('Hello, Ada 李!'), out.join('\n'));
    assert.equal(await textOf(page(), '.py-status'), 'exited with status 0');
    assert.equal(await page().getAttribute('.py-stdin', 'data-waiting'), 'false');
    assert.equal(await page().isEnabled('.py-stdin-input'), false);
  });

  it('Stop frees a port held by a blocked accept() within a second', async (t) => {
    const port = await freePort('both');
    await select(page(), 'main');
    await setCode(page(), [
      'import socket, sys',
      'server = socket.socket()',
      'server.bind(("127.0.0.1", int(sys.argv[1])))',
      'server.listen()',
      'print("waiting in accept()")',
      'server.accept()',
      '',
    ].join('\n'));
    await run(page(), 'main', String(port));
    await waitForText(page(), output('main'), 'waiting in accept()');
    assert.equal(await portIsFree(port, 'tcp'), false);
    const started = Date.now();
    await page().click('.py-stop');
    // Polls the port itself: the measure is when a native server can have it.
    const native = await waitFor(() => tcpServer(port, 'mine now').catch(() => null), `port ${port} to be free`)
      .catch(() => null);
    const elapsed = Date.now() - started;
    assert.ok(native, 'a native server could bind the port after Stop');
    await native.close();
    t.diagnostic(`port free ${elapsed} ms after Stop`);
    assert.ok(elapsed < 1000, `the port was free ${elapsed} ms after Stop`);
    await waitStatus(page(), 'main', 'stopped');
    await waitForText(page(), output('main'), 'KeyboardInterrupt');
    await waitForText(page(), output('main'), 'stopped by you');
    assert.equal(await textOf(page(), '.py-status'), 'stopped by you');
  });

  it('Stop interrupts a busy loop, and the next Run works', async () => {
    await select(page(), 'main');
    await setCode(page(), 'print("spinning")\nwhile True:\n    pass\n');
    // The keyboard, from the editor: Ctrl+Enter runs, Ctrl+. stops.
    await page().keyboard.press('Control+Enter');
    await waitStatus(page(), 'main', 'running', 60000);
    await waitForText(page(), output('main'), 'spinning');
    assert.equal(await page().evaluate(() => window.sockgatePlayground.python.editor.text), 'print("spinning")\nwhile True:\n    pass\n',
      'Ctrl+Enter ran the program and left the text alone');
    await page().keyboard.press('Control+.');
    await waitStatus(page(), 'main', 'stopped', 5000);
    await waitForText(page(), output('main'), 'KeyboardInterrupt');
    await waitForText(page(), output('main'), 'stopped by you');

    await setCode(page(), 'print("after the loop")\n');
    await run(page(), 'main');
    await waitStatus(page(), 'main', 'exited');
    assert.ok((await lines(page(), 'main')).includes('after the loop'));
    assert.equal(await textOf(page(), '.py-status'), 'exited with status 0');
  });

  it('links traceback lines to the editor', async () => {
    await select(page(), 'main');
    await setCode(page(), 'def f():\n    raise ValueError("boom")\n\nf()\n');
    await run(page(), 'main');
    await waitStatus(page(), 'main', 'exited');
    assert.equal(await textOf(page(), '.py-status'), 'exited with status 1');
    const links = await page().$$eval(`${output('main')} .tb-link`, (els) => els.map((e) => e.textContent));
    assert.deepEqual(links, ['File "main.py", line 4', 'File "main.py", line 2']);
    await page().click(`${output('main')} .tb-link >> nth=1`);
    await page().waitForFunction(() => window.sockgatePlayground.python.editor.cursorLine === 2);
    // stderr is styled apart from stdout.
    assert.ok(await page().$(`${output('main')} .ps-err`));
  });

  it('says who holds a port a program cannot bind, as the console does', async () => {
    const port = await freePort('tcp');
    await command(page(), `listen 127.0.0.1 ${port}`);
    await waitForText(page(), '.console-out', new RegExp(`listening on 127\\.0\\.0\\.1:${port}`));
    const held = await page().evaluate((p) => window.sockgatePlayground.state.session.sockets().find((s) => s.local?.port === p)?.id, port);
    try {
      await select(page(), 'main');
      await setCode(page(), `import socket\ns = socket.socket()\ns.bind(("127.0.0.1", ${port}))\n`);
      await run(page(), 'main');
      await waitStatus(page(), 'main', 'exited');
      await waitForText(page(), output('main'), 'Address already in use');
      const callout = `${output('main')} .callout-error[data-code="EADDRINUSE"]`;
      await page().waitForSelector(callout);
      const text = await textOf(page(), callout);
      assert.ok(text.includes(`the console's listener [${held}] (close ${held} frees it)`), text);
    } finally {
      await command(page(), `close ${held}`);
    }
  });

  it('explains a denied bind with the policy callout', async () => {
    await select(page(), 'main');
    await setCode(page(), 'import socket\ns = socket.socket()\ns.bind(("127.0.0.1", 80))\n');
    await run(page(), 'main');
    await waitStatus(page(), 'main', 'exited');
    await waitForText(page(), output('main'), 'PermissionError');
    await page().waitForSelector(`${output('main')} .callout-denied`);
    const callout = await textOf(page(), `${output('main')} .callout-denied`);
    assert.match(callout, /EACCES/);
    assert.match(callout, /Denied by the gateway’s policy/);
    assert.equal(await textOf(page(), `${output('main')} .callout-denied .flag`), '--bind-allow 127.0.0.1/32:80');

    // The next Run works.
    await setCode(page(), 'print("fine")\n');
    await run(page(), 'main');
    await waitStatus(page(), 'main', 'exited');
    assert.ok(!(await page().$(`${output('main')} .callout-denied`)), 'a new run starts with a clean pane');
  });

  it('shares the code as a #py= link', async () => {
    await select(page(), 'udp_client');
    await page().fill('.py-args', '4000');
    await page().click('.py-share');
    await page().waitForSelector('.py-sharebox:not([hidden])');
    const link = await page().inputValue('.py-share-link');
    const hash = new URL(link).hash;
    const m = /^#py=([A-Za-z0-9_-]+)&args=4000$/.exec(hash);
    assert.ok(m, hash);
    assert.equal(Buffer.from(m[1], 'base64url').toString('utf8'), example('udp_client'));
    assert.equal(new URL(await page().url()).hash, hash, 'the address bar shows the link');
  });
});

describe('the views follow a C++ example run', { timeout: 120000 }, () => {
  let gw;
  let browser;

  before(async () => {
    requirePython();
    ({ gw, browser } = await startGatewayAndBrowser());
  });
  after(() => stopAll(browser, gw));

  it('lists its listener and connection, recorded from its WebSocket', async () => {
    const { page, errors } = await openPlayground(browser, gw);
    await page.waitForSelector('.ex-tab[data-example="tcp_server"]');
    await page.click('.ex-tab[data-example="tcp_server"]');
    const port = await freePort('both');
    await page.fill('.ex-args', `127.0.0.1 ${port}`);
    await page.click('.btn-run');
    await waitForText(page, '.ex-output[data-example="tcp_server"]', 'listening');
    assert.match(await shown(page), /^TCP server · C\+\+/);
    const reply = await retry(() => tcpExchange(port, CHINESE, { until: 'Hello from server!' }), { what: 'the C++ server answering' });
    assert.match(reply, /Hello from server!/);
    const bytes = Buffer.byteLength(CHINESE);
    await waitForText(page, '#sockets tbody', new RegExp(`listen\\s+127\\.0\\.0\\.1:${port}`));
    await waitForText(page, '#sockets tbody', new RegExp(`tcp\\s+127\\.0\\.0\\.1:${port}\\s+127\\.0\\.0\\.1:\\d+[\\s\\S]*${bytes} B\\s+18 B`));
    await waitForText(page, '#sequence .seq-body', `listen 127.0.0.1:${port}`);
    await waitForText(page, '#sequence .seq-body', `DATA ${bytes} B`);
    await waitForText(page, '#wire .wire-list', '"op":"accept"');
    // It served its one client and exited; its session is listed as ended.
    await page.waitForSelector('.ex-tab[data-example="tcp_server"][data-status="exited"]');
    await retry(async () => { if (!(await shown(page)).endsWith('(ended)')) throw new Error(await shown(page)); }, { what: 'the run listed as ended' });
    assert.deepEqual(errors, []);
  });
});

describe('a shared link', { timeout: 120000 }, () => {
  let gw;
  let browser;

  before(async () => {
    requirePython();
    ({ gw, browser } = await startGatewayAndBrowser());
  });
  after(() => stopAll(browser, gw));

  it('opens the code without running it; Run runs it', async () => {
    const source = [
      '# 从链接打开的程序',
      'import socket',
      's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
      's.bind(("127.0.0.1", 0))',
      'print("你好 from a link, bound to port", s.getsockname()[1])',
      '',
    ].join('\n');
    const hash = `#py=${Buffer.from(source, 'utf8').toString('base64url')}&args=a%20b&later=1`;
    const { page, external, errors } = await openPlayground(browser, gw, { query: hash });
    await page.waitForSelector('.py-tab[data-program="shared"][aria-selected="true"]');
    await page.waitForFunction((s) => window.sockgatePlayground.python.editor.text === s, source);
    assert.equal(await page.inputValue('.py-args'), 'a b');
    assert.match(await textOf(page, '.py-notice'), /nothing runs until you press Run/);
    // Everything a run would need is ready, and nothing ran: the program's
    // output is empty and the gateway has one session, the console's.
    await page.waitForSelector('.py-engine[data-state="ready"]', { timeout: 60000 });
    assert.equal(await page.getAttribute('.py-tab[data-program="shared"]', 'data-status'), 'idle');
    assert.deepEqual(await lines(page, 'shared'), ['Output appears here when you run the program.']);
    assert.equal((await getJson(gw, 'healthz')).sessions, 1);
    assert.deepEqual(await page.$$eval('#sockets .session-select option', (os) => os.map((o) => o.textContent)), ['console']);

    await page.click('.py-run');
    await waitStatus(page, 'shared', 'exited', 60000);
    await waitForText(page, output('shared'), /你好 from a link, bound to port \d+/);
    assert.equal(await textOf(page, '.py-status'), 'exited with status 0');
    assert.deepEqual(external, []);
    assert.deepEqual(errors, []);
  });
});

describe('a run the gateway refuses', { timeout: 120000 }, () => {
  let gw;
  let browser;

  before(async () => {
    requirePython();
    // One session: the console's. A run cannot get one of its own.
    ({ gw, browser } = await startGatewayAndBrowser(['--max-sessions', '1']));
  });
  after(() => stopAll(browser, gw));

  it('says why it failed, and the next Run works', async () => {
    const { page, errors } = await openPlayground(browser, gw);
    await page.waitForSelector('.py-engine[data-state="ready"]', { timeout: 60000 });
    await select(page, 'main');
    await setCode(page, 'print("made it")\n');
    await page.click('.py-run');
    await waitStatus(page, 'main', 'failed', 60000);
    assert.match(await textOf(page, '.py-status'), /^failed: \S/);
    await page.waitForSelector(`${output('main')} .callout-error`);
    assert.match(await textOf(page, output('main')), /failed: /);
    assert.ok(await page.isEnabled('.py-run'), 'Run is available again');

    // With the console's session closed there is room for the run's.
    await page.click('.conn-action');
    await page.waitForSelector('.conn[data-state="disconnected"]');
    await retry(async () => { if ((await getJson(gw, 'healthz')).sessions !== 0) throw new Error('console session still open'); }, { what: 'the console session to close' });
    await page.click('.py-run');
    await waitStatus(page, 'main', 'exited', 60000);
    assert.ok((await lines(page, 'main')).includes('made it'));
    assert.equal(await textOf(page, '.py-status'), 'exited with status 0');
    assert.deepEqual(errors, []);
  });
});

describe('a destination the policy denies', { timeout: 120000 }, () => {
  let gw;
  let browser;

  before(async () => {
    requirePython();
    ({ gw, browser } = await startGatewayAndBrowser(['--allow', 'tcp:127.0.0.1/32:1-1000']));
  });
  after(() => stopAll(browser, gw));

  it('shows PermissionError and the callout naming --allow', async () => {
    const { page, errors } = await openPlayground(browser, gw);
    await page.waitForSelector('.py-engine[data-state="ready"]', { timeout: 60000 });
    await select(page, 'tcp_client');
    await page.fill('.py-args', String(gw.demo.port));
    await page.click('.py-run');
    await waitStatus(page, 'tcp_client', 'exited', 60000);
    assert.equal(await textOf(page, '.py-status'), 'exited with status 1');
    await waitForText(page, output('tcp_client'), 'PermissionError');
    await page.waitForSelector(`${output('tcp_client')} .callout-denied`);
    const callout = await textOf(page, `${output('tcp_client')} .callout-denied`);
    assert.ok(callout.includes(`tcp to 127.0.0.1:${gw.demo.port}`), callout);
    assert.ok(callout.includes('tcp:127.0.0.1/32:1-1000'), 'the current rule is named');
    assert.equal(await textOf(page, `${output('tcp_client')} .callout-denied .flag`), `--allow tcp:127.0.0.1/32:${gw.demo.port}`);
    assert.deepEqual(errors, []);
  });
});

describe('the layout with Python', { timeout: 120000 }, () => {
  let gw;
  let browser;

  before(async () => {
    requirePython();
    ({ gw, browser } = await startGatewayAndBrowser());
  });
  after(() => stopAll(browser, gw));

  for (const [width, height] of [[1440, 900], [1024, 768]]) {
    it(`fits ${width}×${height}`, async () => {
      const { page, errors } = await openPlayground(browser, gw, { viewport: { width, height } });
      await page.waitForSelector('.py-engine[data-state="ready"]', { timeout: 60000 });
      const box = (sel) => page.$eval(sel, (el) => { const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; });
      // Nothing sticks out sideways.
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal scrolling');
      // Beside the Python editor in the first screen: the C++ examples when
      // there are three columns, the console when there are two.
      const py = await box('#python');
      const beside = width > 1180 ? '#examples' : '#console';
      const ex = await box(beside);
      assert.ok(py.x < ex.x && Math.abs(py.y - ex.y) < 2, `python ${JSON.stringify(py)} ${beside} ${JSON.stringify(ex)}`);
      assert.ok(py.w >= 420, `python panel ${py.w}px wide`);
      const editor = await box('.py-editor');
      assert.ok(editor.h >= 120, `editor ${editor.h}px high`);
      for (const sel of ['.py-run', '.py-stop', '.py-args', '.py-share']) {
        const b = await box(sel);
        assert.ok(b.x >= py.x && b.x + b.w <= py.x + py.w + 1 && b.y + b.h <= height, `${sel} visible in the first screen: ${JSON.stringify(b)}`);
      }
      // The runbar's controls are on one line.
      const run = await box('.py-run');
      const args = await box('.py-args');
      assert.ok(Math.abs(run.y + run.h / 2 - (args.y + args.h / 2)) < 4, 'Run and args on one line');
      await screenshot(page, `python-layout-${width}.png`);
      assert.deepEqual(errors, []);
    });
  }
});
