// The README's screenshots of the race on one screen, each right after Run:
// node tools/layout-screenshots.mjs [base-url] [out-dir]
// docs/screen-projector.png (1280×720, projector mode), docs/screen-laptop.png
// (1366×768), docs/screen-wide.png (1920×1080), docs/screen-phone.png (412×915).
import { chromium } from 'playwright-core';

const [base = 'http://127.0.0.1:4173/', dir = 'docs'] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
const shots = [
  { name: 'projector', viewport: { width: 1280, height: 720 }, projector: true },
  { name: 'laptop', viewport: { width: 1366, height: 768 } },
  { name: 'wide', viewport: { width: 1920, height: 1080 } },
  { name: 'phone', viewport: { width: 412, height: 915 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 },
];
for (const shot of shots) {
  const context = await browser.newContext({
    viewport: shot.viewport,
    isMobile: shot.isMobile ?? false,
    hasTouch: shot.hasTouch ?? false,
    deviceScaleFactor: shot.deviceScaleFactor ?? 1,
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(shot.name, 'pageerror', e.message));
  page.on('console', (m) => { if (m.type() === 'error') console.log(shot.name, 'console', m.text()); });
  await page.goto(base);
  await page.getByTestId('node-question').waitFor();
  if (shot.projector) await page.keyboard.press('p');
  await page.getByTestId('run').click();
  for (const mode of ['sequential', 'staged', 'eager']) {
    await page.getByTestId(`total-${mode}`).filter({ hasText: /\d+ ms/ }).waitFor({ timeout: 20000 });
  }
  await page.waitForTimeout(300);
  if (shot.isMobile) await page.getByTestId('lane-sequential').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(200);
  await page.screenshot({ path: `${dir}/screen-${shot.name}.png` });
  await context.close();
}
await browser.close();
