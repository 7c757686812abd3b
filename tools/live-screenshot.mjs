// Screenshot of a live race that meets the browser's six-connection limit: twelve LLM
// steps of 400 ms against the mock server, eager lane and the page's explanation.
// Usage: node tools/live-screenshot.mjs <page-url> <mock-url> <out.png>
//   (serve a release build at <page-url>; start `cargo run -p mock-llm -- --port N`)
import { chromium } from 'playwright-core';

const [url = 'http://127.0.0.1:4173/', mock = 'http://127.0.0.1:4321', out = 'live.png'] = process.argv.slice(2);
const branches = Array.from({ length: 12 }, (_, i) => ({
  id: `b${i + 1}`,
  label: `Branch ${i + 1}`,
  kind: { type: 'llm', provider: 'mock', model: 'mock:latency=400', prompt: 'Answer: {{q}}' },
  inputs: ['q'],
  // What the simulator (and so the engine's prediction) assumes: the same 400 ms.
  sim: { latency: { model: 'fixed', ms: 400 }, output: 'simulated' },
}));
const chain = {
  name: 'Twelve calls to one origin',
  seed: 1,
  steps: [
    { id: 'q', label: 'Question', kind: { type: 'input', text: 'why parallel?' } },
    ...branches,
    { id: 'out', label: 'Output', kind: { type: 'output' }, inputs: branches.map((b) => b.id) },
  ],
};
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless=new', '--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
page.on('pageerror', (e) => console.log('pageerror', e.message));
await page.addInitScript(([c, p]) => {
  localStorage.setItem('chainlab.chain', c);
  sessionStorage.setItem('chainlab.providers', p);
}, [JSON.stringify(chain), JSON.stringify([{ name: 'mock', base_url: `${mock}/v1`, key: '', limit: null }])]);
await page.goto(url);
await page.getByTestId('mode-live').click();
await page.getByTestId('mode-sequential').uncheck();
await page.getByTestId('mode-staged').uncheck();
await page.getByTestId('run').click();
await page.getByTestId('connection-note').waitFor({ timeout: 20000 });
await page.waitForTimeout(300);
const legend = await page.locator('.timeline .legend').boundingBox();
const lane = await page.locator('.lane.eager').boundingBox();
await page.screenshot({
  path: out,
  clip: { x: 0, y: legend.y - 4, width: 1100, height: lane.y + lane.height - legend.y + 8 },
  fullPage: true,
});
console.log(await page.getByTestId('connection-note').textContent());
await browser.close();
