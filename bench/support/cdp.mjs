// Chromium driven over the raw DevTools protocol, for the benches that time
// browser traffic. Playwright's page API is not used for timed runs: it
// enables the Network domain, and Chromium then copies every WebSocket frame
// to the driver.
import { spawn } from 'node:child_process';

import { WebSocket } from 'ws';

export const chromiumBin = process.env.SOCKGATE_CHROMIUM || '/usr/bin/chromium';

// A DevTools protocol connection with flattened target sessions.
export class Cdp {
  #ws;
  #next = 1;
  #pending = new Map();
  #listeners = new Set();

  static async connect(url) {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new Cdp(ws);
  }

  constructor(ws) {
    this.#ws = ws;
    ws.on('message', (data) => {
      const m = JSON.parse(data);
      if (m.id) {
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        if (m.error) p?.reject(new Error(`${p.method}: ${m.error.message}`));
        else p?.resolve(m.result);
      } else {
        for (const fn of this.#listeners) fn(m);
      }
    });
  }

  send(method, params = {}, sessionId = undefined) {
    const id = this.#next++;
    this.#ws.send(JSON.stringify({ id, method, params, sessionId }));
    return new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject, method }));
  }

  on(fn) {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  close() {
    this.#ws.close();
  }
}

export async function launchChromium(profile) {
  const child = spawn(chromiumBin, [
    '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-extensions',
    `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`chromium did not start: ${err}`)), 20000);
    child.stderr.on('data', (c) => {
      err += c;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`chromium exited (${code}): ${err}`)));
  });
  return { child, url };
}

// A new tab, attached with a flattened session, with the Page domain on.
export async function openTarget(cdp) {
  const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
  await cdp.send('Page.enable', {}, sessionId);
  return { targetId, sessionId };
}

// Runs `expression` in the page, awaiting a promise; its value, or the
// page's exception as an Error.
export async function evaluate(cdp, sessionId, expression) {
  const r = await cdp.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId);
  if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
  return r.result.value;
}
