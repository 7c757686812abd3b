import { test, expect } from '@playwright/test';
import { EditorPage } from './editor-page';

test('several steps are selected by shift-click or box, moved and deleted together', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.open();
  await editor.load('travel-planning');
  await editor.showCanvas();

  // Shift-click two steps, delete both with one key press; one undo brings both back.
  await editor.node('weather').click();
  await editor.node('events').click({ modifiers: ['Shift'] });
  await expect(page.locator('.node.selected')).toHaveCount(2);
  await page.keyboard.press('Delete');
  await expect(editor.node('weather')).toHaveCount(0);
  await expect(editor.node('events')).toHaveCount(0);
  await page.getByTestId('undo').click();
  await expect(editor.node('weather')).toBeVisible();
  await expect(editor.node('events')).toBeVisible();

  // A Shift-drag box over the whole canvas selects every step; dragging one moves all.
  await page.keyboard.press('Escape');
  const box = (await page.getByTestId('canvas').boundingBox())!;
  await page.keyboard.down('Shift');
  await page.mouse.move(box.x + box.width - 5, box.y + box.height - 5);
  await page.mouse.down();
  await page.mouse.move(box.x + 5, box.y + 40, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await expect(page.locator('.node.selected')).toHaveCount(7);
  const trip = await editor.node('trip').getAttribute('transform');
  const plan = await editor.node('plan').getAttribute('transform');
  await editor.drag('flights', 40, 30);
  await expect(editor.node('trip')).not.toHaveAttribute('transform', trip ?? '');
  await expect(editor.node('plan')).not.toHaveAttribute('transform', plan ?? '');
  expect(editor.errors).toEqual([]);
});
