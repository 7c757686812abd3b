import { test, expect } from '@playwright/test';
import { EditorPage } from './editor-page';

test('a connection picked with the mouse is removed with the Delete key', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.open();
  await editor.load('uneven-branches');
  await editor.showCanvas();

  // C and D stand in one row, so the middle of their edge is on the line.
  const box = (await page.getByTestId('edge-hit-c-d').boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await expect(editor.message()).toContainText('press Delete');
  await page.keyboard.press('Delete');
  await expect(editor.edge('c', 'd')).toHaveCount(0);
  // D's prompt still names C, which is no longer its input: shown on D.
  await expect(editor.node('d')).toHaveClass(/has-problem/);
  await expect(editor.node('c')).toBeVisible();
  await page.keyboard.press('ControlOrMeta+Z');
  await expect(editor.edge('c', 'd')).toHaveCount(1);
  expect(editor.errors).toEqual([]);
});
