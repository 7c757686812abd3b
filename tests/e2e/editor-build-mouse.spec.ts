import { test, expect } from '@playwright/test';
import { EditorPage, expectResearchAssistantTotals } from './editor-page';

// The research assistant, built on an empty canvas with the mouse: palette, drags
// from port to step, the inspector for labels and latencies.
const steps: [kind: string, id: string, label: string, ms?: number][] = [
  ['input', 'input_1', 'Question'],
  ['http', 'http_1', 'Search A', 300],
  ['http', 'http_2', 'Search B', 400],
  ['llm', 'llm_1', 'Summarize A', 600],
  ['llm', 'llm_2', 'Summarize B', 500],
  ['llm', 'llm_3', 'Synthesize', 700],
  ['output', 'output_1', 'Answer'],
];
const edges: [string, string][] = [
  ['input_1', 'http_1'],
  ['input_1', 'http_2'],
  ['http_1', 'llm_1'],
  ['http_2', 'llm_2'],
  ['llm_1', 'llm_3'],
  ['llm_2', 'llm_3'],
  ['llm_3', 'output_1'],
];

test('build the research assistant with the mouse, run it, check the totals', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.open();
  await page.getByTestId('clear').click();
  await expect(page.getByText('The canvas is empty')).toBeVisible();

  for (const [kind, id, label, ms] of steps) {
    await page.getByTestId(`palette-${kind}`).click();
    await expect(editor.node(id)).toBeVisible();
    const inspector = page.getByTestId('inspector');
    await expect(inspector).toBeVisible();
    await inspector.getByTestId('field-label').fill(label);
    if (ms !== undefined) await inspector.getByTestId('field-latency-ms').fill(String(ms));
    // The canvas shows the change at once.
    await expect(editor.node(id)).toContainText(label);
    if (ms !== undefined) await expect(editor.node(id)).toContainText(`${ms} ms`);
    // Let go of the step, so the next one added is not connected from it: this test
    // draws every edge itself.
    await page.getByTestId('inspector-close').click();
    await page.keyboard.press('Escape');
    await expect(editor.node(id)).not.toHaveClass(/selected/);
  }

  // One column: every step can be reached for a drag.
  await page.getByTestId('layout').click();
  for (const [from, to] of edges) {
    await editor.connect(from, to);
    await expect(editor.edge(from, to)).toHaveCount(1);
  }
  await page.getByTestId('layout').click();
  // Auto-layout: one column per level, four levels plus the input.
  await expect(page.locator('.band')).toHaveCount(5);

  expectResearchAssistantTotals(await editor.run());
  expect(editor.errors).toEqual([]);
});
