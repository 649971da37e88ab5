#!/usr/bin/env node
// Makes docs/images/playground.png, the README's picture of the page: the
// Python TCP server and its client run side by side, the console talking to
// the echo service, at 1440x900. Needs what the browser tests need (a built
// gateway and web root, Chromium):
//
//   node scripts/readme-screenshot.mjs [OUT.png]

import path from 'node:path';
import {
  repo, requireWebRoot, startGateway, launchBrowser, openPlayground, command, waitForText, freePort,
} from '../tests/browser/helpers.mjs';

const out = process.argv[2] || path.join(repo, 'docs/images/playground.png');
requireWebRoot({ examples: true });
const gw = await startGateway();
const browser = await launchBrowser();
try {
  const { page } = await openPlayground(browser, gw);
  await page.click('.first-steps-dismiss');
  const port = String(await freePort('tcp'));
  for (const name of ['tcp_server', 'tcp_client']) {
    await page.click(`.py-tab[data-program="${name}"]`);
    await page.fill('.py-args', port);
  }
  await page.click('.py-tab[data-program="tcp_server"]');
  await page.click('.py-run');
  await waitForText(page, '.py-output[data-program="tcp_server"]', 'Listening', 90000);
  await page.click('#python .pin-toggle');
  await page.click('.py-tab[data-program="tcp_client"]');
  await page.click('.py-run');
  await waitForText(page, '.py-output[data-program="tcp_client"]', 'Received', 90000);
  await command(page, `connect ${gw.demo.host} ${gw.demo.port}`);
  await waitForText(page, '.console-out', /connected/);
  await command(page, 'send 1 你好, sockgate');
  await page.waitForSelector('.cl-data.data-in');
  await page.evaluate(() => window.sockgatePlayground.hub.select(window.sockgatePlayground.hub.console));
  await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await gw.stop();
}
