import { test, expect } from '@playwright/test';

// The full-screen QR code closes with its button or with Escape; the code export has
// Copy; the research assistant's QR code is small enough to have big modules
// (share-qr-180.spec.ts reads every gallery chain's from a 180 px picture).

test("the research assistant's link is at most 60 characters, and its QR code 41 modules across", async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('chain-select')).toHaveValue('research-assistant');
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  // 1,047 characters of fragment as c1 (a version-27 code, 133 modules with the quiet
  // zone), 581 as c2 (version 17, 93); as c3 a gallery chain is what differs from the
  // copy in the link dictionary: a few back-references.
  expect(new URL(link).hash.length - 1).toBeLessThanOrEqual(60);
  const viewBox = (await page.getByTestId('share-qr').getAttribute('viewBox'))!;
  const across = Number(viewBox.split(' ')[2]);
  // Version 4 (33 modules), with the four-module quiet zone on each side.
  expect(across).toBeLessThanOrEqual(41);
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
