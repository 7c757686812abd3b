import { test, expect } from '@playwright/test';
import { EditorPage } from './editor-page';

// Every gallery chain loads from its card, validates, and runs in all three modes.
const keys = [
  'research-assistant',
  'information-gathering',
  'data-processing',
  'travel-planning',
  'content-generation',
  'validation',
  'multi-modal',
  'ab-options',
  'uneven-branches',
  'sequential-only',
  'slowest-branch',
];

test('the gallery lists every chain with its explanation', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.open();
  // The gallery is in the drawer ("☰ More").
  await page.getByTestId('menu').click();
  const gallery = page.getByTestId('gallery');
  await gallery.locator('summary').click();
  await expect(gallery.locator('.card')).toHaveCount(keys.length);
  for (const key of keys) {
    // Two or three sentences for a teacher.
    await expect(gallery.getByTestId(`gallery-${key}`).locator('p')).toHaveText(/\w+[.:;] .+\.$/);
  }
});

for (const key of keys) {
  test(`gallery chain ${key} loads, validates and runs`, async ({ page }) => {
    const editor = new EditorPage(page);
    await editor.open();
    // The gallery is in the drawer ("☰ More").
  await page.getByTestId('menu').click();
  const gallery = page.getByTestId('gallery');
    await gallery.locator('summary').click();
    await gallery.getByTestId(`load-${key}`).click();
    await expect(page.getByTestId('chain-select')).toHaveValue(key);
    await expect(page.locator('.node.has-problem')).toHaveCount(0);
    await expect(page.locator('.band').first()).toBeVisible();
    const t = await editor.run();
    expect(t.eager).toBeLessThanOrEqual(t.staged + 20);
    expect(t.staged).toBeLessThanOrEqual(t.sequential + 20);
    if (key === 'sequential-only') {
      // The same schedule in both modes; only late browser timers tell them apart.
      expect(Math.abs(t.sequential - t.eager)).toBeLessThanOrEqual(Math.max(60, 0.1 * t.sequential));
    } else {
      expect(t.eager).toBeLessThan(t.sequential);
    }
    expect(editor.errors).toEqual([]);
  });
}
