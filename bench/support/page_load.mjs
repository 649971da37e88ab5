// Loading the playground in Chromium over the raw DevTools protocol, for the
// benches that measure how the page loads: a timed load with no Network
// domain attached, and an untimed load that lists every response the page
// and its workers received with the bytes it took over the wire.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { Cdp, evaluate, launchChromium, openTarget } from './cdp.mjs';

// Chromium with a profile of its own (so a first load really is cold),
// removed again by close().
export async function freshChromium() {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'sockgate-chromium-'));
  const { child, url } = await launchChromium(profile);
  const cdp = await Cdp.connect(url);
  return {
    cdp,
    async close() {
      cdp.close();
      child.kill('SIGKILL');
      await rm(profile, { recursive: true, force: true }).catch(() => {});
    },
  };
}

// Navigates to url (or reloads) and resolves after the load event.
export async function loadPage(cdp, sessionId, url, { reload = false } = {}) {
  const loaded = new Promise((resolve) => {
    const off = cdp.on((m) => {
      if (m.sessionId === sessionId && m.method === 'Page.loadEventFired') {
        off();
        resolve();
      }
    });
  });
  if (reload) await cdp.send('Page.reload', { ignoreCache: false }, sessionId);
  else await cdp.send('Page.navigate', { url }, sessionId);
  await loaded;
}

// Polls `check` (an expression) in the page every 5 ms until it is truthy;
// its value.
export function untilInPage(cdp, sessionId, check, what, ms = 60_000) {
  return evaluate(cdp, sessionId, `(async () => {
    const end = performance.now() + ${ms};
    for (;;) {
      const v = (${check});
      if (v) return v;
      if (performance.now() > end) throw new Error('timed out waiting for ' + ${JSON.stringify(what)});
      await new Promise((r) => setTimeout(r, 5));
    }
  })()`);
}

// Every response of one load of the page and of the workers it starts, once
// `ready` (an expression) is true in the page and nothing has been in flight
// for quietMs: [{url, status, encoding, bytes}], bytes as they crossed the
// wire (headers included, compressed bodies as sent). status is the one on
// the wire where Chromium says (responseReceivedExtraInfo): a fetch()
// revalidated by a 304 is reported with the cached 200 otherwise.
// Chromium 156 reports a module worker's own script with its headers only
// (loadingFinished carries no body bytes); such a response, 200 on the
// wire, is counted as its headers plus its Content-Length, and marked
// bodyFrom: 'content-length'.
export async function listTransfers(cdp, target, url, { reload = false, ready = 'true', quietMs = 500 } = {}) {
  const sessions = new Set([target.sessionId]);
  const responses = new Map(); // requestId -> entry
  let inFlight = 0;
  let lastActivity = Date.now();
  // By request id alone: a worker's script is asked for in the page's session
  // and finishes in the worker's.
  const keyOf = (m) => m.params.requestId;
  const off = cdp.on(async (m) => {
    if (m.method === 'Target.attachedToTarget' && sessions.has(m.sessionId)) {
      const child = m.params.sessionId;
      sessions.add(child);
      await cdp.send('Network.enable', {}, child).catch(() => {});
      await cdp.send('Runtime.runIfWaitingForDebugger', {}, child).catch(() => {});
      return;
    }
    if (!sessions.has(m.sessionId)) return;
    if (m.method === 'Network.requestWillBeSent') {
      if (m.params.request.url.startsWith('data:')) return;
      inFlight++;
      lastActivity = Date.now();
      responses.set(keyOf(m), { url: m.params.request.url, status: 0, encoding: '', bytes: 0 });
    } else if (m.method === 'Network.responseReceivedExtraInfo') {
      const entry = responses.get(keyOf(m));
      if (entry) entry.wireStatus = m.params.statusCode;
    } else if (m.method === 'Network.responseReceived') {
      const entry = responses.get(keyOf(m));
      if (!entry) return;
      const headers = Object.fromEntries(Object.entries(m.params.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
      entry.status = m.params.response.status;
      entry.encoding = headers['content-encoding'] ?? '';
      entry.headerBytes = m.params.response.encodedDataLength;
      entry.contentLength = Number(headers['content-length'] ?? 0);
    } else if (m.method === 'Network.loadingFinished' || m.method === 'Network.loadingFailed') {
      const entry = responses.get(keyOf(m));
      if (!entry) return;
      inFlight--;
      lastActivity = Date.now();
      entry.done = true;
      if (m.method === 'Network.loadingFinished') entry.bytes = m.params.encodedDataLength;
      else entry.failed = m.params.errorText;
    }
  });
  try {
    await cdp.send('Network.enable', {}, target.sessionId);
    await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true }, target.sessionId);
    await loadPage(cdp, target.sessionId, url, { reload });
    await untilInPage(cdp, target.sessionId, ready, 'the page to be ready');
    const end = Date.now() + 120_000;
    while (inFlight > 0 || Date.now() - lastActivity < quietMs) {
      if (Date.now() > end) {
        const open = [...responses.values()].filter((r) => !r.done).map((r) => r.url);
        throw new Error(`still in flight after 2 minutes: ${open.join(', ')}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    off();
    await cdp.send('Target.setAutoAttach', { autoAttach: false, waitForDebuggerOnStart: false, flatten: true }, target.sessionId).catch(() => {});
    await cdp.send('Network.disable', {}, target.sessionId).catch(() => {});
  }
  return [...responses.values()].map(({ wireStatus, headerBytes, contentLength, ...r }) => {
    const status = wireStatus ?? r.status;
    if (status === 200 && !r.failed && contentLength > 0 && headerBytes > 0 && r.bytes <= headerBytes) {
      return { ...r, status, bytes: headerBytes + contentLength, bodyFrom: 'content-length' };
    }
    return { ...r, status };
  });
}

// A new tab in which a script, run before the page's own, records when a
// selector first matches (window.__sockgateSeen[name] = performance.now()).
export async function openWatchedTarget(cdp, selectors) {
  const target = await openTarget(cdp);
  const source = `(() => {
    const wanted = ${JSON.stringify(selectors)};
    const seen = (window.__sockgateSeen = {});
    const look = () => {
      for (const [name, selector] of Object.entries(wanted)) {
        if (!(name in seen) && document.querySelector(selector)) seen[name] = performance.now();
      }
      return Object.keys(seen).length === Object.keys(wanted).length;
    };
    new MutationObserver((_, observer) => { if (look()) observer.disconnect(); })
      .observe(document, { subtree: true, childList: true, attributes: true });
  })()`;
  await cdp.send('Page.addScriptToEvaluateOnNewDocument', { source }, target.sessionId);
  return target;
}
