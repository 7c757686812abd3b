// Takes a screenshot of the page after running the selected chain.
// Usage: node tools/screenshot.mjs <url> <out.png> [chain-key]
import { chromium } from 'playwright-core';

const [url = 'http://127.0.0.1:4173/', out = 'screenshot.png', chain] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
page.on('pageerror', e => console.log('pageerror', e.message));
page.on('console', m => { if (m.type() === 'error') console.log('console', m.text().slice(0, 1500)); });
await page.goto(url);
if (chain) await page.getByTestId('chain-select').selectOption(chain);
await page.getByTestId('run').click();
await page.getByTestId('total-sequential').filter({ hasText: /\d+ ms/ }).waitFor({ timeout: 20000 });
await page.screenshot({ path: out, fullPage: true });
await browser.close();
