// The page against WCAG 2.2 AA, as axe-core (from the npm registry) judges
// it in the real page, in both colour schemes and at phone size, with
// content in every view; and what axe cannot see: one heading for the page,
// tabs tied to their panels, the sequence diagram's rows read as sentences,
// and the wire view as one Tab stop walked with the arrow keys.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  requireWebRoot, startGatewayAndBrowser, stopAll, inPlayground, command, waitForText, screenshot,
} from './helpers.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

// Something in each view: an echo exchange in the console, so the sockets
// table, the sequence diagram and the wire view have rows.
async function fillViews(page, gw, colorScheme) {
  await page.emulateMedia({ colorScheme });
  await page.waitForSelector('.ex-tab');
  await command(page, `connect ${gw.demo.host} ${gw.demo.port}`);
  await waitForText(page, '.console-out', /connected 127\.0\.0\.1/);
  await command(page, 'send 1 你好, 世界');
  await page.waitForSelector('.cl-data.data-in');
  await page.waitForSelector('#wire .wire-row');
}

// The violations axe rates serious or critical, one line each with where.
async function seriousViolations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), WCAG_AA);
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')} (${(n.failureSummary || '').split('\n')[1]?.trim() ?? ''})`).join('; ')}`);
}

describe('accessibility', { timeout: 180000 }, () => {
  let gw;
  let browser;

  before(async () => {
    requireWebRoot({ examples: true });
    ({ gw, browser } = await startGatewayAndBrowser());
  });
  after(() => stopAll(browser, gw));

  for (const [name, viewport, colorScheme] of [
    ['in the light scheme', { width: 1440, height: 900 }, 'light'],
    ['in the dark scheme', { width: 1440, height: 900 }, 'dark'],
    ['at phone size', { width: 390, height: 844 }, 'light'],
  ]) {
    it(`has no serious or critical axe-core violations ${name}`, async () => {
      await inPlayground(browser, gw, { viewport }, async ({ page }) => {
        await fillViews(page, gw, colorScheme);
        const found = await seriousViolations(page);
        assert.deepEqual(found, [], found.join('\n'));
      });
    });
  }

  it('has one h1, and tabs that name the panel they control', async () => {
    await inPlayground(browser, gw, {}, async ({ page }) => {
      await page.waitForSelector('.ex-tab');
      await page.waitForSelector('.py-tab');
      assert.deepEqual(await page.$$eval('h1', (els) => els.map((e) => e.textContent.trim())), ['sockgateplayground']);
      for (const sel of ['.ex-tab', '.py-tab']) {
        const check = await page.$$eval(sel, (tabs) => tabs.map((t) => {
          const panel = document.getElementById(t.getAttribute('aria-controls'));
          return {
            role: panel?.getAttribute('role'),
            labelled: t.getAttribute('aria-selected') !== 'true' || panel?.getAttribute('aria-labelledby') === t.id,
          };
        }));
        assert.ok(check.length > 1, sel);
        for (const c of check) assert.deepEqual(c, { role: 'tabpanel', labelled: true }, sel);
      }
    });
  });

  it('reads sequence rows as sentences and walks the wire view with the arrow keys from one Tab stop', async () => {
    await inPlayground(browser, gw, {}, async ({ page }) => {
      await fillViews(page, gw, 'light');
      // No row is an image named with the raw message.
      assert.equal(await page.$$eval('#sequence [role="img"]', (els) => els.length), 0);
      const spoken = await page.$$eval('#sequence .seq-row .sr-only', (els) => els.map((e) => e.textContent));
      assert.ok(spoken.some((t) => /^page to gateway: #\d+ connect 127\.0\.0\.1:\d+$/.test(t)), spoken.join('\n'));
      assert.ok(spoken.some((t) => t.startsWith('peer to page: [1] DATA') && t.includes('你好')), spoken.join('\n'));
      assert.ok(spoken.every((t) => !t.includes('{"')), spoken.join('\n'));

      // In the wire view only the list is a Tab stop.
      const stops = await page.$$eval('#wire .wire-list, #wire .wire-list *', (els) => els.filter((e) => e.tabIndex >= 0).length);
      assert.equal(stops, 1, 'one Tab stop in the wire list');
      await page.focus('#wire .wire-list');
      await page.keyboard.press('Home');
      const first = await page.evaluate(() => document.activeElement.dataset.seq);
      await page.keyboard.press('ArrowDown');
      const second = await page.evaluate(() => document.activeElement.dataset.seq);
      assert.ok(first !== undefined && second !== undefined && Number(second) > Number(first), `${first} then ${second}`);
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => document.activeElement.classList.contains('expanded')), true);
      await screenshot(page, 'accessibility-wire-focus.png');
    });
  });
});
