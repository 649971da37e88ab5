// The layout as a learner arranges it: a server's and a client's output side
// by side, columns resized with a handle and remembered, and the address
// naming the picked programs and their arguments so a reload or a shared
// link opens them again.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  requireWebRoot, startGatewayAndBrowser, stopAll, inPlayground, waitForText, screenshot, freePort,
} from './helpers.mjs';

const exOutput = (name) => `.ex-output[data-example="${name}"]`;
const box = (page, sel) => page.$eval(sel, (el) => { const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; });

describe('the layout', { timeout: 120000 }, () => {
  let gw;
  let browser;

  before(async () => {
    requireWebRoot({ examples: true });
    ({ gw, browser } = await startGatewayAndBrowser());
  });
  after(() => stopAll(browser, gw));

  it('puts the picked programs and their arguments in the address, and a reload opens them', async () => {
    await inPlayground(browser, gw, {}, async ({ page }) => {
      await page.waitForSelector('.ex-tab');
      await page.waitForSelector('.py-tab[data-program="udp_server"]');
      await page.click('.py-tab[data-program="udp_server"]');
      await page.fill('.py-args', '5555');
      await page.click('.ex-tab[data-example="udp_client"]');
      await page.fill('.ex-args', '127.0.0.1 6666');
      const url = new URL(await page.evaluate(() => location.href));
      assert.equal(url.searchParams.get('py'), 'udp_server');
      assert.equal(url.searchParams.get('pyargs'), '5555');
      assert.equal(url.searchParams.get('example'), 'udp_client');
      assert.equal(url.searchParams.get('args'), '127.0.0.1 6666');

      // The same link in a fresh tab.
      await inPlayground(browser, gw, { query: url.search }, async ({ page: other }) => {
        await other.waitForSelector('.ex-tab[data-example="udp_client"][aria-selected="true"]');
        await other.waitForSelector('.py-tab[data-program="udp_server"][aria-selected="true"]');
        assert.equal(await other.inputValue('.ex-args'), '127.0.0.1 6666');
        assert.equal(await other.inputValue('.py-args'), '5555');
      });
    });
  });

  it('shows a server\'s and its client\'s output side by side', async () => {
    await inPlayground(browser, gw, {}, async ({ page }) => {
      await page.waitForSelector('.ex-tab');
      const port = await freePort('both');
      await page.click('.ex-tab[data-example="tcp_server"]');
      await page.fill('.ex-args', `127.0.0.1 ${port}`);
      await page.click('.btn-run');
      await waitForText(page, exOutput('tcp_server'), 'listening');
      await page.click('#examples .pin-toggle');
      assert.equal(await page.getAttribute('#examples .pin-toggle', 'aria-pressed'), 'true');
      await page.click('.ex-tab[data-example="tcp_client"]');
      await page.fill('.ex-args', `127.0.0.1 ${port}`);
      await page.click('.btn-run');
      await waitForText(page, exOutput('tcp_client'), 'Hello from server!');
      await waitForText(page, exOutput('tcp_server'), 'Received: Hello from client!');
      const server = await box(page, exOutput('tcp_server'));
      const client = await box(page, exOutput('tcp_client'));
      assert.ok(server.w > 0 && client.w > 0, 'both shown');
      assert.ok(server.x + server.w <= client.x + 1 && Math.abs(server.y - client.y) < 2, `${JSON.stringify(server)} ${JSON.stringify(client)}`);
      await screenshot(page, 'layout-side-by-side.png');
      // Unpinned: one output again.
      await page.click('#examples .pin-toggle');
      assert.equal(await page.isHidden(exOutput('tcp_server')), true);
    });
  });

  it('resizes columns with a handle, keeps the widths across a reload, and resets them', async () => {
    await inPlayground(browser, gw, {}, async ({ page }) => {
      const before = (await box(page, '#python')).w;
      await page.focus('.col-handle');
      for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
      const wider = (await box(page, '#python')).w;
      assert.ok(wider >= before + 80, `${before} → ${wider}`);
      // Dragged with the mouse too.
      const handle = await box(page, '.col-handle');
      await page.mouse.move(handle.x + handle.w / 2, handle.y + 100);
      await page.mouse.down();
      await page.mouse.move(handle.x + handle.w / 2 + 60, handle.y + 100, { steps: 4 });
      await page.mouse.up();
      const dragged = (await box(page, '#python')).w;
      assert.ok(dragged >= wider + 50, `${wider} → ${dragged}`);

      await page.reload();
      await page.waitForSelector('.conn[data-state="connected"]');
      await page.waitForFunction((w) => Math.abs(document.querySelector('#python').getBoundingClientRect().width - w) < 3, dragged);
      await page.dblclick('.col-handle');
      await page.waitForFunction((w) => Math.abs(document.querySelector('#python').getBoundingClientRect().width - w) < 3, before);
    });
  });
});
