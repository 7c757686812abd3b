import { test, expect, Page, Browser } from '@playwright/test';
import { readFileSync } from 'node:fs';
import jsQR from 'jsqr';

// A phone at the back of a classroom sees the projected QR code a few centimetres
// across: about 180 camera pixels. Every gallery chain's QR code is screenshot at
// 180 px (drawn at that size, and full screen then scaled down as a far camera sees
// it), decoded with jsQR in node, and the text must be the page's share link and open
// the same chain. jsQR finds the grid from the finder patterns' size: past version 9
// or so (two pixels a module at 180 px) it misreads the code's size at most scales, so
// a denser code (a longer link, more error correction) fails here.

const SIZE = 180;
/// Drawn at these sizes: one lucky scale is not enough.
const DRAWN = [176, 184];

/// RGBA pixels of a PNG, decoded by the browser in a blank page (no app, no CSP),
/// scaled to `size` × `size` with the browser's smoothing when asked.
async function pixels(browser: Browser, png: Buffer, size?: number) {
  const page = await browser.newPage();
  try {
    return await page.evaluate(
      async ({ data, size }) => {
        const image = new Image();
        await new Promise((ok, fail) => {
          image.onload = ok;
          image.onerror = fail;
          image.src = `data:image/png;base64,${data}`;
        });
        const width = size ?? image.naturalWidth;
        const height = size ?? image.naturalHeight;
        const canvas = document.createElement('canvas');
        canvas.width = width;
        canvas.height = height;
        const context = canvas.getContext('2d')!;
        context.imageSmoothingQuality = 'high';
        context.drawImage(image, 0, 0, width, height);
        return { width, height, rgba: Array.from(context.getImageData(0, 0, width, height).data) };
      },
      { data: png.toString('base64'), size },
    );
  } finally {
    await page.close();
  }
}

async function decode(browser: Browser, png: Buffer, size?: number) {
  const { width, height, rgba } = await pixels(browser, png, size);
  expect(Math.max(width, height)).toBeLessThanOrEqual(size ?? 200);
  return jsQR(Uint8ClampedArray.from(rgba), width, height)?.data ?? '(nothing decoded)';
}

async function stepIds(page: Page) {
  const ids = await page
    .locator('[data-testid^="node-"]')
    .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-testid')!));
  return ids.sort();
}

/// Shares the chain on the page, checks its QR code at 180 px, and returns the link
/// with the code's size in modules (quiet zone included).
async function shareAndScan(browser: Browser, page: Page, what: string) {
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  const qr = page.getByTestId('share-qr');
  const across = Number((await qr.getAttribute('viewBox'))!.split(' ')[2]);
  expect(await qr.getAttribute('shape-rendering')).toBe('crispEdges');
  for (const size of DRAWN) {
    await qr.evaluate((svg, size) => {
      (svg as SVGElement).style.width = (svg as SVGElement).style.height = `${size}px`;
    }, size);
    expect(await decode(browser, await qr.screenshot()), `${what}, drawn ${size} px, ${across} modules`).toBe(link);
  }
  await qr.evaluate((svg) => ((svg as SVGElement).style.width = (svg as SVGElement).style.height = ''));
  await page.getByTestId('qr-full-screen').click();
  const big = (await qr.boundingBox())!.width;
  expect(big).toBeGreaterThan(500);
  expect(await decode(browser, await qr.screenshot(), SIZE), `${what}, full screen scaled to ${SIZE} px`).toBe(link);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('share-link')).toHaveCount(0);
  return { link, across };
}

/// Opens `link` in a browser that has never seen the chain, and returns its steps.
async function openElsewhere(browser: Browser, link: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(link);
  await expect(page.locator('[data-testid^="node-"]').first()).toBeVisible();
  await expect(page.getByTestId('load-error')).toHaveCount(0);
  const steps = await stepIds(page);
  expect(errors).toEqual([]);
  await context.close();
  return steps;
}

test("every gallery chain's QR code decodes from a 180 px screenshot and opens the same chain", async ({ browser, page }) => {
  test.setTimeout(240_000);
  await page.goto('/');
  await expect(page.getByTestId('node-question')).toBeVisible();
  const keys = await page
    .getByTestId('chain-select')
    .locator('option')
    .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value).filter((v) => v !== ''));
  expect(keys.length).toBeGreaterThanOrEqual(10);
  for (const key of keys) {
    await page.getByTestId('chain-select').selectOption(key);
    await expect(page.getByTestId('chain-select')).toHaveValue(key);
    const steps = await stepIds(page);
    const { link, across } = await shareAndScan(browser, page, key);
    console.log(`${key}: link ${link.length} characters, QR ${across} modules across with the quiet zone (version ${(across - 25) / 4})`);
    expect(await openElsewhere(browser, link)).toEqual(steps);
  }
});

test("a teacher's edits keep the QR code readable at 180 px", async ({ browser, page }) => {
  test.setTimeout(120_000);
  await page.goto('/');
  await expect(page.getByTestId('node-question')).toBeVisible();
  await page.getByTestId('menu').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  const chain = JSON.parse(readFileSync((await download.path())!, 'utf8'));
  // A step renamed, a prompt rewritten, one more summary.
  chain.name = 'Research assistant, class 4B';
  chain.steps[1].label = 'Search the school library';
  const summary = chain.steps.find((s: { kind: { type: string } }) => s.kind.type === 'llm');
  summary.kind.prompt = 'List three facts a ten-year-old would remember from the search';
  chain.steps.push({ ...summary, id: 'summarize_c', label: 'Summarize C', position: undefined });
  await page.getByTestId('import').setInputFiles({
    name: 'edited.chainlab.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(chain)),
  });
  await expect(page.getByTestId('node-summarize_c')).toBeVisible();
  const steps = await stepIds(page);
  const { link, across } = await shareAndScan(browser, page, 'edited research assistant');
  console.log(`edited research assistant: link ${link.length} characters, QR ${across} modules across`);
  expect(await openElsewhere(browser, link)).toEqual(steps);
});

test('links of every older format still open, and a c3 link typed in lower case', async ({ browser, page }) => {
  await page.goto('/');
  await expect(page.getByTestId('node-question')).toBeVisible();
  const base = page.url().split('#')[0];
  // The links stored with the engine's tests, each made when its format was new.
  for (const version of [0, 1, 2, 3]) {
    const fragment = readFileSync(`crates/chainlab-core/tests/share-links/c${version}.txt`, 'utf8').trim();
    expect(fragment.startsWith(`c${version}.`)).toBe(true);
    const steps = await openElsewhere(browser, `${base}#${fragment}`);
    expect(steps, `c${version}`).toEqual(['node-answer', 'node-q']);
  }
  await page.getByTestId('chain-select').selectOption('uneven-branches');
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link).toMatch(/#c3\.[A-Z2-7]+$/);
  const [address, fragment] = link.split('#');
  expect(await openElsewhere(browser, `${address}#${fragment.toLowerCase()}`)).toEqual(await stepIds(page));
});
