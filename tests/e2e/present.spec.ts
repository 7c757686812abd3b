import { test, expect } from '@playwright/test';

// A link for slides: it opens the chain in projector mode, and the race starts at the
// first key press or click. The address bar keeps the chain's link.

test('a present link opens in projector mode and races at the first key', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await page.getByTestId('chain-select').selectOption('uneven-branches');
  await page.getByTestId('share').click();
  const presentLink = await page.getByTestId('present-link').inputValue();
  const link = await page.getByTestId('share-link').inputValue();
  expect(presentLink).toBe(`${link}&present`);

  await page.goto('about:blank');
  await page.goto(presentLink);
  await expect(page.getByTestId('node-d')).toBeVisible();
  await expect(page.locator('html')).toHaveClass(/projector/);
  await expect(page.getByTestId('total-eager')).toHaveText('—');
  await page.waitForTimeout(300);
  await expect(page.getByTestId('total-eager')).toHaveText('—');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('total-eager')).toHaveText(/^\d+ ms$/, { timeout: 20_000 });
  // The address bar holds the chain's link (without the option), for a bookmark.
  await expect.poll(() => new URL(page.url()).hash).toBe(new URL(link).hash);
  expect(errors).toEqual([]);
});

test('a present link also races at the first click', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('share').click();
  const presentLink = await page.getByTestId('present-link').inputValue();
  await page.goto('about:blank');
  await page.goto(presentLink);
  await expect(page.locator('html')).toHaveClass(/projector/);
  await page.mouse.click(600, 500);
  await expect(page.getByTestId('total-eager')).toHaveText(/^\d+ ms$/, { timeout: 20_000 });
});

test('the address bar follows the chain as it changes', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('node-question')).toBeVisible();
  await expect.poll(() => new URL(page.url()).hash).toMatch(/^#c3\./);
  const first = new URL(page.url()).hash;
  await page.getByTestId('chain-select').selectOption('uneven-branches');
  await expect.poll(() => new URL(page.url()).hash).not.toBe(first);
  await page.reload();
  await expect(page.getByTestId('node-d')).toBeVisible();
});
