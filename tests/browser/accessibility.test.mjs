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

// ---------- The page walked with the keyboard ----------
// WCAG 2.4.3 (focus order), 2.4.7 (focus visible), 2.4.11 (focus not
// obscured), 2.1.2 (no keyboard trap), 4.1.2 (name, role).

// Run in the page after each key press: the element with focus now, and,
// for the one that had it before, whether its outline or shadow changed
// when it lost focus (its focus indicator is its own, not a permanent
// border). Stops are named by what outlives a repaint (the sockets table
// makes its rows anew): place, tag, label or text, socket, which namesake.
function inspectFocus() {
  // Where the stops live: the landmark an element is in; before the header,
  // the skip links; in the layout between two columns, the handle that
  // resizes them (each its own place, where it is drawn).
  function placeOf(el) {
    const region = el.closest('header, aside, main > section, footer');
    if (region) return { name: region.id || region.tagName.toLowerCase(), el: region };
    if (el.matches('.skip-link')) return { name: 'skip links', el: null };
    return { name: el.getAttribute('aria-label') || el.tagName.toLowerCase(), el };
  }
  const w = window.focusWalk;
  document.getElementById('focus-walk-start')?.remove();
  const active = document.activeElement;
  const el = !active || active === document.body || active === document.documentElement ? null : active;
  // The editor draws its focus ring on its frame, not on its text.
  const ringOf = (e) => e.closest('.cm-editor') ?? e;
  const ringStyle = (e) => {
    const s = getComputedStyle(ringOf(e));
    return { outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor} ${s.outlineOffset}`, shadow: s.boxShadow,
      shown: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1 && !/rgba\(.*, 0\)|transparent/.test(s.outlineColor)) || s.boxShadow !== 'none' };
  };
  let left = null;
  if (w.prev && w.prev !== el) {
    const now = w.prev.isConnected ? ringStyle(w.prev) : null;
    left = { id: w.prevId, changed: now ? now.outline !== w.prevStyle.outline || now.shadow !== w.prevStyle.shadow : null };
  }
  if (!el) { w.prev = null; return { left, stop: null }; }

  const place = placeOf(el);
  const key = (e) => (e.getAttribute('aria-label') || e.textContent || '').trim();
  const twins = [...(place.el ?? document.body).querySelectorAll(el.tagName)].filter((e) => key(e) === key(el));
  const id = `${place.name}|${el.tagName}|${key(el).slice(0, 60)}|${el.closest('[data-sock]')?.dataset.sock ?? ''}|${twins.indexOf(el)}`;

  const box = el.getBoundingClientRect();
  // Seen where it is: an element that fits the viewport wholly inside it,
  // a bigger one over at least half of it, each way.
  const seen = (lo, len, view) => Math.max(0, Math.min(lo + len, view) - Math.max(lo, 0)) >= Math.min(len, view / 2) - 1
    && (len > view || (lo >= -1 && lo + len <= view + 1));
  const inView = box.width > 0 && box.height > 0 && seen(box.left, box.width, innerWidth) && seen(box.top, box.height, innerHeight);
  const shown = el.checkVisibility({ visibilityProperty: true, opacityProperty: true });
  // Not entirely covered (2.4.11): some point of its visible part is its own.
  const [x0, x1] = [Math.max(box.left, 0), Math.min(box.right, innerWidth)];
  const [y0, y1] = [Math.max(box.top, 0), Math.min(box.bottom, innerHeight)];
  const points = [[0.5, 0.5], [0.25, 0.25], [0.75, 0.25], [0.25, 0.75], [0.75, 0.75]].map(([fx, fy]) => [x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)]);
  const uncovered = x1 > x0 && y1 > y0 && points.some(([x, y]) => { const hit = document.elementFromPoint(x, y); return hit && (el.contains(hit) || ringOf(el).contains(hit)); });
  // Focus must not have scrolled a box nobody can scroll by hand
  // (overflow: hidden): it would be out of reach of a pointer, and the
  // box's other contents pushed out of place.
  const shifted = [];
  for (let a = el.parentElement; a; a = a.parentElement) {
    const s = getComputedStyle(a);
    if ((/hidden|clip/.test(s.overflowX) && a.scrollLeft !== 0) || (/hidden|clip/.test(s.overflowY) && a.scrollTop !== 0)) {
      shifted.push(`${a.tagName.toLowerCase()}${a.id ? `#${a.id}` : ''}.${[...a.classList].join('.')} (${a.scrollLeft},${a.scrollTop})`);
    }
  }
  const ring = ringStyle(el);
  w.prev = el;
  w.prevId = id;
  w.prevStyle = ring;
  return {
    left,
    stop: {
      id,
      tag: el.tagName.toLowerCase(),
      kind: `${el.tagName.toLowerCase()}${[...el.classList].filter((c) => !/^cm-(focused|lineWrapping)$/.test(c)).map((c) => `.${c}`).join('')}`,
      region: place.name,
      inView,
      shown,
      uncovered,
      shifted,
      ringShown: ring.shown,
      describedBy: el.getAttribute('aria-describedby'),
      x: box.left + scrollX,
      y: box.top + scrollY,
      w: box.width,
      h: box.height,
    },
  };
}

// The role and name the browser gives the focused element, as assistive
// technology gets them (Chromium's accessibility tree, over CDP).
async function focusedRoleAndName(cdp) {
  const { result } = await cdp.send('Runtime.evaluate', { expression: 'document.activeElement' });
  const { nodes } = await cdp.send('Accessibility.getPartialAXTree', { objectId: result.objectId, fetchRelatives: false });
  await cdp.send('Runtime.releaseObject', { objectId: result.objectId });
  const node = nodes[0] ?? {};
  return { role: node.ignored ? 'ignored' : String(node.role?.value ?? ''), name: String(node.name?.value ?? '').replace(/\s+/g, ' ').trim() };
}

// Puts the sequential focus starting point at the top of the document, with
// nothing focused and the page scrolled to the top.
async function startAtTop(page) {
  await page.evaluate(() => {
    document.activeElement?.blur();
    const start = Object.assign(document.createElement('span'), { id: 'focus-walk-start', tabIndex: -1 });
    document.body.prepend(start);
    start.focus();
    scrollTo(0, 0);
    window.focusWalk = { prev: null };
  });
}

// Presses key (Tab or Shift+Tab) until focus comes back to the first stop;
// the stops in order, each with its role and name. Leaving the page (focus
// on the body) is part of the round. Where the key keeps focus (the Python
// editor, where Tab indents), the stop is marked, the edit undone, and
// Escape pressed before the key again, as the page tells its users to;
// if focus still stays, or the round is not closed within limit presses,
// that is a keyboard trap.
async function walk(page, cdp, key, limit = 250) {
  const stops = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press(key);
    // An editor marks itself focused (or not) a moment after its text
    // gets (or loses) focus.
    await page.waitForFunction(() => [...document.querySelectorAll('.cm-editor')]
      .every((ed) => ed.classList.contains('cm-focused') === ed.contains(document.activeElement)), null, { timeout: 2000 }).catch(() => {});
    const { left, stop } = await page.evaluate(inspectFocus);
    const before = left && stops.find((s) => s.id === left.id);
    if (before && before.ringChanges !== true) before.ringChanges = left.changed;
    if (!stop) continue;
    Object.assign(stop, await focusedRoleAndName(cdp));
    stop.what = `${stop.role} "${stop.name.slice(0, 40)}" (${stop.kind})`;
    if (stops.length && stop.id === stops.at(-1).id) {
      if (stops.at(-1).keyIndents) throw new Error(`${key} keeps focus on ${stop.what} in ${stop.region} even after Escape: a keyboard trap`);
      stops.at(-1).keyIndents = true;
      await page.keyboard.press('Control+z');
      await page.keyboard.press('Escape');
      continue;
    }
    if (stops.length && stop.id === stops[0].id) return stops;
    if (stops.some((s) => s.id === stop.id)) {
      throw new Error(`${key} comes back to ${stop.what} in ${stop.region} without passing ${stops[0].what}: focus is caught in a loop (a keyboard trap)`);
    }
    stops.push(stop);
  }
  throw new Error(`${key} pressed ${limit} times never came back to ${stops[0]?.what}: a keyboard trap, after ${stops.slice(-5).map((s) => s.what).join(', ')}`);
}

// Where b sits against a, both boxes in the page: 'above' (wholly above,
// sharing some of its width), 'left' (wholly to its left, sharing some of
// its height), or null.
function sitsBefore(b, a) {
  const overlapX = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const overlapY = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  if (b.y + b.h <= a.y + 1 && overlapX > 0) return 'above';
  if (b.x + b.w <= a.x + 1 && overlapY > 0) return 'to the left of';
  return null;
}

// The focus order against the layout's reading order; one line per fault.
//  1. The round starts at the top of the document: the skip links, then the
//     header.
//  2. Each place (landmark, skip links, column handle) is one run of stops:
//     once Tab leaves it, it never comes back.
//  3. Places in the order they are seen: if Tab reaches place A before
//     place B, B does not sit wholly above A (sharing some of its width) nor
//     wholly to its left (sharing some of its height). This allows the
//     column-by-column order of a grid of panels.
//  4. Within a place, each stop b after a: b is not wholly above a unless it
//     starts in a column to a's right (past a's right edge), and b is not on
//     a's line (sharing half the shorter one's height) wholly to its left.
function orderFaults(stops, boxes) {
  const faults = [];
  const runs = [];
  stops.forEach((s, i) => { if (!i || s.region !== stops[i - 1].region) runs.push({ region: s.region, first: s, last: s }); else runs.at(-1).last = s; });
  if (runs[0]?.region !== 'skip links' || runs[1]?.region !== 'topbar') {
    faults.push(`the round does not start with the skip links and then the header: ${runs.slice(0, 3).map((r) => r.region).join(', ')}`);
  }
  runs.forEach((r, i) => {
    const earlier = runs.findIndex((e) => e.region === r.region);
    if (earlier < i) faults.push(`Tab leaves ${r.region} at ${runs[earlier].last.what} and comes back into it at ${r.first.what}, after ${runs[i - 1].last.what} in ${runs[i - 1].region}`);
  });
  for (let i = 0; i < runs.length; i++) {
    for (let j = i + 1; j < runs.length; j++) {
      const [a, b] = [runs[i], runs[j]];
      if (!boxes[a.region] || !boxes[b.region] || a.region === b.region) continue;
      const where = sitsBefore(boxes[b.region], boxes[a.region]);
      if (where) faults.push(`Tab reaches ${a.first.what} in ${a.region} before ${b.first.what} in ${b.region}, but ${b.region} sits ${where} ${a.region}`);
    }
  }
  for (let i = 1; i < stops.length; i++) {
    const [a, b] = [stops[i - 1], stops[i]];
    if (a.region !== b.region) continue;
    const overlapY = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
    if (b.y + b.h <= a.y + 1 && b.x < a.x + a.w - 1) faults.push(`in ${a.region}, ${b.what} comes after ${a.what} but sits above it`);
    else if (overlapY >= Math.min(a.h, b.h) / 2 && b.x + b.w <= a.x + 1) faults.push(`in ${a.region}, ${b.what} comes after ${a.what} but sits to its left on the same line`);
  }
  return faults;
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
    it(`walks every Tab stop in reading order and back, each in view, named and visibly focused, at ${size}`, async () => {
      await inPlayground(browser, gw, { viewport }, async ({ page }) => {
        await fillViews(page, gw, 'light');
        const cdp = await page.context().newCDPSession(page);
        await startAtTop(page);
        const stops = await walk(page, cdp, 'Tab');
        const problems = [];
        for (const s of stops) {
          const at = `${s.what} in ${s.region}`;
          if (!s.shown) problems.push(`${at} is hidden (visibility or opacity) when it has focus`);
          if (!s.inView) problems.push(`${at} is not in the viewport when it has focus (${Math.round(s.x)},${Math.round(s.y)} ${Math.round(s.w)}x${Math.round(s.h)} in the page)`);
          if (s.inView && !s.uncovered) problems.push(`${at} is covered by something else when it has focus`);
          if (s.shifted.length) problems.push(`${at} is reached by scrolling ${s.shifted.join(', ')}, which cannot be scrolled by hand`);
          if (!s.name) problems.push(`${at} has no accessible name`);
          if (['', 'generic', 'none', 'presentation', 'ignored'].includes(s.role)) problems.push(`${at} has no role (${s.role || 'none'})`);
          if (!s.ringShown) problems.push(`${at} shows no outline or shadow when it has focus`);
          if (s.ringChanges === false) problems.push(`${at} looks the same focused and not (outline and shadow unchanged)`);
          if (s.keyIndents) {
            const hint = await page.evaluate((id) => document.getElementById(id)?.textContent ?? '', s.describedBy ?? '');
            if (!/Esc.*Tab/.test(hint)) problems.push(`${at}: Tab indents there, and nothing it is described by says how to leave (${s.describedBy})`);
          }
        }
        // Stops whose element was drawn anew before it could be seen
        // unfocused: another of the same kind must have shown the change.
        for (const s of stops.filter((x) => x.ringChanges == null)) {
          if (!stops.some((o) => o.kind === s.kind && o.ringChanges === true)) problems.push(`${s.what} in ${s.region}: no ${s.kind} was seen to change when focused`);
        }
        const boxes = await page.evaluate((names) => Object.fromEntries(names.map((n) => {
          const el = document.getElementById(n) ?? document.querySelector(`[aria-label="${n}"]`) ?? document.querySelector(n);
          const b = el?.getBoundingClientRect();
          return [n, b && { x: b.left + scrollX, y: b.top + scrollY, w: b.width, h: b.height }];
        }).filter(([, b]) => b)), [...new Set(stops.map((s) => s.region))].filter((r) => r !== 'skip links'));
        problems.push(...orderFaults(stops, boxes));
        for (const r of ['topbar', 'python', 'examples', 'console', 'sequence', 'sockets', 'wire']) {
          if (!stops.some((s) => s.region === r)) problems.push(`Tab never reaches ${r}`);
        }
        assert.equal(problems.length, 0, `${problems.join('\n')}\n\nTab order:\n${stops.map((s) => `  ${s.region}: ${s.what} at ${Math.round(s.x)},${Math.round(s.y)}`).join('\n')}`);

        // Shift+Tab from the first stop: the same stops the other way round.
        const back = await walk(page, cdp, 'Shift+Tab');
        const expected = [...stops.slice(1).reverse(), stops[0]];
        const at = expected.findIndex((s, i) => back[i]?.id !== s.id);
        assert.equal(at, -1, `Shift+Tab leaves the reverse of the Tab order at its stop ${at}: ${back[at]?.what ?? 'nothing'} instead of ${expected[at]?.what}${at > 0 ? ` (after ${expected[at - 1].what})` : ''}`);
        assert.equal(back.length, expected.length, `Shift+Tab meets ${back.length} stops, Tab ${expected.length}`);
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
