import { test, expect, Page } from '@playwright/test';
import { EditorPage } from './editor-page';

// Dragging from a step's dot onto empty canvas offers a small palette there; the
// step picked is made at the drop point, joined to the dot, selected, and one undo
// removes it. From the right-hand dot the new step is fed by the step, from the
// left-hand dot it feeds the step.

const stepIds = (page: Page) =>
  page.locator('.canvas .node').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-step')));

test('a drag from an output dot onto empty canvas makes the step it feeds there', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.open();
  const menu = page.getByTestId('port-menu');
  const before = await stepIds(page);

  // Escape cancels, and nothing is added.
  let spot = await editor.emptySpot('out');
  await editor.dragFromPort('question', 'out', spot);
  await expect(menu).toBeVisible();
  // The same kinds as the main palette, except an input step (which takes no inputs).
  await expect(menu.getByRole('menuitem')).toHaveText(['✦LLM', '⇄HTTP', '⚙transform', '⚑output']);
  await expect(page.getByTestId('port-menu-llm')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(menu).toHaveCount(0);
  await expect(editor.node('question')).toBeFocused();
  // A click elsewhere cancels too.
  await editor.dragFromPort('question', 'out', spot);
  await expect(menu).toBeVisible();
  const elsewhere = await page.getByTestId('canvas').evaluate((svg) => {
    const r = svg.getBoundingClientRect();
    for (let y = r.bottom - 10; y > r.top; y -= 10)
      for (let x = r.right - 10; x > r.left; x -= 10) {
        const e = document.elementFromPoint(x, y);
        if (e && svg.contains(e) && !e.closest('.node') && !e.closest('.edge')) return { x, y };
      }
    return null;
  });
  if (!elsewhere) throw new Error('no empty canvas to click');
  await page.mouse.click(elsewhere.x, elsewhere.y);
  await expect(menu).toHaveCount(0);
  // And so does taking the focus out of it (Shift+Tab from its first kind).
  await editor.dragFromPort('question', 'out', spot);
  await expect(page.getByTestId('port-menu-llm')).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(menu).toHaveCount(0);
  expect(await stepIds(page)).toEqual(before);

  // From the keyboard: the arrow moves to HTTP, Enter picks it.
  spot = await editor.emptySpot('out');
  await editor.dragFromPort('question', 'out', spot);
  await expect(page.getByTestId('port-menu-llm')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('port-menu-http')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(menu).toHaveCount(0);
  const made = editor.node('http_1');
  await expect(made).toBeVisible();
  await expect(made).toHaveClass(/selected/);
  await expect(editor.edge('question', 'http_1')).toHaveCount(1);
  await expect(page.getByTestId('inspector')).toBeVisible();
  // One undo removes it, edge and all.
  await page.getByTestId('undo').click();
  await expect(made).toHaveCount(0);
  await expect(editor.edge('question', 'http_1')).toHaveCount(0);
  expect(await stepIds(page)).toEqual(before);
  expect(editor.errors).toEqual([]);
});

/// A screen point in canvas units, as the view draws it now.
async function toCanvas(page: Page, p: { x: number; y: number }) {
  return page.getByTestId('canvas').evaluate((svg, p) => {
    const r = svg.getBoundingClientRect();
    const t = svg.querySelector('.viewport')?.getAttribute('transform') ?? '';
    const [x, y, zoom] = (t.match(/-?[\d.]+(e-?\d+)?/g) ?? []).map(Number);
    return { x: (p.x - r.left - x) / zoom, y: (p.y - r.top - y) / zoom };
  }, p);
}

/// Where a step is, in canvas units (its top left corner).
async function position(page: Page, id: string) {
  const t = (await page.getByTestId(`node-${id}`).getAttribute('transform')) ?? '';
  const [x, y] = (t.match(/-?[\d.]+/g) ?? []).map(Number);
  return { x, y };
}

const noOverlaps = async (page: Page) => {
  const boxes = await page.locator('.canvas .node').evaluateAll((nodes) =>
    nodes.map((n) => {
      const [x, y] = (n.getAttribute('transform')?.match(/-?[\d.]+/g) ?? []).map(Number);
      return { id: n.getAttribute('data-step'), x, y };
    }),
  );
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      const apart = Math.abs(a.x - b.x) >= 200 || Math.abs(a.y - b.y) >= 72;
      expect(apart, `${a.id} overlaps ${b.id}`).toBe(true);
    }
};

test('the new step lands with its dot at the drop point', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.open();
  const spot = await editor.emptySpot('out');
  const at = await toCanvas(page, spot);
  await editor.dragFromPort('summarize_a', 'out', spot);
  await page.getByTestId('port-menu-transform').click();
  await expect(editor.edge('summarize_a', 'transform_1')).toHaveCount(1);
  // Its input dot (left edge, half-way down a 72-unit step) is where the pointer was let go.
  const p = await position(page, 'transform_1');
  expect(Math.abs(p.x - at.x)).toBeLessThan(1.5);
  expect(Math.abs(p.y + 36 - at.y)).toBeLessThan(1.5);
  await noOverlaps(page);
});

test('a drop on a step\'s spot puts the new step in free space beside it', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.open();
  // Let go on the search_b step's body, just right of its input dot: empty canvas
  // would be needed for the palette, so use the gap just left of it instead.
  const sb = await editor.node('summarize_b').boundingBox();
  if (!sb) throw new Error('no summarize_b');
  const target = { x: sb.x - 14, y: sb.y + sb.height / 2 };
  const empty = await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.closest('.node') === null, target);
  expect(empty, 'the point left of summarize_b is empty canvas').toBe(true);
  const at = await toCanvas(page, target);
  await editor.dragFromPort('question', 'out', target);
  await page.getByTestId('port-menu-llm').click();
  await expect(editor.edge('question', 'llm_1')).toHaveCount(1);
  // Same column as the drop, moved by whole rows off the steps there.
  const p = await position(page, 'llm_1');
  expect(Math.abs(p.x - at.x)).toBeLessThan(1.5);
  expect(Math.abs(p.y + 36 - at.y)).toBeGreaterThan(72);
  await noOverlaps(page);
});

test('a drag from an input dot onto empty canvas makes a step that feeds it', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.open();
  const spot = await editor.emptySpot('in');
  const at = await toCanvas(page, spot);
  await editor.dragFromPort('synthesize', 'in', spot);
  const menu = page.getByTestId('port-menu');
  // An output step feeds nothing, so it is not offered here.
  await expect(menu.getByRole('menuitem')).toHaveText(['✎input', '✦LLM', '⇄HTTP', '⚙transform']);
  await page.getByTestId('port-menu-llm').click();
  await expect(editor.node('llm_1')).toHaveClass(/selected/);
  await expect(editor.edge('llm_1', 'synthesize')).toHaveCount(1);
  // Its output dot (right edge, 200 units from its left) is at the drop point.
  const p = await position(page, 'llm_1');
  expect(Math.abs(p.x + 200 - at.x)).toBeLessThan(1.5);
  expect(Math.abs(p.y + 36 - at.y)).toBeLessThan(1.5);
  await page.keyboard.press('ControlOrMeta+Z');
  await expect(editor.node('llm_1')).toHaveCount(0);
  await expect(editor.edge('llm_1', 'synthesize')).toHaveCount(0);
  expect(editor.errors).toEqual([]);
});

test('a drag from an input dot onto another step connects that step into it; cycles and outputs are refused', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.open();
  // summarize_b's input dot onto search_a: search_a now feeds summarize_b.
  await editor.dragFromPort('summarize_b', 'in', 'search_a');
  await expect(editor.edge('search_a', 'summarize_b')).toHaveCount(1);
  await expect(editor.message()).toBeEmpty();
  // Onto the other step's output dot works the same.
  await page.getByTestId('undo').click();
  await expect(editor.edge('search_a', 'summarize_b')).toHaveCount(0);
  const dot = await page.getByTestId('port-out-search_a').boundingBox();
  if (!dot) throw new Error('no dot');
  await editor.dragFromPort('summarize_b', 'in', { x: dot.x + dot.width / 2, y: dot.y + dot.height / 2 });
  await expect(editor.edge('search_a', 'summarize_b')).toHaveCount(1);

  // search_a's input dot onto synthesize, which needs it: a cycle, refused in words.
  await editor.dragFromPort('search_a', 'in', 'synthesize');
  await expect(editor.message()).toContainText('cycle');
  await expect(editor.message()).toContainText('search_a');
  await expect(editor.edge('synthesize', 'search_a')).toHaveCount(0);
  // The answer is an output step: nothing can take its output.
  await editor.dragFromPort('search_b', 'in', 'answer');
  await expect(editor.message()).toContainText('"answer" is an output step');
  await expect(editor.edge('answer', 'search_b')).toHaveCount(0);
  // No palette opened for drops on steps.
  await expect(page.getByTestId('port-menu')).toHaveCount(0);
  expect(editor.errors).toEqual([]);
});
