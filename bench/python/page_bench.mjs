#!/usr/bin/env node
// The playground page with Python, as a browser loads it: from navigation to
// the first line a Python program prints (cold cache and warm), and the
// bytes transferred for the page, its worker and Pyodide.
//
//   node bench/python/page_bench.mjs [--runs 3] [--out FILE] [--quick]
//
// Chromium is driven over the raw DevTools protocol, not Playwright's page
// API: the timed loads run without the Network domain, which would copy
// every response and WebSocket frame to the driver. Bytes are counted in a
// separate, untimed load with the Network domain on, in the page and in its
// workers. A run: open the page with a share link of `print("ready")`
// (#py=…, which never runs by itself), press Run as soon as Python is ready,
// and wait for "ready" in the output; the figure is the page's own clock
// (performance.now(), 0 at navigation start) at that moment.
//
// --quick (part of the test command) does one cold and one warm load and
// checks that the line arrived; it judges no speed. Needs the built web root
// (SOCKGATE_WEB_ROOT, default build/web) and the gateway.

import { writeFile } from 'node:fs/promises';
import os from 'node:os';

import { startGateway } from '../../tests/browser/helpers.mjs';
import { evaluate, openTarget } from '../support/cdp.mjs';
import { freshChromium, listTransfers, loadPage } from '../support/page_load.mjs';

const PROGRAM = 'print("ready")';

function parseArgs(argv) {
  const o = { runs: 3, out: null, quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--out') o.out = argv[++i];
    else if (a === '--quick') o.quick = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (o.quick) o.runs = 1;
  return o;
}

const PYTHON_READY = `document.querySelector('.py-engine[data-state="ready"]') && !document.querySelector('.py-run')?.disabled`;

// Runs in the page: waits for Python, presses Run, waits for the line.
const IN_PAGE = `(async () => {
  const until = async (check, what, ms = 60000) => {
    const end = performance.now() + ms;
    for (;;) {
      const v = check();
      if (v) return v;
      if (performance.now() > end) throw new Error('timed out waiting for ' + what);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  await until(() => ${PYTHON_READY}, 'Python to be ready');
  const ready = performance.now();
  document.querySelector('.py-run').click();
  await until(() => [...document.querySelectorAll('.py-output:not([hidden]) .ps-out')].some((e) => e.textContent.includes('ready')), 'the first line');
  const line = performance.now();
  return { pythonReadyMs: ready, firstLineMs: line };
})()`;

async function timedLoad(cdp, sessionId, url, reload) {
  await loadPage(cdp, sessionId, url, { reload });
  return evaluate(cdp, sessionId, IN_PAGE);
}

// Bytes over the wire for one load of the page and of its workers, once the
// interpreter is ready, and per file, largest first.
async function countBytes(cdp, url, reload, target) {
  const responses = await listTransfers(cdp, target, url, { reload, ready: PYTHON_READY });
  const files = responses
    .map((r) => ({ path: new URL(r.url).pathname, status: r.status, encoding: r.encoding, bytes: r.bytes }))
    .sort((a, b) => b.bytes - a.bytes);
  return { bytes: responses.reduce((n, r) => n + r.bytes, 0), requests: responses.length, files };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const gateway = await startGateway();
  const url = `${gateway.base}#py=${Buffer.from(PROGRAM).toString('base64url')}`;
  const cold = [];
  const warm = [];
  let transfer = null;
  try {
    for (let i = 0; i < o.runs; i++) {
      // A fresh profile each time: the cold load really is cold.
      const browser = await freshChromium();
      const { cdp } = browser;
      try {
        const target = await openTarget(cdp);
        cold.push(await timedLoad(cdp, target.sessionId, url, false));
        warm.push(await timedLoad(cdp, target.sessionId, url, true));
        process.stderr.write(`run ${i + 1}: cold ${cold.at(-1).firstLineMs.toFixed(0)} ms, warm ${warm.at(-1).firstLineMs.toFixed(0)} ms\n`);
      } finally {
        await browser.close();
      }
    }
    // Untimed, in a browser of its own: a cold count, then a reload.
    const browser = await freshChromium();
    try {
      const other = await openTarget(browser.cdp);
      transfer = {
        cold: await countBytes(browser.cdp, url, false, other),
        warm: await countBytes(browser.cdp, url, true, other),
      };
    } finally {
      await browser.close();
    }
  } finally {
    await gateway.stop();
  }
  const summary = {
    when: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model },
    runs: o.runs,
    cold_first_line_ms: median(cold.map((r) => r.firstLineMs)),
    warm_first_line_ms: median(warm.map((r) => r.firstLineMs)),
    cold_python_ready_ms: median(cold.map((r) => r.pythonReadyMs)),
    warm_python_ready_ms: median(warm.map((r) => r.pythonReadyMs)),
    transfer,
    cold,
    warm,
  };
  console.log(`page load to first Python line: cold ${summary.cold_first_line_ms.toFixed(0)} ms, warm ${summary.warm_first_line_ms.toFixed(0)} ms (median of ${o.runs})`);
  console.log(`Python ready after: cold ${summary.cold_python_ready_ms.toFixed(0)} ms, warm ${summary.warm_python_ready_ms.toFixed(0)} ms`);
  console.log(`transferred: first load ${(transfer.cold.bytes / 1024).toFixed(0)} KiB in ${transfer.cold.requests} responses, reload ${(transfer.warm.bytes / 1024).toFixed(0)} KiB in ${transfer.warm.requests}`);
  if (o.out) await writeFile(o.out, `${JSON.stringify(summary, null, 2)}\n`);
}

main().catch((e) => {
  console.error(`page_bench: ${e.stack ?? e}`);
  process.exit(1);
});
