// The page against WCAG 2.2 AA, as axe-core (from the npm registry) judges
// it in the real page, in both colour schemes and at phone size, with
// content in every view; and what axe cannot see: one heading for the page,
// tabs tied to their panels, the sequence diagram's rows read as sentences,
// the wire view as one Tab stop walked with the arrow keys, and the whole
// page walked with Tab and Shift+Tab.

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

// One Tab stop, as a keyboard user meets it (WCAG 2.4.3, 2.4.7, 2.4.11,
// 4.1.2): where it is, in the page's coordinates, what it is called, and
// whether something shows that it has focus.
function describeFocus() {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const box = el.getBoundingClientRect();
  const inView = box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0 && box.left < innerWidth && box.top < innerHeight;
  const region = el.closest('header, aside, main > section, footer');
  const labelledBy = (el.getAttribute('aria-labelledby') || '').split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
  const name = (el.getAttribute('aria-label') || labelledBy || [...(el.labels ?? [])].map((l) => l.textContent).join(' ')
    || el.textContent || el.title || el.getAttribute('placeholder') || '').replace(/\s+/g, ' ').trim();
  // The editor draws its focus ring on its frame, not on the text.
  const ringOn = el.closest('.cm-editor') ?? el;
  const style = getComputedStyle(ringOn);
  const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1) || style.boxShadow !== 'none';
  // Who it is, in words that outlive a repaint (the sockets table makes its
  // rows anew): where, what, its name, and which of its namesakes.
  const twins = [...(region ?? document.body).querySelectorAll(el.tagName)]
    .filter((e) => (e.getAttribute('aria-label') || e.textContent) === (el.getAttribute('aria-label') || el.textContent));
  return {
    id: `${region?.id ?? ''}|${el.tagName}|${name}|${el.closest('[data-sock]')?.dataset.sock ?? ''}|${twins.indexOf(el)}`,
    what: `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} "${name.slice(0, 40)}"`,
    region: region ? region.id || region.tagName.toLowerCase() : el.matches('.skip-link') ? 'skip links' : 'column handles',
    inView,
    named: name.length > 0,
    ring,
    describedBy: el.getAttribute('aria-describedby'),
    x: box.left + scrollX,
    y: box.top + scrollY,
    w: box.width,
    h: box.height,
  };
}

// Presses key (Tab or Shift+Tab) until focus comes back to where it began;
// the stops in order. Leaving the page (focus on the body) is part of the
// round. Where the key keeps focus (an editor where Tab indents), the stop
// is marked, the edit undone, and Escape pressed before the key, as the
// page tells its users to.
async function walk(page, key, limit = 250) {
  const stops = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press(key);
    // The editor marks itself focused a moment after its text gets focus.
    await page.waitForFunction(() => !document.activeElement?.closest('.cm-editor')
      || document.activeElement.closest('.cm-editor').classList.contains('cm-focused'), null, { timeout: 2000 }).catch(() => {});
    const stop = await page.evaluate(describeFocus);
    if (stop && stops.length && stop.id === stops.at(-1).id) {
      if (stops.at(-1).keyIndents) throw new Error(`${stop.what} keeps focus even after Escape: a keyboard trap`);
      stops.at(-1).keyIndents = true;
      await page.keyboard.press('Control+z');
      await page.keyboard.press('Escape');
      continue;
    }
    if (stop && stops.length && stop.id === stops[0].id) return stops;
    if (stop) stops.push(stop);
  }
  throw new Error(`${key} never came back to where it began: a trap, after ${stops.map((s) => s.what).slice(-5).join(', ')}`);
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

  for (const [size, viewport] of [['1440x900', { width: 1440, height: 900 }], ['390x844', { width: 390, height: 844 }]]) {
    it(`walks every Tab stop in reading order, each shown, named and visibly focused, at ${size}`, async () => {
      await inPlayground(browser, gw, { viewport }, async ({ page }) => {
        await fillViews(page, gw, 'light');
        await page.evaluate(() => {
          document.activeElement?.blur();
          scrollTo(0, 0);
        });
        const stops = await walk(page, 'Tab');
        const problems = [];
        for (const s of stops) {
          if (!s.inView) problems.push(`${s.what} in ${s.region} is not in view when it has focus`);
          if (!s.named) problems.push(`${s.what} in ${s.region} has no name`);
          if (!s.ring) problems.push(`${s.what} in ${s.region} shows no focus ring`);
          if (s.keyIndents) {
            const hint = await page.evaluate((id) => document.getElementById(id)?.textContent ?? '', s.describedBy ?? '');
            if (!/Esc.*Tab/.test(hint)) problems.push(`${s.what}: Tab indents there, and nothing it is described by says how to leave (${s.describedBy})`);
          }
        }
        // The regions in the page's order, each in one run: Tab never
        // leaves a panel and comes back to it later.
        const order = ['skip links', 'topbar', 'first-steps', 'python', 'examples', 'console', 'sockets', 'sequence', 'wire', 'column handles'];
        const top = stops.findIndex((s) => s.region === 'skip links');
        const fromTop = [...stops.slice(top), ...stops.slice(0, top)];
        const round = fromTop.map((s) => s.region).filter((r, i, all) => i === 0 || r !== all[i - 1]);
        assert.deepEqual(round, order.filter((r) => round.includes(r)), `regions in Tab order: ${round.join(', ')}`);
        for (const r of ['skip links', 'topbar', 'python', 'examples', 'console', 'sockets', 'sequence', 'wire']) {
          assert.ok(round.includes(r), `Tab never reaches ${r}`);
        }
        // Within a panel: down the page, or along a row to the right.
        for (let i = 1; i < stops.length; i++) {
          const [a, b] = [stops[i - 1], stops[i]];
          if (a.region !== b.region) continue;
          const up = (a.y + a.h / 2) - (b.y + b.h / 2);
          const slack = Math.max(8, a.h / 2, b.h / 2);
          if (up > slack && b.x < a.x + a.w - 8) problems.push(`in ${a.region}, ${b.what} comes after ${a.what} but sits above and to the left of it`);
        }
        assert.deepEqual(problems, [], problems.join('\n'));

        // Shift+Tab: the same stops the other way round.
        const back = await walk(page, 'Shift+Tab');
        const ids = stops.map((s) => s.id);
        const from = ids.indexOf(back[0]?.id);
        const expected = [...ids.slice(0, from + 1).reverse(), ...ids.slice(from + 1).reverse()];
        const byId = new Map([...stops, ...back].map((s) => [s.id, s.what]));
        const at = expected.findIndex((id, i) => back[i]?.id !== id);
        assert.equal(at, -1, `Shift+Tab leaves the reverse of the Tab order at stop ${at}: ${byId.get(back[at]?.id)} instead of ${byId.get(expected[at])} (after ${byId.get(expected[at - 1])})`);
        assert.equal(back.length, expected.length, 'Shift+Tab does not meet every Tab stop');
      });
    });
  }

  it('keeps focus on a socket row\'s button when the table is drawn again', async () => {
    await inPlayground(browser, gw, {}, async ({ page }) => {
      await fillViews(page, gw, 'light');
      const button = '#sockets tr[data-sock="1"] button:text-is("shutdown")';
      await page.focus(button);
      const drawn = await page.evaluate(() => {
        const before = document.querySelector('#sockets tr[data-sock="1"]');
        window.sockgatePlayground.sockets.render();
        return before !== document.querySelector('#sockets tr[data-sock="1"]');
      });
      assert.ok(drawn, 'the table was not drawn anew: the test proves nothing');
      assert.equal(await page.evaluate(() => document.activeElement.closest('tr')?.dataset.sock), '1');
      assert.equal(await page.evaluate(() => document.activeElement.textContent), 'shutdown');
    });
  });

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
