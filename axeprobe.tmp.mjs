import { chromium } from 'playwright-core';
import fs from 'node:fs';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless=new','--no-sandbox'] });
const ctx = await browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 768 } });
const page = await ctx.newPage();
await page.goto('http://127.0.0.1:4180/');
await page.getByTestId('node-question').waitFor();
await page.evaluate(fs.readFileSync('node_modules/axe-core/axe.min.js', 'utf8'));
const r = await page.evaluate(async () => {
  const r = await axe.run(document, { runOnly: ['label-content-name-mismatch'] });
  return r.violations.flatMap(v => v.nodes.map(n => [n.html.slice(0, 300), JSON.stringify(n.any.map(a => [a.message, a.data]))]));
});
console.log(r.slice(0, 3));
const t = await page.evaluate(() => [...document.querySelectorAll('g.node')].map(g => [g.getAttribute('aria-label'), g.textContent]));
console.log(t);
await browser.close();
