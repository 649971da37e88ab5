// Page weight, for the browser bench: the playground (SOCKGATE_WEB_ROOT,
// default build/web) served by a real gateway and loaded by Chromium with an
// empty cache, then reloaded.
//
// - Time: from navigation start to the console's Connected state and to the
//   load event, by the page's own clock, in loads with no Network domain
//   attached (a fresh browser profile per run).
// - Bytes: in one more pair of loads with the Network domain on in the page
//   and in its workers, every response with the bytes it took over the wire,
//   split into the page itself and Python (Pyodide and its worker, which the
//   page starts loading as soon as it opens). Counted once everything the
//   page asks for at start has arrived: connected, an interpreter ready,
//   nothing in flight for half a second.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startGateway } from '../../tests/support/gateway.mjs';
import { openTarget } from '../support/cdp.mjs';
import { freshChromium, listTransfers, loadPage, openWatchedTarget, untilInPage } from '../support/page_load.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const webRoot = process.env.SOCKGATE_WEB_ROOT || path.join(repo, 'build/web');

export const PAGE_TARGETS = { first_load_bytes: 350 * 1000, reload_bytes: 10 * 1000 };

const CONNECTED = '.conn[data-state="connected"]';
const PYTHON_SETTLED = '.py-engine[data-state="ready"], .py-engine[data-state="failed"]';
const isPython = (url) => /\/pyodide\/|\/python-worker\.js/.test(new URL(url).pathname);

async function timedLoad(cdp, sessionId, url, reload) {
  await loadPage(cdp, sessionId, url, { reload });
  const connectedMs = await untilInPage(cdp, sessionId, 'window.__sockgateSeen?.connected', 'the Connected state');
  const loadMs = await untilInPage(cdp, sessionId, "performance.getEntriesByType('navigation')[0]?.loadEventEnd", 'the load event');
  return { connectedMs, loadMs };
}

function tally(responses) {
  const part = (list) => ({ bytes: list.reduce((n, r) => n + r.bytes, 0), responses: list.length });
  const page = responses.filter((r) => !isPython(r.url));
  return {
    page: part(page),
    python: part(responses.filter((r) => isPython(r.url))),
    failed: responses.filter((r) => r.failed || r.status >= 400).map((r) => `${r.url}: ${r.failed || r.status}`),
    files: responses
      .map((r) => ({ path: new URL(r.url).pathname, status: r.status, encoding: r.encoding, bytes: r.bytes, python: isPython(r.url) }))
      .sort((a, b) => b.bytes - a.bytes),
  };
}

// {cold: {connected_ms, load_ms}, reload: {...}, transfer: {cold, reload}}:
// medians over `runs` fresh browsers.
export async function measurePageWeight({ runs }) {
  const gateway = await startGateway([], { webRoot });
  const url = gateway.httpUrl;
  const cold = [];
  const warm = [];
  let transfer;
  try {
    for (let i = 0; i < runs; i++) {
      const browser = await freshChromium();
      try {
        const { sessionId } = await openWatchedTarget(browser.cdp, { connected: CONNECTED });
        cold.push(await timedLoad(browser.cdp, sessionId, url, false));
        warm.push(await timedLoad(browser.cdp, sessionId, url, true));
      } finally {
        await browser.close();
      }
    }
    const browser = await freshChromium();
    try {
      const target = await openTarget(browser.cdp);
      const ready = `document.querySelector(${JSON.stringify(CONNECTED)}) && document.querySelector(${JSON.stringify(PYTHON_SETTLED)})`;
      transfer = {
        cold: tally(await listTransfers(browser.cdp, target, url, { ready })),
        reload: tally(await listTransfers(browser.cdp, target, url, { ready, reload: true })),
      };
    } finally {
      await browser.close();
    }
  } finally {
    await gateway.stop();
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  const times = (loads) => ({ connected_ms: median(loads.map((l) => l.connectedMs)), load_ms: median(loads.map((l) => l.loadMs)) });
  return { url, runs, cold: times(cold), reload: times(warm), transfer, targets: PAGE_TARGETS };
}

// What a run must show, whatever the machine: the page connected, bytes
// were counted, nothing failed to load.
export function pageWeightProblems(weight) {
  const problems = [];
  for (const [when, t] of Object.entries(weight.transfer)) {
    if (t.page.responses === 0 || t.page.bytes === 0) problems.push(`page weight: no bytes counted on the ${when} load`);
    for (const f of t.failed) problems.push(`page weight: ${when} load: ${f}`);
  }
  if (!(weight.cold.connected_ms > 0)) problems.push('page weight: the page never said Connected');
  return problems;
}

export function describePageWeight(w) {
  const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
  const t = w.transfer;
  const top = t.cold.files.filter((f) => !f.python).slice(0, 5).map((f) => `${f.path} ${kb(f.bytes)}${f.encoding ? ` (${f.encoding})` : ''}`);
  return [
    `page weight: Connected after ${w.cold.connected_ms.toFixed(0)} ms cold, ${w.reload.connected_ms.toFixed(0)} ms on reload (load event ${w.cold.load_ms.toFixed(0)} / ${w.reload.load_ms.toFixed(0)} ms)`,
    `  without Python: first load ${kb(t.cold.page.bytes)} in ${t.cold.page.responses} responses (target ${kb(w.targets.first_load_bytes)}), reload ${kb(t.reload.page.bytes)} in ${t.reload.page.responses} (target ${kb(w.targets.reload_bytes)})`,
    `  Python: first load ${kb(t.cold.python.bytes)} in ${t.cold.python.responses} responses, reload ${kb(t.reload.python.bytes)}`,
    `  largest on first load: ${top.join(', ')}`,
  ].join('\n');
}
