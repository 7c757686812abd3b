// Screenshots of the chain editor for the README: a gallery chain on the canvas, one
// step open in the inspector, after a race.
// Usage: node tools/editor-screenshot.mjs <url> <out.png> [chain-key] [step-id]
import { chromium } from 'playwright-core';

const [url = 'http://127.0.0.1:4173/', out = 'editor.png', chain = 'research-assistant', step = 'summarize_a'] =
  process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
page.on('pageerror', (e) => console.log('pageerror', e.message));
await page.goto(url);
await page.evaluate(() => localStorage.clear());
await page.reload();
await page.getByTestId('chain-select').selectOption(chain);
await page.getByTestId(`node-${step}`).dblclick();
await page.getByTestId('inspector').waitFor();
await page.getByTestId('fit').click();
await page.waitForTimeout(300);
const editor = page.locator('section.editor');
await editor.scrollIntoViewIfNeeded();
await editor.screenshot({ path: out });
await browser.close();
