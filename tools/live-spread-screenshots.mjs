// Screenshots of the race after a live race of 3 rounds against the mock server (uneven
// branches: B 500 ms; C then D 200 ms each), to see each lane's spread (median, min and
// max of the rounds) in its header: projector mode at 1280×720, a 1366×768 laptop and a
// 412 px phone.
// Usage: node tools/live-spread-screenshots.mjs <page-url> <mock-url> <out-dir>
//   (serve a release build at <page-url>; start `cargo run -p mock-llm -- --port N`)
import { chromium } from 'playwright-core';

const [base = 'http://127.0.0.1:4173/', mock = 'http://127.0.0.1:4321', dir = '.'] = process.argv.slice(2);
const llm = (id, inputs, ms) => ({
  id,
  label: id.toUpperCase(),
  kind: { type: 'llm', provider: 'mock', model: `mock:latency=${ms}`, prompt: `Go on: {{${inputs[0]}}}` },
  inputs,
  sim: { latency: { model: 'fixed', ms }, output: 'simulated' },
});
const chain = {
  name: 'Uneven branches, live',
  seed: 1,
  steps: [
    { id: 'a', label: 'A', kind: { type: 'input', text: 'why parallel?' } },
    llm('b', ['a'], 500),
    llm('c', ['a'], 200),
    llm('d', ['c'], 200),
    { id: 'e', label: 'E', kind: { type: 'output' }, inputs: ['b', 'd'] },
  ],
};
const shots = [
  { name: 'projector', viewport: { width: 1280, height: 720 }, projector: true },
  { name: 'laptop', viewport: { width: 1366, height: 768 } },
  { name: 'phone', viewport: { width: 412, height: 915 }, isMobile: true, hasTouch: true },
];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless=new', '--no-sandbox'] });
for (const shot of shots) {
  const context = await browser.newContext({
    viewport: shot.viewport,
    isMobile: shot.isMobile ?? false,
    hasTouch: shot.hasTouch ?? false,
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(shot.name, 'pageerror', e.message));
  await page.addInitScript(([c, p]) => {
    localStorage.setItem('chainlab.chain', c);
    sessionStorage.setItem('chainlab.providers', p);
  }, [JSON.stringify(chain), JSON.stringify([{ name: 'mock', base_url: `${mock}/v1`, key: '', limit: null }])]);
  await page.goto(base);
  await page.getByTestId('node-a').waitFor();
  if (shot.projector) await page.keyboard.press('p');
  await page.getByTestId('mode-live').click();
  await page.getByTestId('run').click();
  for (const mode of ['sequential', 'staged', 'eager']) {
    await page.getByTestId(`spread-${mode}`).filter({ hasText: /3 rounds/ }).waitFor({ timeout: 30000 });
  }
  await page.waitForTimeout(300);
  if (shot.isMobile) await page.getByTestId('lane-sequential').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(200);
  await page.screenshot({ path: `${dir}/live-spread-${shot.name}.png` });
  // Each spread must be whole in its lane's header: not cut, not over another figure.
  for (const mode of ['sequential', 'staged', 'eager']) {
    const fits = await page.getByTestId(`spread-${mode}`).evaluate((el) => {
      const head = el.closest('.lane-head').getBoundingClientRect();
      const r = el.getBoundingClientRect();
      return r.right <= head.right + 0.5 && r.bottom <= head.bottom + 0.5 && r.width > 0;
    });
    console.log(shot.name, mode, (await page.getByTestId(`spread-${mode}`).textContent()).trim(), fits ? 'fits' : 'CUT');
  }
  await context.close();
}
await browser.close();
