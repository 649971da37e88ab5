// The console's forms: open sockets with host and port fields, send and
// resend saved messages on TCP and UDP sockets, each form running the
// command it stands for; and `send` on a UDP socket pointing to sendto.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  requireWebRoot, startGatewayAndBrowser, stopAll, inPlayground, command, waitForText, textOf, screenshot,
} from './helpers.mjs';

describe('console forms', { timeout: 120000 }, () => {
  let gw;
  let browser;

  before(async () => {
    requireWebRoot();
    ({ gw, browser } = await startGatewayAndBrowser());
  });
  after(() => stopAll(browser, gw));

  it('opens sockets from fields and sends saved messages on TCP and UDP', async () => {
    await inPlayground(browser, gw, {}, async ({ page }) => {
      await page.click('.forms-toggle');
      assert.equal(await page.getAttribute('.forms-toggle', 'aria-expanded'), 'true');
      // Connect is filled in with the demo echo service.
      assert.equal(await page.inputValue('.form-open .form-host'), gw.demo.host);
      assert.equal(await page.inputValue('.form-open .form-port'), String(gw.demo.port));
      await page.click('.form-open button[type="submit"]');
      await waitForText(page, '.console-out', `› connect ${gw.demo.host} ${gw.demo.port}`);
      await waitForText(page, '.console-out', /1\s*connected/);
      await page.selectOption('.form-action', 'bind');
      assert.equal(await page.inputValue('.form-open .form-port'), '0');
      await page.click('.form-open button[type="submit"]');
      await waitForText(page, '.console-out', /2\s*UDP socket bound/);

      // A message kept, then sent on the TCP connection: the echo comes back.
      await page.focus('.form-sock');
      await page.selectOption('.form-sock', '1');
      await page.fill('.form-message', 'hello from a form');
      await page.click('.form-save');
      await page.waitForSelector('.form-resend');
      await page.click('.form-send button[type="submit"]');
      await waitForText(page, '.console-out', '› send 1 hello from a form');
      await page.waitForFunction(() => [...document.querySelectorAll('.cl-data.data-in')].some((l) => l.textContent.includes('hello from a form')));

      // Resent from the saved list as a datagram: the UDP socket gets a destination.
      await page.selectOption('.form-sock', '2');
      assert.equal(await page.isHidden('.form-dest'), false, 'a UDP socket asks where to');
      assert.equal(await page.inputValue('.form-dest .form-port'), String(gw.demo.port));
      await page.click('.form-resend');
      await waitForText(page, '.console-out', `› sendto 2 ${gw.demo.host} ${gw.demo.port} hello from a form`);
      await page.waitForFunction(() => [...document.querySelectorAll('.cl-data.data-in')].some((l) => l.dataset.sock === '2' && l.textContent.includes('hello from a form')));
      await screenshot(page, 'console-forms.png');

      // Kept across a reload.
      await page.reload();
      await page.waitForSelector('.conn[data-state="connected"]');
      await page.click('.forms-toggle');
      assert.deepEqual(await page.$$eval('.form-resend', (els) => els.map((e) => e.textContent)), ['▶ hello from a form']);
      await page.click('.form-forget');
      assert.equal(await page.$$eval('.form-resend', (els) => els.length), 0);
    });
  });

  it('points send on a UDP socket to sendto, with the command filled in', async () => {
    await inPlayground(browser, gw, {}, async ({ page }) => {
      await command(page, 'bind');
      await waitForText(page, '.console-out', /1\s*UDP socket bound/);
      await command(page, 'send 1 hi');
      await waitForText(page, '.console-out', 'is a UDP socket');
      const expected = `sendto 1 ${gw.demo.host} ${gw.demo.port} hi`;
      await page.click(`.cl-error .chip[data-fill="${expected}"]`);
      assert.equal(await page.inputValue('.console-input'), expected);
      assert.doesNotMatch(await textOf(page, '.console-out'), /ENOTCONN/);
    });
  });
});
