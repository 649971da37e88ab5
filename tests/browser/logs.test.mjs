// Logs people can use: console lines carry their time, sent and received
// data differ in colour, text and hex can be read side by side, and the
// console, the wire view and a program's output can be copied and saved as
// text and as JSON that hold what was really sent.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  requireWebRoot, startGatewayAndBrowser, stopAll, openPlayground, command, waitForText, screenshot, freePort,
} from './helpers.mjs';

const CHINESE = '你好，世界';

// Clicks an entry of the export menu in `scope` and resolves the saved file's name and text.
async function save(page, scope, entry) {
  await page.click(`${scope} .export summary`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`${scope} .export-item[data-export="${entry}"]`)]);
  return { name: download.suggestedFilename(), text: await readFile(await download.path(), 'utf8') };
}

describe('logs', { timeout: 120000 }, () => {
  let gw;
  let browser;
  let tab;

  before(async () => {
    requireWebRoot({ examples: true });
    ({ gw, browser } = await startGatewayAndBrowser());
    tab = await openPlayground(browser, gw);
    await tab.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gw.base });
    await command(tab.page, `connect ${gw.demo.host} ${gw.demo.port}`);
    await waitForText(tab.page, '.console-out', /connected 127\.0\.0\.1/);
    await command(tab.page, `send 1 ${CHINESE}`);
    await tab.page.waitForSelector('.cl-data.data-in');
  });
  after(async () => {
    await tab?.context.close();
    await stopAll(browser, gw);
  });

  it('times every console line and tells sent from received by colour', async () => {
    const { page } = tab;
    const times = await page.$$eval('.console-out > .cl', (lines) => lines.map((l) => l.querySelector(':scope > .cl-time')?.textContent ?? null));
    assert.ok(times.length >= 4, times.join(', '));
    for (const t of times) assert.match(t ?? 'none', /^\d\d:\d\d:\d\d\.\d{3}$/);
    const colour = (sel) => page.$eval(sel, (el) => getComputedStyle(el).color);
    assert.notEqual(await colour('.data-in .bytes-text'), await colour('.data-out .bytes-text'));
  });

  it('shows text and hex side by side', async () => {
    const { page } = tab;
    await page.click('#console .seg-btn:has-text("both")');
    const boxes = await page.$eval('.data-in .bytes-both', (el) => {
      const r = (s) => { const b = el.querySelector(s).getBoundingClientRect(); return { x: b.x, y: b.y, w: b.width }; };
      return { text: r('.bytes-text'), hex: r('.bytes-hex'), hexText: el.querySelector('.bytes-hex').textContent, textText: el.querySelector('.bytes-text').textContent };
    });
    assert.ok(boxes.hex.x >= boxes.text.x + boxes.text.w && Math.abs(boxes.hex.y - boxes.text.y) < 4, JSON.stringify(boxes));
    assert.ok(boxes.text.w >= 80, `the text column is ${boxes.text.w}px wide`);
    assert.ok(boxes.textText.includes(CHINESE), boxes.textText);
    assert.match(boxes.hexText, /e4 bd a0 e5 a5 bd/, 'the UTF-8 bytes of 你好');
    await screenshot(page, 'console-text-and-hex.png');
    await page.click('#console .seg-btn:has-text("text")');
  });

  it('saves the console as text and as JSON with the bytes sent and received', async () => {
    const { page } = tab;
    const txt = await save(page, '#console', 'Save .txt');
    assert.match(txt.name, /^sockgate-console-\d{8}-\d{6}\.txt$/);
    assert.match(txt.text, new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[1\\] received \\d+ B: ${CHINESE}`, 'm'));
    const json = await save(page, '#console', 'Save .json');
    const records = JSON.parse(json.text);
    const sent = records.find((r) => r.dir === 'out');
    const received = records.find((r) => r.dir === 'in');
    const hexOf = (s) => Buffer.from(s).toString('hex');
    assert.equal(sent.sock, 1);
    assert.ok(sent.hex.startsWith(hexOf(CHINESE)), sent.hex);
    assert.equal(received.hex, sent.hex, 'the echo holds the same bytes');
    assert.ok(!Number.isNaN(Date.parse(received.time)));
  });

  it('copies the wire view as text and saves it as JSON with the protocol messages', async () => {
    const { page } = tab;
    await page.click('#wire .export summary');
    await page.click('#wire .export-item[data-export="Copy text"]');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(copied, /C→G JSON \{"id":1,"op":"hello"/);
    assert.match(copied, /G→C DATA \[1\]/);
    const json = JSON.parse((await save(page, '#wire', 'Save .json')).text);
    assert.equal(json.find((r) => r.json?.op === 'hello' && r.dir === 'page→gateway')?.json.version, 1);
    const data = json.find((r) => r.frame?.type === 'DATA' && r.dir === 'gateway→page');
    assert.ok(data.frame.preview_hex.startsWith(Buffer.from(CHINESE).toString('hex').slice(0, 12)), data.frame.preview_hex);
  });

  it('saves a program\'s output with its streams', async () => {
    const { page } = tab;
    const port = await freePort('both');
    await page.click('.ex-tab[data-example="tcp_server"]');
    await page.fill('.ex-args', `127.0.0.1 ${port}`);
    await page.click('.btn-run');
    await waitForText(page, '.ex-output[data-example="tcp_server"]', 'listening');
    const txt = await save(page, '#examples .ex-outputs', 'Save .txt');
    assert.match(txt.name, /^tcp_server-output-/);
    assert.match(txt.text, new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\$ tcp_server 127\\.0\\.0\\.1 ${port}$`, 'm'));
    const json = JSON.parse((await save(page, '#examples .ex-outputs', 'Save .json')).text);
    assert.deepEqual(json[0].stream, 'sys');
    assert.ok(json.some((r) => r.stream === 'out' && r.text.includes('listening')), JSON.stringify(json));
    await page.click('.btn-stop');
    await page.waitForSelector('.ex-tab[data-example="tcp_server"][data-status="stopped"]', { timeout: 10000 });
    assert.deepEqual(tab.errors, [], 'no page errors');
  });
});
