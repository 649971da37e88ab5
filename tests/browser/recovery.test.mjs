// The page when its gateway goes away and comes back (a restart, a
// redeploy): it says in plain words that the gateway is not answering,
// counts down to its next try, and reconnects by itself once the gateway
// is back on the same address, loading again what it could not load
// meanwhile.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  requireWebRoot, startGateway, launchBrowser, openPlayground, waitForText, textOf, screenshot, freePort,
} from './helpers.mjs';

const output = (name) => `.ex-output[data-example="${name}"]`;

describe('the page across a gateway restart', { timeout: 120000 }, () => {
  let gw;
  let browser;
  let tab;

  before(async () => {
    requireWebRoot({ examples: true });
    gw = await startGateway([], { port: await freePort('tcp') });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
  });

  it('says the gateway is not answering, counts down, and reconnects by itself when it is back', async () => {
    tab = await openPlayground(browser, gw);
    const { page } = tab;
    await page.waitForSelector('.ex-tab[data-example="udp_server"]');
    await waitForText(page, '.ex-load', /gateway: \d+ session/);
    const port = gw.port;

    await gw.stop();
    gw = null;
    // A countdown to the next try, with a button that skips it.
    await page.waitForSelector('.conn[data-state="waiting"]');
    await waitForText(page, '.conn', /Reconnecting.*next try in \d+ s/s);
    assert.equal((await textOf(page, '.conn-action')).trim(), 'Retry now');
    await waitForText(page, '.console-out', 'the page reconnects by itself');

    // A try by hand while it is down says the gateway is not answering,
    // not a socket tip about servers on ports.
    await page.click('.conn-action');
    await waitForText(page, '.console-out', 'The gateway is not answering');
    await page.waitForSelector('.conn[data-state="waiting"]');
    const consoleText = await textOf(page, '.console-out');
    assert.doesNotMatch(consoleText, /Is a server running on that port/, consoleText);
    await screenshot(page, 'gateway-restart-waiting.png');

    // An example whose source was not loaded yet, and Run of it.
    await page.click('.ex-tab[data-example="udp_server"]');
    await waitForText(page, '.ex-editor', 'loads when the gateway answers again');
    await page.click('.btn-run');
    await page.waitForSelector('.ex-tab[data-example="udp_server"][data-status="failed"]');
    const out = await textOf(page, output('udp_server'));
    assert.match(out, /The gateway is not answering/);
    assert.doesNotMatch(out, /Failed to fetch|dynamically imported module/, out);

    // Run of a Python program, the same.
    await page.click('.py-run');
    await waitForText(page, '.py-output:not([hidden])', 'The gateway is not answering');

    // Back on the same address: no click needed.
    gw = await startGateway([], { port });
    await page.waitForSelector('.conn[data-state="connected"]', { timeout: 30000 });
    await waitForText(page, '.console-out', /The gateway is back after \d+ s/);
    await page.waitForFunction(() => window.sockgatePlayground.examples.editor.text.includes('#include'));
    await waitForText(page, '.ex-load', /gateway: \d+ session/);

    // And runs work again.
    const udpPort = await freePort('udp');
    await page.fill('.ex-args', `127.0.0.1 ${udpPort}`);
    await page.click('.btn-run');
    await waitForText(page, output('udp_server'), 'listening', 20000);
    await page.click('.btn-stop');
    await page.waitForSelector('.ex-tab[data-example="udp_server"][data-status="stopped"]', { timeout: 10000 });

    assert.deepEqual(tab.external, [], 'no requests outside the gateway');
    assert.deepEqual(tab.errors, [], 'no page errors');
    await tab.context.close();
  });
});
