import { test, expect } from '@playwright/test';
import { EditorPage } from './editor-page';

test('the chain is kept in the browser and back after a reload', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.open();
  await editor.load('travel-planning');
  await editor.node('weather').click();
  await page.keyboard.press('Delete');
  await expect(editor.node('weather')).toHaveCount(0);
  await page.reload();
  await expect(editor.node('flights')).toBeVisible();
  await expect(editor.node('weather')).toHaveCount(0);
  expect(editor.errors).toEqual([]);
});

test('an unreadable saved chain gives a clear message, not a blank page', async ({ page }) => {
  const editor = new EditorPage(page);
  await page.goto('/');
  await page.evaluate(() => localStorage.setItem('chainlab.chain', '{"name": "half a chain", "steps": [{'));
  await page.reload();
  await expect(page.getByRole('alert').filter({ hasText: 'could not be read' })).toBeVisible();
  // The page works with the first gallery chain, and the text is kept.
  await expect(editor.node('question')).toBeVisible();
  expect(await page.evaluate(() => localStorage.getItem('chainlab.chain.unreadable'))).toContain('half a chain');
  expect(editor.errors).toEqual([]);
});
