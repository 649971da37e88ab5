// The playground's console, header, sockets table, sequence diagram and wire
// view, against the real gateway and its demo echo services. Each test opens
// its own tab (a fresh browser context, so a fresh session), so any one of
// them runs alone or in any order: `node --test --test-name-pattern=...`.

import { describe, it, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  requireWebRoot, startGatewayAndBrowser, stopAll, openPlayground, command, waitForText, textOf,
  screenshot, getJson, tcpExchange, retry, udpSocket,
} from './helpers.mjs';

// What the echo tests send first: 20 bytes with its newline.
const HELLO = 'hello from the page';

// Socket 1, connected to the demo echo service, with HELLO sent and echoed.
async function connectToEcho(page, gw) {
  await command(page, `connect ${gw.demo.host} ${gw.demo.port}`);
  await waitForText(page, '.console-out', /connected 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+/);
  await command(page, `send 1 ${HELLO}`);
  await page.waitForSelector('.cl-data.data-in');
}

// The gateway grants written bytes back in batches of 4096: the 20 bytes of
// HELLO wait, and 4076 more complete the batch.
async function completeFirstWindow(page) {
  await command(page, `send 1 ${'x'.repeat(4075)}`);
  await waitForText(page, '#sequence .seq-body', /WINDOW \+4096/);
}

describe('playground console', { timeout: 120000 }, () => {
  let gw;
  let browser;
  let tab;

  before(async () => {
    requireWebRoot();
    ({ gw, browser } = await startGatewayAndBrowser());
  });
  after(() => stopAll(browser, gw));

  beforeEach(async () => {
    tab = await openPlayground(browser, gw);
  });

  // Whatever a test did, its page made no request outside the gateway and
  // threw no error.
  afterEach(async () => {
    const { context, external, errors } = tab;
    await context.close();
    assert.deepEqual(external, [], 'no requests outside the gateway');
    assert.deepEqual(errors, [], 'no page errors');
  });

  it('loads on the gateway\'s scheme as an isolated secure page and opens its WebSocket on the matching one', async () => {
    const { page, websockets } = tab;
    const scheme = new URL(gw.base).protocol;  // https: in the run with SOCKGATE_BROWSER_TLS=1
    const where = await page.evaluate(() => ({
      protocol: location.protocol, secure: window.isSecureContext, isolated: window.crossOriginIsolated,
    }));
    assert.equal(where.protocol, scheme);
    assert.equal(where.secure, true);
    // The Python worker needs SharedArrayBuffer, which needs isolation.
    assert.equal(where.isolated, true);
    assert.ok(websockets.length > 0, 'the page opened a WebSocket');
    const wsScheme = scheme === 'https:' ? 'wss:' : 'ws:';
    for (const url of websockets) assert.equal(new URL(url).protocol, wsScheme, url);
  });

  it('shows the gateway, the session and the policy in the header', async () => {
    const { page } = tab;
    const info = await getJson(gw, 'api/info');
    const header = await textOf(page, '#topbar');
    assert.match(header, /Connected/);
    assert.ok(header.includes(info.version), `version ${info.version} in header: ${header}`);
    assert.ok(header.includes('sockgate.v1'), 'protocol version shown');
    const session = await page.evaluate(() => window.sockgatePlayground.state.session.info.session);
    assert.ok(header.includes(session), 'session id shown');
    // The policy in words (the default loopback rules are "this
    // computer"), and as /api/info's summary lines after a click on CIDR.
    assert.match(header, /May connect and send to\s*this computer, any port/);
    assert.match(header, /May listen and bind on\s*this computer, ports 1024–65535/);
    assert.doesNotMatch(header, /127\.0\.0\.0\/8/);
    await page.click('.policy-toggle');
    const rules = await textOf(page, '.policy');
    for (const line of info.policy.summary) {
      const rule = line.replace(/^(connect\/send to|listen\/bind on)\s+/, '');
      assert.ok(rules.includes(rule), `rule "${rule}" shown on request: ${rules}`);
    }
    assert.equal(await page.getAttribute('.policy-toggle', 'aria-pressed'), 'true');
    assert.ok(header.includes(`${gw.demo.host}:${gw.demo.port}`), 'demo echo address shown');
  });

  it('connects to the demo echo service and shows the echo', async () => {
    const { page } = tab;
    // Once as sent (▸) and once as echoed (◂), with the \n escape visible.
    await connectToEcho(page, gw);
    const echoed = await textOf(page, '.cl-data.data-in');
    assert.match(echoed, /hello from the page\\n/);

    // The sockets table has the connection with its byte counts.
    await waitForText(page, '#sockets tbody', /tcp/);
    const row = await textOf(page, '#sockets tr[data-sock="1"]');
    assert.match(row, /127\.0\.0\.1:\d+/);
    assert.ok(row.includes(`${gw.demo.host}:${gw.demo.port}`), `remote in row: ${row}`);
    await waitForText(page, '#sockets tr[data-sock="1"]', /20 B[\s\S]*20 B/);
    assert.match(row, /open/);
  });

  it('draws the exchange in the sequence diagram', async () => {
    const { page } = tab;
    await connectToEcho(page, gw);
    await completeFirstWindow(page);
    const seq = await textOf(page, '#sequence .seq-body');
    assert.ok(seq.includes(`connect ${gw.demo.host}:${gw.demo.port}`), `connect arrow: ${seq}`);
    assert.match(seq, /ok · \[1\]/);
    assert.match(seq, /\[1\] DATA 20 B/);
    assert.match(seq, /\[1\] DATA 4076 B/);
    assert.doesNotMatch(seq, /WINDOW \+20\b/, 'the first 20 bytes were granted on their own');
    assert.match(seq, /"hello from the/);
    // Arrows are SVG: every row has lifelines and an arrow line.
    const arrows = await page.$$eval('#sequence .seq-row .seq-arrow', (els) => els.length);
    assert.ok(arrows >= 6, `arrows drawn: ${arrows}`);
    // The newest row is at the bottom.
    const last = await page.$eval('#sequence .seq-body .seq-row:last-child', (el) => el.textContent);
    assert.match(last, /DATA|WINDOW/);
  });

  it('shows text in any language cut at whole characters in the diagram and the wire view', async () => {
    const { page } = tab;
    await command(page, `connect ${gw.demo.host} ${gw.demo.port}`);
    await waitForText(page, '.console-out', /connected 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+/);
    // 22 characters of 3 bytes: the 64-byte preview ends inside the 22nd,
    // and every shorter cut (32, 14, 8 bytes) falls inside one too.
    const sentence = '你好世界这是一个测试句子用来检查预览是否正确';
    assert.equal(new TextEncoder().encode(sentence).length, 66);
    await command(page, `send 1 ${sentence}`);
    await waitForText(page, '.cl-data.data-in', '你好世界');
    await waitForText(page, '#sequence .seq-body', /DATA 6\d B/);
    const labels = await textOf(page, '#sequence .seq-body');
    const titles = await page.$$eval('#sequence .seq-row svg title', (els) => els.map((e) => e.textContent).join('\n'));
    const seq = `${labels}\n${titles}`;
    const wire = await textOf(page, '#wire .wire-list');
    for (const [view, text] of [['sequence diagram', seq], ['wire view', wire]]) {
      assert.ok(text.includes('你好世界'), `${view} shows the text: ${text.slice(-400)}`);
      assert.doesNotMatch(text, /\\x[0-9a-f]{2}/, `${view} shows no byte escapes`);
    }
    // The longest preview (64 bytes) shows 21 whole characters, then "…".
    assert.ok(seq.includes(`"${[...sentence].slice(0, 21).join('')}…"`), `64-byte preview in: ${seq.slice(-600)}`);
  });

  it('lists the protocol messages in the wire view, with a socket filter and pause', async () => {
    const { page } = tab;
    await connectToEcho(page, gw);
    await completeFirstWindow(page);
    const wire = await textOf(page, '#wire .wire-list');
    assert.match(wire, /"op":"connect"/);
    assert.match(wire, /C→G/);
    assert.match(wire, /G→C/);
    assert.match(wire, /DATA/);
    assert.match(wire, /68 65 6c 6c 6f/); // hex preview of "hello"
    assert.match(wire, /WINDOW/);
    assert.match(wire, /"op":"hello"/);

    // Filter to socket 1: the hello exchange (no socket) disappears.
    await page.selectOption('#wire select', '1');
    const visible = await page.$$eval('#wire .wire-row', (rows) => rows.filter((r) => !r.hidden).map((r) => r.dataset.sock));
    assert.ok(visible.length > 0 && visible.every((s) => s === '1'), `only socket 1 rows: ${visible}`);
    await page.selectOption('#wire select', 'all');

    // Pretty JSON spreads a message over lines.
    await page.click('#wire button:has-text("Pretty JSON")');
    const pretty = await page.$eval('#wire .wire-list', (el) => el.classList.contains('pretty'));
    assert.ok(pretty);
    await page.click('#wire button:has-text("Pretty JSON")');

    // Paused: new messages wait, then appear on resume.
    await page.click('#wire button:has-text("Pause")');
    const before = await page.$$eval('#wire .wire-row', (rows) => rows.length);
    await command(page, 'send 1 x');
    await waitForText(page, '#wire .wire-status', /paused, \d+ waiting/);
    assert.equal(await page.$$eval('#wire .wire-row', (rows) => rows.length), before);
    await page.click('#wire button:has-text("Resume")');
    const afterResume = await page.$$eval('#wire .wire-row', (rows) => rows.length);
    assert.ok(afterResume > before, 'buffered messages shown after resume');
  });

  it('shows incoming data as hex on request, and keeps command history', async () => {
    const { page } = tab;
    await connectToEcho(page, gw);
    await command(page, 'send 1 x');
    await page.click('#console .seg-btn:has-text("hex")');
    const hex = await textOf(page, '.cl-data.data-in');
    assert.match(hex, /68 65 6c 6c 6f/);
    await page.click('#console .seg-btn:has-text("text")');

    await page.focus('.console-input');
    await page.keyboard.press('ArrowUp');
    assert.equal(await page.inputValue('.console-input'), 'send 1 x');
    await page.keyboard.press('ArrowUp');
    assert.equal(await page.inputValue('.console-input'), `send 1 ${HELLO}`);
    await page.keyboard.press('ArrowUp');
    assert.equal(await page.inputValue('.console-input'), `connect ${gw.demo.host} ${gw.demo.port}`);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.inputValue('.console-input'), '');
  });

  it('sends with the chosen line ending and as hex', async () => {
    const { page } = tab;
    await connectToEcho(page, gw);
    await page.selectOption('#console .ending select', 'crlf');
    await command(page, 'send 1 crlf');
    await waitForText(page, '.console-out', 'crlf\\r\\n');
    await page.selectOption('#console .ending select', 'none');
    await command(page, 'sendhex 1 41 42 00 ff');
    await waitForText(page, '.console-out', 'AB\\0\\xff');
  });

  it('listens, accepts a native client, and shuts down and closes', async () => {
    const { page } = tab;
    await connectToEcho(page, gw);
    await command(page, 'listen 0');
    await waitForText(page, '.console-out', /listening on 127\.0\.0\.1:\d+/);
    const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(await textOf(page, '.console-out'))[1]);
    const answer = tcpExchange(port, 'native says hi\n', { until: 'page says hi' });
    await waitForText(page, '.console-out', /accepted on listener/);
    const accepted = Number(/(\d+)\s*accepted on listener/.exec(await textOf(page, '.console-out'))[1]);
    await waitForText(page, '.console-out', 'native says hi\\n');
    await command(page, `send ${accepted} page says hi`);
    assert.match(await answer, /page says hi/);
    await waitForText(page, '#sockets', 'listen');

    await command(page, `shutdown 1`);
    await waitForText(page, '.console-out', /shut down for sending/);
    await command(page, `close 1`);
    await waitForText(page, '.console-out', /\b1\s*closed\./);
    await command(page, 'close 99');
    await waitForText(page, '.console-out', 'EBADF');
    const seq = await textOf(page, '#sequence .seq-body');
    assert.match(seq, /accept on \[\d+\]/);
    assert.match(seq, /shutdown/);
    assert.match(seq, /FIN/);
  });

  it('binds a UDP socket and exchanges datagrams', async () => {
    const { page } = tab;
    const peer = await udpSocket();
    try {
      await command(page, 'bind');
      await waitForText(page, '.console-out', /UDP socket bound to 127\.0\.0\.1:\d+/);
      const out = await textOf(page, '.console-out');
      const [, sock, port] = /(\d+)\s*UDP socket bound to 127\.0\.0\.1:(\d+)/.exec(out);
      await command(page, `sendto ${sock} 127.0.0.1 ${peer.port} ping from page`);
      await retry(async () => { if (!peer.messages.some((m) => m.text === 'ping from page\n')) throw new Error('no datagram yet'); }, { what: 'datagram to native peer' });
      await peer.send('pong from native', Number(port));
      await waitForText(page, '.console-out', /from 127\.0\.0\.1:\d+\s*pong from native/);
      const seq = await textOf(page, '#sequence .seq-body');
      assert.match(seq, /DATAGRAM 15 B/);
      await waitForText(page, `#sockets tr[data-sock="${sock}"]`, /udp[\s\S]*1 dg/);
    } finally {
      await peer.close();
    }
  });

  it('explains usage mistakes without talking to the gateway', async () => {
    const { page } = tab;
    await command(page, 'connect 127.0.0.1');
    await waitForText(page, '.console-out', 'connect HOST PORT');
    await command(page, 'frobnicate');
    await waitForText(page, '.console-out', 'unknown command');
    await command(page, 'help');
    await waitForText(page, '.console-out', 'sendto SOCK HOST PORT TEXT');
  });

  it('takes a screenshot mid-run', async () => {
    const { page } = tab;
    await connectToEcho(page, gw);
    await completeFirstWindow(page);
    const file = await screenshot(page, 'playground-console.png');
    // A PNG was written: its signature, and more than the signature.
    const png = readFileSync(file);
    assert.ok(png.length > 8 && png.subarray(1, 4).toString('latin1') === 'PNG', `${file} is not a PNG`);
  });

  it('disconnects and reconnects', async () => {
    const { page } = tab;
    // Two sockets in the first session.
    await connectToEcho(page, gw);
    await command(page, 'bind');
    await waitForText(page, '.console-out', /2\s*UDP socket bound/);
    await page.click('.conn-action');
    await page.waitForSelector('.conn[data-state="disconnected"]');
    await waitForText(page, '.console-out', 'Disconnected');
    await page.click('.conn-action');
    await page.waitForSelector('.conn[data-state="connected"]');
    await command(page, 'clear');
    await command(page, `connect ${gw.demo.host} ${gw.demo.port}`);
    // A new session numbers its sockets from 1 again.
    await waitForText(page, '.console-out', /1\s*connected/);
  });
});

describe('a denied destination', { timeout: 60000 }, () => {
  let gw;
  let browser;

  before(async () => {
    requireWebRoot();
    ({ gw, browser } = await startGatewayAndBrowser(['--allow', 'tcp:127.0.0.1/32:1-1000']));
  });
  after(() => stopAll(browser, gw));

  it('says which rules denied it and how to allow it', async () => {
    const { page, external } = await openPlayground(browser, gw);
    // In words, and as the rule on request.
    assert.match(await textOf(page, '.policy-reach'), /this computer, ports 1–1000 \(TCP only\)/);
    await page.click('.policy-toggle');
    assert.match(await textOf(page, '.policy-reach'), /127\.0\.0\.1\/32/);

    await command(page, `connect 127.0.0.1 ${gw.demo.port}`);
    await page.waitForSelector('.callout-denied');
    const callout = await textOf(page, '.callout-denied');
    assert.match(callout, /EACCES/);
    assert.match(callout, /Denied by the gateway’s policy/);
    assert.ok(callout.includes(`tcp to 127.0.0.1:${gw.demo.port}`), callout);
    assert.ok(callout.includes('tcp:127.0.0.1/32:1-1000'), 'current rule named');
    const flag = await textOf(page, '.callout-denied .flag');
    assert.equal(flag, `--allow tcp:127.0.0.1/32:${gw.demo.port}`);
    const full = await textOf(page, '.callout-denied .full');
    assert.equal(full, `sockgate --allow tcp:127.0.0.1/32:1-1000 --allow tcp:127.0.0.1/32:${gw.demo.port}`);

    // Listening below 1024 is outside the default bind rules.
    await command(page, 'listen 80');
    await page.waitForFunction(() => document.querySelectorAll('.callout-denied').length === 2);
    const flags = await page.$$eval('.callout-denied .flag', (els) => els.map((e) => e.textContent));
    assert.equal(flags[1], '--bind-allow 127.0.0.1/32:80');

    // The denial shows up in the diagram and the wire view too.
    await waitForText(page, '#sequence .seq-body', '✕ EACCES');
    await waitForText(page, '#wire .wire-list', '"code":"EACCES"');
    await screenshot(page, 'playground-denied.png');
    assert.deepEqual(external, []);
  });
});
