import { test, expect } from '@playwright/test';

test('the app loads and shows its title', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));

  await page.goto('/');
  await expect(page).toHaveTitle('ChainLab');
  await expect(page.getByRole('heading', { name: 'ChainLab' })).toBeVisible();
  expect(errors).toEqual([]);
});
