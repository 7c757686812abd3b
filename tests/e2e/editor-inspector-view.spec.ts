import { test, expect } from '@playwright/test';

// Opening the inspector narrows the canvas; the step it shows stays in view.

test.use({ viewport: { width: 1280, height: 720 } });

test('the step opened in the inspector stays in view', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('chain-select')).toHaveValue('research-assistant');
  const canvas = page.getByTestId('canvas');
  const node = page.getByTestId('node-answer');
  const before = (await canvas.boundingBox())!;
  // Fitted to the wide canvas, the last step sits near its right edge.
  const box = (await node.boundingBox())!;
  expect(box.x + box.width).toBeGreaterThan(before.x + before.width * 0.7);
  await node.click();
  await expect(page.getByTestId('inspector')).toBeVisible();
  await expect
    .poll(async () => (await canvas.boundingBox())!.width)
    .toBeLessThan(before.width - 100);
  await expect
    .poll(async () => {
      const c = (await canvas.boundingBox())!;
      const n = (await node.boundingBox())!;
      return n.x >= c.x && n.x + n.width <= c.x + c.width && n.y >= c.y && n.y + n.height <= c.y + c.height;
    })
    .toBe(true);
});
