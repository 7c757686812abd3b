import { test, expect } from '@playwright/test';
import { EditorPage, expectResearchAssistantTotals } from './editor-page';

// The research assistant built with the keyboard only: Tab to controls, Enter and
// Space to press them, typing into the inspector. No mouse event at all.
const steps: [kind: string, id: string, label: string, inputs: string[], ms?: number][] = [
  ['input', 'input_1', 'Question', []],
  ['http', 'http_1', 'Search A', ['input_1'], 300],
  ['http', 'http_2', 'Search B', ['input_1'], 400],
  ['llm', 'llm_1', 'Summarize A', ['http_1'], 600],
  ['llm', 'llm_2', 'Summarize B', ['http_2'], 500],
  ['llm', 'llm_3', 'Synthesize', ['llm_1', 'llm_2'], 700],
  ['output', 'output_1', 'Answer', ['llm_3']],
];

test('build the research assistant with the keyboard only, run it, check the totals', async ({ page }) => {
  // About a hundred Tab presses: on a busy 2-core machine that alone nears the default 60 s.
  test.setTimeout(120_000);
  const editor = new EditorPage(page);
  await editor.open();
  const keys = page.keyboard;
  await editor.tabTo('clear');
  await keys.press('Enter');
  await expect(page.getByText('The canvas is empty')).toBeVisible();

  for (const [kind, id, label, inputs, ms] of steps) {
    await editor.tabTo(`palette-${kind}`);
    await keys.press('Enter');
    await expect(editor.node(id)).toBeVisible();
    await editor.tabTo('field-label');
    await keys.press('ControlOrMeta+A');
    await keys.type(label);
    for (const input of inputs) {
      await editor.tabTo(`input-${input}`);
      await keys.press('Space');
      await expect(editor.edge(input, id)).toHaveCount(1);
    }
    if (ms !== undefined) {
      await editor.tabTo('field-latency-ms');
      await keys.press('ControlOrMeta+A');
      await keys.type(String(ms));
    }
    await expect(editor.node(id)).toContainText(label);
    // Escape closes the inspector and puts focus on the step's node.
    await keys.press('Escape');
    await expect(page.getByTestId('inspector')).toHaveCount(0);
    await expect(editor.node(id)).toBeFocused();
    // A second Escape lets go of the step: the next one added is not connected from it.
    await keys.press('Escape');
    await expect(editor.node(id)).not.toHaveClass(/selected/);
  }

  // A node is reachable by Tab; arrows move it; Enter opens it in the inspector.
  await editor.tabTo('node-llm_3');
  const before = await editor.node('llm_3').getAttribute('transform');
  await keys.press('ArrowDown');
  await expect(editor.node('llm_3')).not.toHaveAttribute('transform', before ?? '');
  await keys.press('Enter');
  await expect(page.getByTestId('inspector')).toBeVisible();
  await keys.press('Escape');

  await editor.tabTo('layout');
  await keys.press('Enter');
  await editor.tabTo('run');
  await keys.press('Enter');
  expectResearchAssistantTotals(await editor.totals());
  expect(editor.errors).toEqual([]);
});
