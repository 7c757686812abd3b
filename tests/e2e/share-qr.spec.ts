import { test, expect } from '@playwright/test';

// The full-screen QR code closes with its button or with Escape; the code export has
// Copy.

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
  // Levels as the canvas numbers them ("runs together · level 1"), and no empty prompt.
  await expect(preview).toContainText('Level 1:');
  await expect(preview).not.toContainText('Level 0');
  expect(await preview.textContent()).not.toMatch(/prompt:\s*$/m);
  await page.getByTestId('code-copy').click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(await preview.textContent());
  await page.keyboard.press('Escape');
  await expect(preview).toHaveCount(0);
  await context.close();
});
