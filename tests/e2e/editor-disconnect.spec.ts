import { test, expect } from '@playwright/test';
import { EditorPage } from './editor-page';

test('a connection picked with the mouse is removed with the Delete key', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.open();
  await editor.load('uneven-branches');
  await editor.showCanvas();

  // A press a few pixels off the thin line still picks it.
  const middle = await page.getByTestId('edge-c-d').evaluate((el) => {
    const path = el as SVGPathElement;
    const p = path.getPointAtLength(path.getTotalLength() / 2).matrixTransform(path.getScreenCTM()!);
    return { x: p.x, y: p.y };
  });
  await page.mouse.click(middle.x, middle.y + 4);
  await expect(editor.edge('c', 'd')).toHaveClass(/selected/);
  await page.keyboard.press('Delete');
  await expect(editor.edge('c', 'd')).toHaveCount(0);
  // D's prompt still names C, which is no longer its input: shown on D.
  await expect(editor.node('d')).toHaveClass(/has-problem/);
  await expect(editor.node('c')).toBeVisible();
  await page.keyboard.press('ControlOrMeta+Z');
  await expect(editor.edge('c', 'd')).toHaveCount(1);
  expect(editor.errors).toEqual([]);
});
