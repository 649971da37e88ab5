// The page on a phone (390x844): a header that leaves room for the work,
// every tab on screen, a console input wide enough to type a command, socket
// rows whose buttons stay inside their box and work, tap targets of 24
// pixels or more, and nothing that scrolls sideways.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  requireWebRoot, startGatewayAndBrowser, stopAll, inPlayground, command, waitForText, screenshot,
} from './helpers.mjs';

const PHONE = { width: 390, height: 844 };

describe('on a phone', { timeout: 120000 }, () => {
  let gw;
  let browser;

  before(async () => {
    requireWebRoot({ examples: true });
    ({ gw, browser } = await startGatewayAndBrowser());
  });
  after(() => stopAll(browser, gw));

  it('fits 390 pixels, with every control reachable and large enough to tap', async () => {
    await inPlayground(browser, gw, { viewport: PHONE, mobile: true }, async ({ page }) => {
      await page.waitForSelector('.ex-tab');
      await page.waitForSelector('.py-tab');
      const header = await page.$eval('#topbar', (el) => el.getBoundingClientRect().height);
      assert.ok(header <= 180, `the header is ${header}px high`);
      const offscreen = await page.$$eval('[role="tab"]', (tabs) => tabs
        .filter((t) => { const r = t.getBoundingClientRect(); return r.left < 0 || r.right > window.innerWidth; })
        .map((t) => t.textContent));
      assert.deepEqual(offscreen, [], 'tabs off the screen');
      // Room for "connect 127.0.0.1 12345" and more.
      const input = await page.$eval('.console-input', (el) => el.getBoundingClientRect().width);
      assert.ok(input >= 280, `the console input is ${input}px wide`);

      // Three sockets of three kinds, each row's buttons inside the table's box.
      await command(page, `connect ${gw.demo.host} ${gw.demo.port}`);
      await command(page, 'listen 0');
      await command(page, 'bind');
      await page.waitForFunction(() => document.querySelectorAll('#sockets tr.sock-row').length === 3);
      const outside = await page.$eval('#sockets', (panel) => {
        const box = panel.querySelector('.sockets-scroll').getBoundingClientRect();
        return [...panel.querySelectorAll('.row-tools button')]
          .filter((b) => { const r = b.getBoundingClientRect(); return r.width === 0 || r.left < box.left || r.right > box.right; })
          .map((b) => b.title);
      });
      assert.deepEqual(outside, [], 'socket buttons outside the table');

      const small = await page.evaluate(() => [...document.querySelectorAll('button, a[href], input, select, summary, [role="tab"]')]
        .filter((el) => el.offsetParent !== null && !el.closest('.skip-link'))
        .map((el) => ({ el, r: el.getBoundingClientRect() }))
        .filter(({ r }) => r.width > 0 && (r.width < 24 || r.height < 24))
        .map(({ el, r }) => `${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 20)}" ${Math.round(r.width)}x${Math.round(r.height)}`));
      assert.deepEqual(small, [], 'tap targets under 24x24');
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling');

      // The row buttons do their job on a phone: send, then close.
      await page.tap('#sockets tr.sock-row[data-sock="1"] button[title^="Send"]');
      assert.equal(await page.inputValue('.console-input'), 'send 1 ');
      await page.fill('.console-input', 'send 1 from a phone');
      await page.press('.console-input', 'Enter');
      await waitForText(page, '.console-out', /from a phone[\s\S]*from a phone/);
      await page.tap('#sockets tr.sock-row[data-sock="1"] button[title^="Close"]');
      await page.waitForSelector('#sockets tr.sock-row[data-sock="1"].state-closed');
      await screenshot(page, 'phone-390.png');
    });
  });
});
