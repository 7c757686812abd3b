import { test, expect } from '@playwright/test';

// Keys for a classroom: R runs, Space plays and pauses, arrows step, P switches
// projector mode, ? lists the keys. None fires while typing in a field.

test('R runs, Space pauses and plays, arrows step, P and ? work', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('node-question')).toBeVisible();
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('r');
  for (const mode of ['sequential', 'staged', 'eager']) {
    await expect(page.getByTestId(`total-${mode}`)).toHaveText(/^\d+ ms$/, { timeout: 20_000 });
  }
  await expect(page.getByTestId('play')).toBeVisible();
  await page.keyboard.press('Home');
  await expect(page.getByTestId('cursor-time')).toHaveText('0 ms');
  await page.keyboard.press('ArrowRight');
  const first = parseInt((await page.getByTestId('cursor-time').textContent())!, 10);
  expect(first).toBeGreaterThan(0);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('cursor-time')).toHaveText(`${first} ms`);
  await page.keyboard.press('Space');
  await expect(page.getByTestId('pause')).toBeVisible();
  await page.keyboard.press('Space');
  await expect(page.getByTestId('play')).toBeVisible();

  await page.keyboard.press('p');
  await expect(page.locator('html')).toHaveClass(/projector/);
  await page.keyboard.press('p');
  await expect(page.locator('html')).not.toHaveClass(/projector/);

  await page.keyboard.press('?');
  const dialog = page.getByTestId('shortcuts-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('Space');
  await expect(dialog).toContainText('projector');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
});

test('no shortcut fires while typing in a field', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('node-question')).toBeVisible();
  await page.getByTestId('menu').click();
  await page.getByTestId('settings').locator('summary').click();
  const name = page.getByTestId('provider-name').first();
  await name.fill('');
  await name.pressSequentially('rp? R P');
  await expect(name).toHaveValue('rp? R P');
  await expect(page.locator('html')).not.toHaveClass(/projector/);
  await expect(page.getByTestId('shortcuts-dialog')).toHaveCount(0);
  await expect(page.getByTestId('total-eager')).toHaveText('—');
  await expect(page.getByTestId('run')).toBeEnabled();
});
