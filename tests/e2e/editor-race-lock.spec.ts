import { test, expect } from '@playwright/test';
import { EditorPage } from './editor-page';

test('while a race runs the chain cannot change under it; afterwards it can', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.open();
  await editor.load('sequential-only');
  await editor.showCanvas();
  await editor.node('draft').click();
  await expect(page.getByTestId('inspector')).toBeVisible();
  await page.getByTestId('run').click();

  await expect(page.getByTestId('palette-llm')).toBeDisabled();
  await expect(page.getByTestId('inspector').getByTestId('field-label')).toBeDisabled();
  await editor.node('draft').focus();
  await page.keyboard.press('Delete');
  await expect(editor.message()).toContainText('A race is running');
  await expect(editor.node('draft')).toBeVisible();

  await editor.totals();
  await expect(page.getByTestId('palette-llm')).toBeEnabled();
  await page.keyboard.press('Delete');
  await expect(editor.node('draft')).toHaveCount(0);
  expect(editor.errors).toEqual([]);
});
