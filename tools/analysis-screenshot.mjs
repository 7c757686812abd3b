// Screenshots of the what-if analysis at 1366×768: the distribution and limit curve
// beside the race, the slack marks and the what-if in the inspector, and projector mode.
// Usage: node tools/analysis-screenshot.mjs [base-url] [out-dir] [chain-key]
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const [base = 'http://127.0.0.1:4173/', out = 'shots', chain = 'slowest-branch'] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
page.on('pageerror', (e) => console.log('pageerror', e.message));
await page.goto(base);
await page.evaluate(() => localStorage.clear());
await page.reload();
await page.getByTestId('chain-select').selectOption(chain);
await page.getByTestId('run').click();
await page.getByTestId('total-sequential').filter({ hasText: /\d+ ms/ }).waitFor({ timeout: 30_000 });
await page.locator('[data-testid="distribution"][data-state="done"]').waitFor({ timeout: 30_000 });

await page.locator('.analysis').evaluate((el) => el.scrollIntoView({ block: 'start' }));
await page.screenshot({ path: `${out}/analysis-${chain}.png` });
await page.getByTestId('limit-curve').screenshot({ path: `${out}/limit-curve-${chain}.png` });

const first = await page.locator('g.node').nth(1).getAttribute('data-step');
await page.getByTestId('canvas').evaluate((el) => el.scrollIntoView({ block: 'start' }));
await page.getByTestId(`node-${first}`).click();
await page.getByTestId('step-slack').scrollIntoViewIfNeeded();
await page.screenshot({ path: `${out}/slack-${chain}.png` });

await page.getByTestId('projector').click();
await page.locator('.analysis').evaluate((el) => el.scrollIntoView({ block: 'start' }));
await page.screenshot({ path: `${out}/projector-${chain}.png` });
await browser.close();
