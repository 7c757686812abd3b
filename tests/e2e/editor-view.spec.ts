import { test, expect } from '@playwright/test';
import { EditorPage } from './editor-page';

// Pan and zoom: wheel, background drag, buttons and keys; fit brings the chain back.
test('the canvas pans and zooms, and fit shows the whole chain again', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.open();
  const view = page.locator('svg.canvas g.viewport');
  const canvas = page.getByTestId('canvas');
  const fitted = await view.getAttribute('transform');
  const scale = async () => parseFloat(/scale\(([\d.]+)\)/.exec((await view.getAttribute('transform')) ?? '')![1]);
  const start = await scale();

  await editor.showCanvas();
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + 20, box.y + box.height - 20);
  const scrolled = await page.evaluate(() => window.scrollY);
  await page.mouse.wheel(0, -300);
  await expect.poll(scale).toBeGreaterThan(start);
  // The wheel zooms the canvas; it does not also scroll the page.
  expect(await page.evaluate(() => window.scrollY)).toBe(scrolled);
  await page.getByTestId('zoom-out').click();
  await page.getByTestId('zoom-out').click();
  await page.getByTestId('zoom-out').click();
  await expect.poll(scale).toBeLessThan(start);

  // Dragging the empty background pans.
  const before = await view.getAttribute('transform');
  await page.mouse.move(box.x + 20, box.y + box.height - 20);
  await page.mouse.down();
  await page.mouse.move(box.x + 120, box.y + box.height - 60, { steps: 5 });
  await page.mouse.up();
  await expect(view).not.toHaveAttribute('transform', before ?? '');

  // With nothing selected, arrow keys on the canvas pan too.
  const panned = await view.getAttribute('transform');
  await canvas.focus();
  await page.keyboard.press('ArrowLeft');
  await expect(view).not.toHaveAttribute('transform', panned ?? '');

  await page.getByTestId('fit').click();
  await expect(view).toHaveAttribute('transform', fitted ?? '');
  expect(editor.errors).toEqual([]);
});
