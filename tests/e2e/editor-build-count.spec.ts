import { test, expect, Locator } from '@playwright/test';
import { EditorPage } from './editor-page';

// Building in few actions: input → three parallel LLM calls → a transform that joins
// them → an output, from an empty chain, as a person would, each click, key press and
// drag counted by the wrapper below (nothing reaches the page around it), then run.

class Counted {
  count = 0;
  constructor(readonly editor: EditorPage) {}
  async click(target: Locator) {
    this.count++;
    await target.click();
  }
  async press(key: string) {
    this.count++;
    await this.editor.page.keyboard.press(key);
  }
  /// One drag: press on a step's dot, move, let go (on a step or a point).
  async drag(from: string, side: 'in' | 'out', to: string | { x: number; y: number }) {
    this.count++;
    await this.editor.dragFromPort(from, side, to);
  }
}

test('input → three LLM calls → join → output takes at most 15 actions, and runs', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.open();
  const act = new Counted(editor);
  const id = (s: string) => page.getByTestId(s);

  await act.click(id('new-chain'));
  await expect(page.locator('.canvas .node')).toHaveCount(0);
  await act.click(id('palette-input'));
  // With the input selected, a new step lands beside it, fed by it.
  await act.click(id('palette-llm'));
  await expect(editor.edge('input_1', 'llm_1')).toHaveCount(1);
  // Two more from the input's dot, each dropped on empty canvas and picked.
  for (const llm of ['llm_2', 'llm_3']) {
    const spot = await editor.emptySpot('out');
    await act.drag('input_1', 'out', spot);
    await act.click(id('port-menu-llm'));
    await expect(editor.edge('input_1', llm)).toHaveCount(1);
  }
  // The join, beside the last call and fed by it; its left-hand dot dragged onto the
  // other two calls connects them into it.
  await act.click(id('palette-transform'));
  await expect(editor.edge('llm_3', 'transform_1')).toHaveCount(1);
  await act.drag('transform_1', 'in', 'llm_1');
  await act.drag('transform_1', 'in', 'llm_2');
  await act.click(id('palette-output'));
  await act.click(id('run'));

  // The chain's shape: exactly these edges.
  const edges = await page
    .locator('.canvas .edge:not(.pending)')
    .evaluateAll((es) => es.map((e) => e.getAttribute('data-testid')).sort());
  expect(edges).toEqual(
    [
      'edge-input_1-llm_1',
      'edge-input_1-llm_2',
      'edge-input_1-llm_3',
      'edge-llm_1-transform_1',
      'edge-llm_2-transform_1',
      'edge-llm_3-transform_1',
      'edge-transform_1-output_1',
    ].sort(),
  );
  const totals = await editor.totals();
  // Three calls side by side: eager takes one call's time, sequential all three.
  expect(totals.eager).toBeLessThan(totals.sequential);
  // The output (open in the inspector, the last step added) has the joined text.
  await expect(id('inspector')).toContainText('Output');
  const output = id('last-run-output');
  await expect(output).toContainText('Result of llm_1');
  await expect(output).toContainText('Result of llm_3');

  console.log(`actions to build and run input → 3 LLM calls → join → output (measured): ${act.count}`);
  expect(act.count).toBeLessThanOrEqual(15);
  expect(editor.errors).toEqual([]);
});
