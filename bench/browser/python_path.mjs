// The Python path, for the browser bench: bench/python/echo_client.py run by
// the playground's Python in Chromium (Pyodide in the page's worker, its
// socket calls answered by the wasm client through a real gateway) against a
// TCP echo, and the same program run by Debian's python3 on plain loopback
// sockets against the same echo, the best a Python program does without a
// browser in the way.
//
// The page is the playground itself (SOCKGATE_WEB_ROOT), opened with a share
// link of the program and its arguments; each run reloads it, waits for an
// interpreter, presses Run and reads the JSON line the program prints.
// Chromium is driven over the raw DevTools protocol, no Network domain.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startGateway } from '../../tests/support/gateway.mjs';
import { evaluate, openTarget } from '../support/cdp.mjs';
import { runNativeJson } from '../support/native_python.mjs';
import { freshChromium, loadPage, untilInPage } from '../support/page_load.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const webRoot = process.env.SOCKGATE_WEB_ROOT || path.join(repo, 'build/web');

const PYTHON_READY = `document.querySelector('.py-engine[data-state="ready"]') && !document.querySelector('.py-run')?.disabled`;
// The program's JSON line once it is whole, or what it printed to stderr
// once the run is over without one.
const RESULT = `(() => {
  const out = document.querySelector('.py-output:not([hidden])');
  if (!out) return null;
  for (const line of out.querySelectorAll('.pl')) {
    const text = line.textContent.trim();
    if (!text.startsWith('{"throughput"')) continue;
    try { return { result: JSON.parse(text) }; } catch { return null; }
  }
  const err = [...out.querySelectorAll('.ps-err')].map((e) => e.textContent).join('');
  return err && document.querySelector('.py-run:not([disabled])') ? { error: err } : null;
})()`;

async function runInPage(cdp, sessionId, url) {
  await loadPage(cdp, sessionId, url, { reload: true });
  await untilInPage(cdp, sessionId, PYTHON_READY, 'Python to be ready');
  await evaluate(cdp, sessionId, `document.querySelector('.py-run').click()`);
  const r = await untilInPage(cdp, sessionId, RESULT, 'the program to print its figures', 180_000);
  if (r.error) throw new Error(`echo_client.py in the page failed: ${r.error}`);
  return r.result;
}

// {native, page}: medians of runs, each {mib_per_s, rtt_p50_us, rtt_p99_us},
// plus every run and whether every run's bytes came back intact.
export async function measurePythonPath({ runs, mib, rounds, echoPort }) {
  const source = await readFile(path.join(repo, 'bench/python/echo_client.py'), 'utf8');
  const argv = [String(echoPort), String(mib), String(rounds)];
  const gateway = await startGateway([], { webRoot });
  const url = `${gateway.httpUrl}#py=${Buffer.from(source).toString('base64url')}&args=${encodeURIComponent(argv.join(' '))}`;
  const native = [];
  const page = [];
  try {
    const browser = await freshChromium();
    try {
      const { sessionId } = await openTarget(browser.cdp);
      await loadPage(browser.cdp, sessionId, url);
      for (let i = 0; i < runs; i++) {
        native.push(await runNativeJson(source, argv));
        page.push(await runInPage(browser.cdp, sessionId, url));
      }
    } finally {
      await browser.close();
    }
  } finally {
    await gateway.stop();
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  const figures = (list) => ({
    mib_per_s: median(list.map((r) => r.throughput.mib_per_s)),
    rtt_p50_us: median(list.map((r) => r.rtt.p50_us)),
    rtt_p99_us: median(list.map((r) => r.rtt.p99_us)),
    intact: list.every((r) => r.throughput.intact),
  });
  return { mib, rounds, native: figures(native), page: figures(page), runs: { native, page } };
}

export function pythonPathProblems(p) {
  const problems = [];
  if (!p.native.intact) problems.push('Python path: bytes echoed to python3 came back wrong');
  if (!p.page.intact) problems.push('Python path: bytes echoed to the page\'s Python came back wrong');
  return problems;
}

export function describePythonPath(p) {
  const row = (name, f) => `  ${name.padEnd(28)} ${f.mib_per_s.toFixed(1).padStart(7)} MiB/s, RTT p50 ${f.rtt_p50_us.toFixed(0)} µs, p99 ${f.rtt_p99_us.toFixed(0)} µs`;
  return [
    `Python path: echo_client.py, ${p.mib} MiB and ${p.rounds} round trips`,
    row('python3 on loopback', p.native),
    row("the playground's Python", p.page),
  ].join('\n');
}
