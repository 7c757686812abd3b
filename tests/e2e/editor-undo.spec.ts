import { test, expect } from '@playwright/test';
import { EditorPage } from './editor-page';

test('undo and redo walk every change back and forth', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.open();
  await editor.load('uneven-branches');
  await expect(editor.node('d')).toBeVisible();

  // A move, then a deletion.
  const at = await editor.node('b').getAttribute('transform');
  await editor.drag('b', 0, 60);
  await expect(editor.node('b')).not.toHaveAttribute('transform', at ?? '');
  const moved = await editor.node('b').getAttribute('transform');
  await editor.node('d').click();
  await page.keyboard.press('Delete');
  await expect(editor.node('d')).toHaveCount(0);
  await expect(editor.edge('c', 'd')).toHaveCount(0);

  // Keys: Ctrl/Cmd+Z undoes the deletion, then the move.
  await page.keyboard.press('ControlOrMeta+Z');
  await expect(editor.node('d')).toBeVisible();
  await expect(editor.edge('c', 'd')).toHaveCount(1);
  await page.keyboard.press('ControlOrMeta+Z');
  await expect(editor.node('b')).toHaveAttribute('transform', at ?? '');

  // Ctrl/Cmd+Shift+Z redoes them.
  await page.keyboard.press('ControlOrMeta+Shift+Z');
  await expect(editor.node('b')).toHaveAttribute('transform', moved ?? '');
  await page.keyboard.press('ControlOrMeta+Shift+Z');
  await expect(editor.node('d')).toHaveCount(0);

  // The buttons do the same, and say when there is nothing left.
  await page.getByTestId('undo').click();
  await expect(editor.node('d')).toBeVisible();
  await page.getByTestId('redo').click();
  await expect(editor.node('d')).toHaveCount(0);
  await expect(page.getByTestId('redo')).toBeDisabled();

  // Loading a gallery chain is a change too: undo brings the edited chain back.
  await editor.load('research-assistant');
  await expect(editor.node('question')).toBeVisible();
  await page.getByTestId('undo').click();
  await expect(editor.node('b')).toHaveAttribute('transform', moved ?? '');
  await expect(editor.node('d')).toHaveCount(0);
  expect(editor.errors).toEqual([]);
});
