// The playground's Python in Chromium: the differential corpus run in a real
// browser, with the worker as a module Web Worker, Pyodide and the worker
// bundle served by the gateway (cross-origin isolated, so SharedArrayBuffer
// works), and the wasm client's session on the browser's own WebSocket.
// Same interface as cpython_runner.mjs and pyodide_runner.mjs:
//
//   SOCKGATE_PYODIDE_RUNNER=tests/python/chromium_runner.mjs node --test tests/python/
//
// The page is a small one of its own (tests/python/browser/harness.js,
// bundled here) next to the built playground's files in a temporary web
// root, so it drives the same modules the playground does without going
// through its editor. Debian's chromium via playwright-core; nothing is
// timed here.
//
// Environment: SOCKGATE_WEB_ROOT (default build/web: python-worker.js and
// pyodide/ must be there), SOCKGATE_CHROMIUM (default /usr/bin/chromium).

import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';
import { chromium } from 'playwright-core';

export const name = 'chromium';
export const family = 'playground';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const webRoot = process.env.SOCKGATE_WEB_ROOT || path.join(repo, 'build', 'web');
const chromiumBin = process.env.SOCKGATE_CHROMIUM || '/usr/bin/chromium';
const POLL_MS = 20;

for (const need of ['python-worker.js', 'pyodide/pyodide.mjs']) {
  if (!existsSync(path.join(webRoot, need))) {
    throw new Error(`${webRoot} has no ${need}: build the web root (scripts/build-web.sh) or set SOCKGATE_WEB_ROOT`);
  }
}

// The web root the gateway serves for these tests: the built one plus the
// harness page. Made once, when this module loads, because the gateway is
// started with it (gatewayArgs) before setup() runs.
const root = await mkdtemp(path.join(os.tmpdir(), 'sockgate-py-web-'));
await cp(webRoot, root, { recursive: true });
await build({
  entryPoints: [path.join(here, 'browser', 'harness.js')],
  outfile: path.join(root, 'python-harness.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  logLevel: 'warning',
});
await writeFile(path.join(root, 'python-harness.html'),
  '<!doctype html><meta charset="utf-8"><title>Python harness</title><script type="module" src="python-harness.js"></script>\n');

export const gatewayArgs = ['--web-root', root];

let browser = null;
let page = null;
const pageErrors = [];

export async function setup({ gateway }) {
  browser = await chromium.launch({
    executablePath: chromiumBin,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(new URL('python-harness.html', gateway.httpUrl).href);
  await page.waitForFunction(() => Boolean(window.pythonHarness), null, { timeout: 15000 });
  const isolated = await page.evaluate(() => crossOriginIsolated);
  if (!isolated) throw new Error('the harness page is not cross-origin isolated: no SharedArrayBuffer');
  await page.evaluate(() => window.pythonHarness.warm());
}

// Resolves once the page has a loaded interpreter for the next run.
export function ready() {
  return page.evaluate(() => window.pythonHarness.warm());
}

export async function teardown() {
  await browser?.close();
  browser = null;
  page = null;
  await rm(root, { recursive: true, force: true });
  if (pageErrors.length) throw new Error(`errors in the harness page:\n${pageErrors.join('\n')}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function startPython({ code, argv = [] }) {
  if (!page) throw new Error('chromium runner: setup({gateway}) first');
  const output = { stdout: '', stderr: '' };
  const started = page.evaluate(([c, a]) => window.pythonHarness.start(c, a), [code, argv.map(String)]);
  let killRequested = false;
  let last = null;

  // The page's view of the run, refreshed into `output`.
  async function poll() {
    const id = await started;
    last = await page.evaluate((i) => window.pythonHarness.state(i), id);
    output.stdout = last.stdout;
    output.stderr = last.stderr;
    return last;
  }

  const done = (async () => {
    for (;;) {
      if (!page) return { ...output, exitCode: null, reason: 'the browser was closed' };
      let s;
      try {
        s = await poll();
      } catch (e) {
        if (!page) continue; // closed by teardown() meanwhile
        throw e;
      }
      if (s.result) {
        let exitCode = s.result.status;
        if (exitCode === null) exitCode = s.result.reason === 'killed' ? (killRequested ? 137 : 130) : -1;
        return { stdout: s.stdout, stderr: s.stderr, exitCode, reason: s.result.reason, message: s.result.message };
      }
      await sleep(POLL_MS);
    }
  })();

  const act = (fn) => started.then((id) => page.evaluate(fn, id));

  return {
    output,
    done,
    async waitFor(pattern, { stream = 'stdout', timeoutMs = 10_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = await poll();
        const text = s[stream];
        const m = typeof pattern === 'string' ? (text.includes(pattern) ? pattern : null) : text.match(pattern);
        if (m) return m;
        if (s.result) throw new Error(`chromium: the program ended before ${pattern} appeared on ${stream}; stdout:\n${s.stdout}\nstderr:\n${s.stderr}`);
        if (Date.now() > deadline) throw new Error(`chromium: ${pattern} did not appear on ${stream} within ${timeoutMs} ms; stdout:\n${s.stdout}\nstderr:\n${s.stderr}`);
        await sleep(POLL_MS);
      }
    },
    write(text) {
      const lines = String(text).split('\n');
      const tail = lines.pop();
      if (tail) lines.push(tail);
      return started.then((id) => page.evaluate(([i, ls]) => ls.forEach((l) => window.pythonHarness.input(i, l)), [id, lines]));
    },
    closeStdin: () => act((i) => window.pythonHarness.closeInput(i)),
    interrupt: () => act((i) => window.pythonHarness.stop(i)),
    kill() {
      killRequested = true;
      return act((i) => window.pythonHarness.kill(i));
    },
    async waitBlocked({ timeoutMs = 5000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = await poll();
        if (s.blockedIn || s.result) return s.blockedIn;
        if (Date.now() > deadline) throw new Error(`chromium: the program did not block within ${timeoutMs} ms`);
        await sleep(5);
      }
    },
  };
}
