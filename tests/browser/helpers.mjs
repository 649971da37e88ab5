// Shared helpers for the browser tests: start the real gateway, drive the
// playground page in Debian's Chromium through playwright-core, and run
// native TCP/UDP peers with Node's net and dgram.
//
// Environment:
//   SOCKGATE_GATEWAY_BIN  gateway binary      (default <repo>/build/gateway/sockgate)
//   SOCKGATE_WEB_ROOT     assembled web root  (default <repo>/build/web)
//   SOCKGATE_ARTIFACTS    screenshots go here (default <repo>/test-artifacts)
//   SOCKGATE_CHROMIUM     browser binary      (default /usr/bin/chromium)
//   SOCKGATE_BROWSER_TLS  1: every gateway serves https:// and wss:// with a
//                         self-signed certificate (one per test file)

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import dgram from 'node:dgram';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { gatewayBin, startGateway as startSharedGateway } from '../support/gateway.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '..', '..');
export const webRoot = process.env.SOCKGATE_WEB_ROOT || path.join(repo, 'build', 'web');
export const artifacts = process.env.SOCKGATE_ARTIFACTS || path.join(repo, 'test-artifacts');
export const chromiumBin = process.env.SOCKGATE_CHROMIUM || '/usr/bin/chromium';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const tlsMode = process.env.SOCKGATE_BROWSER_TLS === '1';

let tlsFiles = null;
/** This process's certificate and key, made with Debian's openssl on first use. */
function testCertificate() {
  if (tlsFiles) return tlsFiles;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sockgate-browser-tls-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-days', '1', '-subj', '/CN=localhost', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  tlsFiles = { cert, key, pem: readFileSync(cert) };
  return tlsFiles;
}

/** Fails early, with a useful message, when the web root is not assembled. */
export function requireWebRoot({ examples = false } = {}) {
  const need = ['index.html', 'app.js', 'app.css', 'wasm/sockgate_client.mjs'];
  if (examples) need.push('examples/index.json');
  const missing = need.filter((f) => !existsSync(path.join(webRoot, f)));
  if (!existsSync(gatewayBin)) missing.unshift(`gateway binary ${gatewayBin}`);
  if (missing.length) {
    throw new Error(`the web root ${webRoot} is incomplete (missing: ${missing.join(', ')}). `
      + 'Build the page with `node web/build.mjs --out DIR`, copy the wasm client and examples in, '
      + 'and point SOCKGATE_WEB_ROOT at it.');
  }
}

/**
 * The gateway of tests/support/gateway.mjs serving `root`, over https and wss
 * in the TLS run. Adds `base`, the page's URL.
 */
export async function startGateway(extra = [], { root = webRoot, port = 0 } = {}) {
  const gw = await startSharedGateway(extra, { webRoot: root, tls: tlsMode ? testCertificate() : null, port });
  return { ...gw, base: gw.httpUrl };
}

export { freePort, portIsFree } from '../support/gateway.mjs';

export async function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumBin,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A gateway with `args` and a browser, for one describe block's before(). */
export async function startGatewayAndBrowser(args = []) {
  const gw = await startGateway(args);
  return { gw, browser: await launchBrowser() };
}

/** Its after(): closes the browser, then stops the gateway; either may be missing. */
export async function stopAll(browser, gw) {
  await browser?.close();
  await gw?.stop();
}

/**
 * Opens the playground of gateway gw in a new page, with a guard that
 * records (and blocks) any request leaving the gateway's origin, and a log
 * of page errors and of the WebSocket URLs the page opened. Waits until the
 * console session is connected.
 */
export async function openPlayground(browser, gw, { viewport = { width: 1440, height: 900 }, connected = true, query = '', mobile = false } = {}) {
  // The test's certificate is self-signed; the page is still a secure
  // context, with the errors only ignored for this context. mobile: a
  // touch screen and the mobile viewport rules, as on a phone.
  const context = await browser.newContext({ viewport, colorScheme: 'light', ignoreHTTPSErrors: tlsMode, hasTouch: mobile, isMobile: mobile });
  const page = await context.newPage();
  const external = [];
  const errors = [];
  const websockets = [];
  const origin = `127.0.0.1:${gw.port}`;
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.host === origin || url.protocol === 'data:' || url.protocol === 'blob:') return route.continue();
    external.push(url.href);
    return route.abort();
  });
  page.on('websocket', (ws) => {
    websockets.push(ws.url());
    if (new URL(ws.url()).host !== origin) external.push(ws.url());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${gw.base}${query}`);
  if (connected) await page.waitForSelector('.conn[data-state="connected"]', { timeout: 15000 });
  return { page, context, external, errors, websockets };
}

/**
 * Opens the playground in a tab of its own (openPlayground's options), runs
 * fn(tab), then checks that the page threw no error and asked nothing
 * outside the gateway, and closes the tab whatever happened.
 */
export async function inPlayground(browser, gw, options, fn) {
  const tab = await openPlayground(browser, gw, options);
  try {
    await fn(tab);
    if (tab.errors.length) throw new Error(`page errors: ${tab.errors.join('; ')}`);
    if (tab.external.length) throw new Error(`requests outside the gateway: ${tab.external.join(', ')}`);
  } finally {
    await tab.context.close();
  }
}

/** Types a console command and presses Enter. */
export async function command(page, line) {
  await page.fill('.console-input', line);
  await page.press('.console-input', 'Enter');
}

/** Waits until the text of selector contains text (string or RegExp). */
export async function waitForText(page, selector, text, timeout = 10000) {
  const isRe = text instanceof RegExp;
  try {
    await page.waitForFunction(([sel, t, re]) => {
      const el = document.querySelector(sel);
      if (!el) return false;
      const s = el.innerText || el.textContent || '';
      return re ? new RegExp(t[0], t[1]).test(s) : s.includes(t);
    }, [selector, isRe ? [text.source, text.flags] : text, isRe], { timeout, polling: 100 });
  } catch (e) {
    const now = await page.evaluate((sel) => document.querySelector(sel)?.innerText ?? '(no element)', selector);
    throw new Error(`timed out waiting for ${selector} to contain ${text}; it shows:\n${now.slice(-1500)}`);
  }
}

// The text of an element as rendered (innerText). Rows of the sequence
// diagram and the wire view out of view are not rendered until scrolled to
// (content-visibility: auto), so they are rendered for the reading.
export async function textOf(page, selector) {
  return page.evaluate((sel) => {
    const all = document.createElement('style');
    all.textContent = '.seq-row, .wire-row { content-visibility: visible !important; }';
    document.head.append(all);
    try {
      return document.querySelector(sel)?.innerText ?? '';
    } finally {
      all.remove();
    }
  }, selector);
}

export async function screenshot(page, name) {
  mkdirSync(artifacts, { recursive: true });
  const file = path.join(artifacts, name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Repeats fn until it resolves or the time is up. */
export async function retry(fn, { timeout = 10000, interval = 150, what = 'operation' } = {}) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      return await fn();
    } catch (e) {
      last = e;
      await sleep(interval);
    }
  }
  throw new Error(`${what} did not succeed in ${timeout} ms: ${last?.message ?? last}`);
}

// --- native peers -----------------------------------------------------------

/**
 * Connects to host:port, sends message, collects what comes back until the
 * peer closes or until `until` matches; resolves the text received.
 */
export function tcpExchange(port, message, { host = '127.0.0.1', until = null, timeout = 8000 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    let got = '';
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`no complete answer from ${host}:${port} in ${timeout} ms (got ${JSON.stringify(got)})`)); }, timeout);
    const done = () => { clearTimeout(timer); sock.destroy(); resolve(got); };
    sock.on('connect', () => sock.write(message));
    sock.on('data', (d) => {
      got += d.toString('utf8');
      if (until && (until instanceof RegExp ? until.test(got) : got.includes(until))) done();
    });
    sock.on('end', done);
    sock.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

/** A TCP server that answers each connection's first data with reply. */
export function tcpServer(port, reply, { host = '127.0.0.1' } = {}) {
  return new Promise((resolve, reject) => {
    const received = [];
    const server = net.createServer((sock) => {
      let buf = '';
      sock.on('data', (d) => {
        buf += d.toString('utf8');
        if (!sock.answered) {
          sock.answered = true;
          setTimeout(() => sock.end(reply), 20);
        }
      });
      sock.on('close', () => received.push(buf));
      sock.on('error', () => {});
    });
    server.once('error', reject);
    server.listen(port, host, () => resolve({
      received,
      close: () => new Promise((r) => server.close(() => r())),
    }));
  });
}

/** A UDP socket bound to port (0: any); returns helpers. */
export function udpSocket(port = 0, { host = '127.0.0.1' } = {}) {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const messages = [];
    sock.on('message', (msg, rinfo) => messages.push({ text: msg.toString('utf8'), from: rinfo }));
    sock.once('error', reject);
    sock.bind(port, host, () => resolve({
      sock,
      messages,
      port: sock.address().port,
      send: (text, toPort, toHost = '127.0.0.1') => new Promise((r, j) => sock.send(text, toPort, toHost, (e) => (e ? j(e) : r()))),
      close: () => new Promise((r) => sock.close(() => r())),
    }));
  });
}

/** Gets JSON from the gateway. */
export async function getJson(gw, pathname) {
  const url = new URL(pathname, gw.base);
  if (url.protocol === 'https:') return getJsonOverTls(url);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${pathname}: ${res.status}`);
  return res.json();
}

// fetch() cannot be given a CA; https.get trusts the run's certificate
// alone. Its name is localhost and the URL's host 127.0.0.1, so only the
// name check is left out.
function getJsonOverTls(url) {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca: testCertificate().pem, checkServerIdentity: () => undefined }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`GET ${url.pathname}: ${res.statusCode}`));
        else resolve(JSON.parse(body));
      });
    });
    req.on('error', reject);
  });
}
