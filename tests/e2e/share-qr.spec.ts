import { test, expect, Page } from '@playwright/test';
import jsQR from 'jsqr';

// The QR code from the back of a room: it must read at 180 pixels, and the full-screen
// code closes with its button or with Escape.

async function scanAt(page: Page, size: number): Promise<string | undefined> {
  const pixels = await page.getByTestId('share-qr').evaluate(async (svg, size) => {
    const xml = new XMLSerializer().serializeToString(svg);
    const url = URL.createObjectURL(new Blob([xml], { type: 'image/svg+xml' }));
    const image = new Image();
    await new Promise((ok, fail) => {
      image.onload = ok;
      image.onerror = fail;
      image.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = size;
    canvas.height = size;
    const context = canvas.getContext('2d')!;
    context.imageSmoothingEnabled = true;
    context.drawImage(image, 0, 0, size, size);
    URL.revokeObjectURL(url);
    return Array.from(context.getImageData(0, 0, size, size).data);
  }, size);
  return jsQR(Uint8ClampedArray.from(pixels), size, size)?.data;
}

test('the research assistant link reads from a 180 px QR code', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('chain-select').selectOption('research-assistant');
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(await scanAt(page, 180)).toBe(link);
});

test('the full-screen QR code has a close button, and Escape closes it', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('share').click();
  await page.getByTestId('qr-full-screen').click();
  const { width, height } = page.viewportSize()!;
  const big = (await page.getByTestId('share-qr').boundingBox())!;
  expect(big.height).toBeGreaterThan(Math.min(width, height) * 0.9);
  await expect(page.getByTestId('qr-close')).toBeVisible();
  await page.getByTestId('qr-close').click();
  await expect(page.getByTestId('qr-close')).toHaveCount(0);
  await page.getByTestId('qr-full-screen').click();
  await expect(page.getByTestId('qr-close')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('qr-close')).toHaveCount(0);
  // The share box is still there; a second Escape closes it.
  await expect(page.getByTestId('share-link')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('share-link')).toHaveCount(0);
});

test('code export numbers levels like the canvas, shows prompts and copies', async ({ browser }) => {
  const context = await browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await context.newPage();
  await page.goto('/');
  await page.getByTestId('menu').click();
  await page.getByTestId('export-code').click();
  await page.getByTestId('export-code-langgraph').click();
  const preview = page.getByTestId('code-preview');
  await expect(preview).toBeVisible();
  await page.getByTestId('code-copy').click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(await preview.textContent());
  await page.keyboard.press('Escape');
  await expect(preview).toHaveCount(0);
  await context.close();
});
