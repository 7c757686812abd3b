import { test, expect, Page, CDPSession } from '@playwright/test';
import { EditorPage } from './editor-page';

// On a phone, one finger over the canvas scrolls the page (the chain stays put);
// panning the canvas takes pan mode, a button shown only on touch screens. The
// touches go through CDP's Input.dispatchTouchEvent, so the browser really scrolls.

test.use({ viewport: { width: 412, height: 915 }, hasTouch: true, isMobile: true });

type Point = { x: number; y: number };

/// One finger from `from` to `to`, in small steps as a finger moves.
async function swipe(cdp: CDPSession, from: Point, to: Point, steps = 12) {
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [from] });
  for (let i = 1; i <= steps; i++) {
    const t = i / steps;
    const at = { x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t };
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [at] });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

/// A point on the canvas's background (no step, no connection), low in the canvas.
async function background(page: Page): Promise<Point> {
  const p = await page.getByTestId('canvas').evaluate((svg) => {
    const r = svg.getBoundingClientRect();
    for (let y = r.bottom - 20; y > r.top + 20; y -= 8)
      for (let x = r.left + 20; x < r.right - 20; x += 8) {
        const e = document.elementFromPoint(x, y);
        if (e && svg.contains(e) && !e.closest('.node') && !e.closest('.edge')) return { x, y };
      }
    return null;
  });
  if (!p) throw new Error('no background on the canvas');
  return p;
}

const view = (page: Page) => page.locator('.canvas .viewport').getAttribute('transform');
const scrolled = (page: Page) => page.evaluate(() => document.scrollingElement?.scrollTop ?? 0);

test('one finger scrolls the page over the canvas; pan mode pans the chain', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.open();
  expect(await page.evaluate(() => matchMedia('(pointer: coarse)').matches)).toBe(true);
  const cdp = await page.context().newCDPSession(page);
  const startView = await view(page);
  const startTop = await scrolled(page);

  // A vertical swipe upwards over the canvas: the page scrolls, the chain stays.
  const at = await background(page);
  await swipe(cdp, at, { x: at.x, y: at.y - 250 });
  await expect.poll(() => scrolled(page)).toBeGreaterThan(startTop + 100);
  expect(await view(page)).toBe(startView);

  // Pan mode, a visible toggle on a touch screen: now one finger moves the chain
  // and the page stays where it is.
  const pan = page.getByTestId('pan-mode');
  await expect(pan).toBeVisible();
  await expect(pan).toHaveAttribute('aria-pressed', 'false');
  await pan.tap();
  await expect(pan).toHaveAttribute('aria-pressed', 'true');
  const top = await scrolled(page);
  const from = await background(page);
  await swipe(cdp, from, { x: from.x + 60, y: from.y - 120 });
  await expect.poll(() => view(page)).not.toBe(startView);
  expect(Math.abs((await scrolled(page)) - top)).toBeLessThan(5);

  // Off again: one finger scrolls the page again. (A tap right after a swipe only
  // stops the browser's fling and is no click, so the finger rests first, as one does.)
  await page.waitForTimeout(800);
  await pan.tap();
  await expect(pan).toHaveAttribute('aria-pressed', 'false');
  const panned = await view(page);
  const again = await background(page);
  const before = await scrolled(page);
  await swipe(cdp, again, { x: again.x, y: again.y - 200 });
  await expect.poll(() => scrolled(page)).toBeGreaterThan(before + 50);
  expect(await view(page)).toBe(panned);
  expect(editor.errors).toEqual([]);
});

test('a finger on a step still moves the step', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.open();
  const cdp = await page.context().newCDPSession(page);
  const node = editor.node('search_a');
  await node.scrollIntoViewIfNeeded();
  const box = await node.boundingBox();
  if (!box) throw new Error('no search_a');
  const before = await node.getAttribute('transform');
  const top = await scrolled(page);
  const from = { x: box.x + 40, y: box.y + box.height / 2 };
  await swipe(cdp, from, { x: from.x + 20, y: from.y + 60 });
  await expect(node).not.toHaveAttribute('transform', before ?? '');
  expect(Math.abs((await scrolled(page)) - top)).toBeLessThan(5);
});

test.describe('with a mouse', () => {
  test.use({ viewport: { width: 1366, height: 768 }, hasTouch: false, isMobile: false });
  test('there is no pan mode button (the background pans under the mouse)', async ({ page }) => {
    const editor = new EditorPage(page);
    await editor.open();
    await expect(page.getByTestId('pan-mode')).toBeHidden();
  });
});
