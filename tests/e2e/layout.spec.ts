import { test, expect, Page } from '@playwright/test';

// The race on one screen: after one click on Run, the chain, all three lanes with
// their totals and the verdict are in the window together, and the page itself does
// not scroll, on a projector, a laptop and a big screen. On a phone the page is as
// wide as the phone and the lanes use its whole width.

const MODES = ['sequential', 'staged', 'eager'];

async function runAndWait(page: Page) {
  await page.getByTestId('run').click();
  for (const mode of MODES) {
    await expect(page.getByTestId(`total-${mode}`)).toHaveText(/^\d+ ms$/, { timeout: 20_000 });
  }
  await expect(page.locator('p.verdict[role=status]')).toBeVisible();
}

async function expectInWindow(page: Page, testids: string[]) {
  const { width, height } = page.viewportSize()!;
  for (const id of testids) {
    const box = await page.getByTestId(id).boundingBox();
    expect(box, `${id} is drawn`).not.toBeNull();
    expect(box!.x, `${id} left`).toBeGreaterThanOrEqual(0);
    expect(box!.y, `${id} top`).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width, `${id} right`).toBeLessThanOrEqual(width + 0.5);
    expect(box!.y + box!.height, `${id} bottom`).toBeLessThanOrEqual(height + 0.5);
  }
  const verdict = (await page.locator('p.verdict[role=status]').boundingBox())!;
  expect(verdict.y + verdict.height).toBeLessThanOrEqual(height + 0.5);
  expect(verdict.x + verdict.width).toBeLessThanOrEqual(width + 0.5);
}

async function pageScroll(page: Page) {
  return page.evaluate(() => ({
    height: document.scrollingElement!.scrollHeight,
    width: document.scrollingElement!.scrollWidth,
    innerHeight,
    innerWidth,
  }));
}

/// The figures table and its caption stay inside the rail: the caption wraps to the
/// rail's width, and a table wider than the rail scrolls inside its own box (never
/// clipped by the rail's edge), with its mode names in view.
async function expectFiguresInRail(page: Page) {
  const figures = page.getByTestId('figures');
  await figures.scrollIntoViewIfNeeded();
  const rail = (await page.getByTestId('rail').boundingBox())!;
  const box = page.locator('.table-scroll', { has: figures });
  const scroller = (await box.boundingBox())!;
  const caption = (await figures.locator('caption').boundingBox())!;
  const right = Math.min(rail.x + rail.width, page.viewportSize()!.width) + 0.5;
  for (const [what, b] of [['table box', scroller], ['caption', caption]] as const) {
    expect(b.x, `${what} left`).toBeGreaterThanOrEqual(rail.x - 0.5);
    expect(b.x + b.width, `${what} right`).toBeLessThanOrEqual(right);
  }
  const { scrollWidth, clientWidth, overflowX } = await box.evaluate((el) => ({
    scrollWidth: el.scrollWidth,
    clientWidth: el.clientWidth,
    overflowX: getComputedStyle(el).overflowX,
  }));
  if (scrollWidth > clientWidth + 1) {
    expect(overflowX).toBe('auto');
    // The box scrolls; the mode names stay at its left edge.
    await box.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
    const name = (await figures.locator('tr[data-mode="eager"] th').boundingBox())!;
    expect(name.x).toBeGreaterThanOrEqual(scroller.x - 0.5);
    expect(name.x + name.width).toBeLessThanOrEqual(scroller.x + scroller.width / 2);
    await box.evaluate((el) => el.scrollTo({ left: 0 }));
  }
}

const sizes = [
  { name: 'a 1280×720 projector in projector mode', width: 1280, height: 720, projector: true },
  { name: 'a 1366×768 laptop', width: 1366, height: 768, projector: false },
  { name: 'a 1920×1080 screen', width: 1920, height: 1080, projector: false },
];

for (const size of sizes) {
  test(`after Run the chain and the three lanes are in the window on ${size.name}`, async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setViewportSize({ width: size.width, height: size.height });
    await page.goto('/');
    await expect(page.getByTestId('node-question')).toBeVisible();
    if (size.projector) {
      await page.getByTestId('projector').click();
      await expect(page.locator('html')).toHaveClass(/projector/);
    }
    await runAndWait(page);
    await expectInWindow(page, [
      'canvas',
      'run',
      ...MODES.map((m) => `lane-${m}`),
      ...MODES.map((m) => `total-${m}`),
    ]);
    // Every row of every lane is drawn inside its lane, none scrolled away.
    for (const mode of MODES) {
      const lane = (await page.getByTestId(`lane-${mode}`).boundingBox())!;
      const rows = page.getByTestId(`lane-${mode}`).locator('.row[data-step]');
      const last = (await rows.last().boundingBox())!;
      expect(last.y + last.height).toBeLessThanOrEqual(lane.y + lane.height + 0.5);
    }
    // Every label of the time axis is whole, the last one too (it was cut off at the
    // right edge at 1280×720).
    const axis = (await page.locator('.row.axis').first().boundingBox())!;
    const ticks = page.locator('.row.axis .tick');
    expect(await ticks.count()).toBeGreaterThan(2);
    for (const tick of await ticks.all()) {
      const box = (await tick.boundingBox())!;
      expect(box.x + box.width, `tick ${await tick.textContent()} right`).toBeLessThanOrEqual(axis.x + axis.width + 0.5);
    }
    const scroll = await pageScroll(page);
    expect(scroll.height).toBeLessThanOrEqual(scroll.innerHeight);
    expect(scroll.width).toBeLessThanOrEqual(scroll.innerWidth);
    await expectFiguresInRail(page);
    expect(errors).toEqual([]);
  });
}

test('opening the inspector and the drawer does not move the race', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto('/');
  await runAndWait(page);
  const before = (await page.getByTestId('lane-eager').boundingBox())!;
  await page.getByTestId('node-search_a').dblclick();
  await expect(page.getByTestId('inspector')).toBeVisible();
  expect(await page.getByTestId('lane-eager').boundingBox()).toEqual(before);
  await page.getByTestId('menu').click();
  await expect(page.getByTestId('drawer')).toBeVisible();
  expect(await page.getByTestId('lane-eager').boundingBox()).toEqual(before);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('drawer')).toBeHidden();
});

test('the handle between the canvas and the race resizes them', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto('/');
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  await page.getByTestId('split-handle').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  const taller = (await page.getByTestId('canvas').boundingBox())!;
  expect(taller.height).toBeGreaterThan(canvas.height + 40);
  const handle = (await page.getByTestId('split-handle').boundingBox())!;
  await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
  await page.mouse.down();
  await page.mouse.move(handle.x + handle.width / 2, handle.y - 150, { steps: 5 });
  await page.mouse.up();
  const shorter = (await page.getByTestId('canvas').boundingBox())!;
  expect(shorter.height).toBeLessThan(taller.height - 100);
});

test('before any run the axis shows the scale of the race, and the narration keeps its height', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto('/');
  // allTextContents does not wait for the app to mount: wait until the axis is drawn.
  await expect.poll(() => page.locator('.axis .tick').count(), { timeout: 20_000 }).toBeGreaterThan(2);
  const ticks = await page.locator('.axis .tick').allTextContents();
  expect(new Set(ticks).size).toBe(ticks.length);
  expect(ticks.at(-1)).not.toBe('1 ms');
  await runAndWait(page);
  await page.getByTestId('narrate').click();
  await page.getByTestId('restart').click();
  const lane = (await page.getByTestId('lane-eager').boundingBox())!;
  const heights = new Set<number>();
  for (let i = 0; i < 8; i++) {
    await page.getByTestId('step-forward').click();
    heights.add(Math.round((await page.getByTestId('captions').boundingBox())!.height));
    expect(await page.getByTestId('lane-eager').boundingBox()).toEqual(lane);
  }
  expect(heights.size).toBe(1);
});

test('each lane header shows one figure with its label, and eager is never held back', async ({ page }) => {
  await page.goto('/');
  await runAndWait(page);
  for (const mode of MODES) {
    const head = page.getByTestId(`lane-${mode}`).locator('.lane-head .figures');
    const text = (await head.innerText()).replace(/\s+/g, ' ');
    expect(text.match(/\d+ ms/g), text).toHaveLength(1);
    expect(text).toMatch(/total \d+ ms/);
  }
  const eager = page.getByTestId('figures').locator('tr[data-mode="eager"] td').nth(5);
  await expect(eager).toHaveText('never');
});

test('on a 412 px phone the page is as wide as the phone and the lanes use its width', async ({ browser }) => {
  const context = await browser.newContext({
    viewport: { width: 412, height: 915 },
    deviceScaleFactor: 2.625,
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.getByTestId('node-question')).toBeVisible();
  const widths = async () =>
    page.evaluate(() => ({
      client: document.documentElement.clientWidth,
      scroll: document.scrollingElement!.scrollWidth,
      inner: innerWidth,
    }));
  expect(await widths()).toEqual({ client: 412, scroll: 412, inner: 412 });
  const run = (await page.getByTestId('run').boundingBox())!;
  expect(run.y + run.height).toBeLessThanOrEqual(915);
  expect(run.height).toBeGreaterThanOrEqual(40);
  await page.getByTestId('run').tap();
  for (const mode of MODES) {
    await expect(page.getByTestId(`total-${mode}`)).toHaveText(/^\d+ ms$/, { timeout: 20_000 });
  }
  expect(await widths()).toEqual({ client: 412, scroll: 412, inner: 412 });
  // Lanes stack, each nearly as wide as the phone, its bars across most of a row.
  let bottom = 0;
  for (const mode of MODES) {
    const lane = (await page.getByTestId(`lane-${mode}`).boundingBox())!;
    expect(lane.width).toBeGreaterThan(380);
    expect(lane.y).toBeGreaterThanOrEqual(bottom - 0.5);
    bottom = lane.y + lane.height;
    const track = (await page.getByTestId(`lane-${mode}`).locator('.row[data-step] .track').first().boundingBox())!;
    expect(track.width).toBeGreaterThan(412 * 0.6);
  }
  // One finger scrolls the page over the canvas.
  expect(await page.getByTestId('canvas').evaluate((el) => getComputedStyle(el).touchAction)).toContain('pan-y');
  await expectFiguresInRail(page);
  expect(await widths()).toEqual({ client: 412, scroll: 412, inner: 412 });
  await context.close();
});

test('step labels follow their rows: full size when rows are tall, smaller when a lane holds many, and again when the window grows', async ({ page }) => {
  const labelPx = () =>
    page.locator('.lane.eager .step-label').first().evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto('/');
  await runAndWait(page);
  expect(await labelPx()).toBeGreaterThanOrEqual(14);

  // Thirty steps one after another: a lane's rows get thinner than 1.5rem at 1280×720.
  const steps = [{ id: 'q', label: 'q', kind: { type: 'input', text: 'x' } }];
  for (let i = 1; i <= 30; i++) {
    steps.push({ id: `s${i}`, label: `step ${i}`, kind: { type: 'llm', provider: 'simulator', model: 'sim', prompt: 'go' }, inputs: [i === 1 ? 'q' : `s${i - 1}`] } as never);
  }
  await page.evaluate((chain) => localStorage.setItem('chainlab.chain', chain), JSON.stringify({ name: 'long', seed: 1, steps }));
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.reload();
  await runAndWait(page);
  await expect.poll(labelPx).toBeLessThan(12);
  // Each label stays inside its row.
  const fits = await page.locator('.lane.eager .lane-body .row').evaluateAll((rows) =>
    rows.every((row) => {
      const label = row.querySelector('.step-label');
      return !label || label.getBoundingClientRect().height <= row.getBoundingClientRect().height + 1;
    }),
  );
  expect(fits).toBe(true);
  const small = await labelPx();
  await page.setViewportSize({ width: 1920, height: 1080 });
  await expect.poll(labelPx).toBeGreaterThan(small);
});
