// The first ten seconds of a newcomer: the page says what it is and what to
// do first (as buttons that do it), the policy reads in words, the editors
// open at the programs' code rather than their header comments, and at
// 1024x768 the console and the sequence diagram are on the first screen.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  requireWebRoot, startGatewayAndBrowser, stopAll, inPlayground, waitForText, textOf, screenshot, freePort,
} from './helpers.mjs';

const pyOutput = (name) => `.py-output[data-program="${name}"]`;

// The text of the first line wholly visible in an editor's scroll area.
function firstVisibleLine(page, editor) {
  return page.$eval(`${editor} .cm-scroller`, (scroller) => {
    const top = scroller.getBoundingClientRect().top;
    const line = [...scroller.querySelectorAll('.cm-line')].find((l) => l.getBoundingClientRect().top >= top - 1);
    return line?.textContent ?? '';
  });
}

describe('the first look', { timeout: 180000 }, () => {
  let gw;
  let browser;

  before(async () => {
    requireWebRoot({ examples: true });
    ({ gw, browser } = await startGatewayAndBrowser());
  });
  after(() => stopAll(browser, gw));

  it('says what the page is, opens the editors at the code, and its first steps run the TCP server and client', async () => {
    await inPlayground(browser, gw, {}, async ({ page }) => {
      assert.match(await textOf(page, '.tagline'), /Real TCP and UDP sockets/);
      await page.waitForSelector('.first-steps:not([hidden]) .first-step[data-step="2"]');
      await page.waitForSelector('.ex-tab[aria-selected="true"]');
      await page.waitForFunction(() => window.sockgatePlayground.python.editor.text.includes('import socket'));
      await waitForText(page, '.ex-editor', 'int main');
      // Not the header comment or the imports: the code.
      await page.waitForFunction(() => document.querySelector('.py-editor .cm-scroller').scrollTop > 0);
      assert.match(await firstVisibleLine(page, '.py-editor'), /^HOST = /);
      assert.match(await firstVisibleLine(page, '.ex-editor'), /^int main\(/);
      assert.equal(await page.evaluate(() => window.scrollY), 0, 'the page itself did not scroll');
      await screenshot(page, 'first-look-1440.png');

      // Step 1 and step 2, on a free port set as the programs' argument.
      const port = String(await freePort('tcp'));
      for (const name of ['tcp_server', 'tcp_client']) {
        await page.click(`.py-tab[data-program="${name}"]`);
        await page.fill('.py-args', port);
      }
      await page.click('.first-step[data-step="1"]');
      await waitForText(page, pyOutput('tcp_server'), `Listening on 127.0.0.1:${port}`, 60000);
      await page.click('.first-step[data-step="2"]');
      await waitForText(page, pyOutput('tcp_client'), 'Received:', 60000);
      await waitForText(page, pyOutput('tcp_server'), 'Hello from client!');
      await page.click('.py-tab[data-program="tcp_server"]');
      await page.click('.py-stop');
      await page.waitForSelector('.py-tab[data-program="tcp_server"][data-status="stopped"]', { timeout: 20000 });

      // Dismissed, it stays away after a reload.
      await page.click('.first-steps-dismiss');
      assert.equal(await page.isHidden('.first-steps'), true);
      await page.reload();
      await page.waitForSelector('.conn[data-state="connected"]');
      assert.equal(await page.isHidden('.first-steps'), true);
    });
  });

  it('shows the console and the sequence diagram on the first screen at 1024x768', async () => {
    await inPlayground(browser, gw, { viewport: { width: 1024, height: 768 } }, async ({ page }) => {
      await page.waitForSelector('.ex-tab');
      for (const panel of ['#python', '#console', '#sequence']) {
        const box = await page.$eval(panel, (el) => { const r = el.getBoundingClientRect(); return { top: r.top, bottom: r.bottom }; });
        // Its head and some of its content: 120 pixels of it at least.
        assert.ok(box.top + 120 <= 768, `${panel} starts at ${box.top}px`);
      }
      assert.ok(await page.$eval('#console .console-input', (el) => el.getBoundingClientRect().bottom <= 768), 'the console input is on the first screen');
      await screenshot(page, 'first-look-1024.png');
    });
  });
});
