import { test, expect } from '@playwright/test';
import { EditorPage } from './editor-page';

test('a validation problem is shown on the step it concerns, and goes when fixed', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.open();
  await editor.load('research-assistant');
  await editor.showCanvas();
  await editor.node('summarize_b').click();
  const prompt = page.getByTestId('inspector').getByTestId('field-prompt');
  // The inspector offers the names the template may use.
  await expect(page.getByTestId('inspector')).toContainText('{{search_b}}');

  // A template naming a step that is not an input of this one.
  await prompt.fill('Summarize {{search_a}}');
  await expect(editor.node('summarize_b')).toHaveClass(/has-problem/);
  // On the node: a badge, the start of the message, and all of it for screen readers.
  await expect(editor.node('summarize_b').locator('.problem-badge')).toBeVisible();
  await expect(editor.node('summarize_b')).toContainText('The prompt of');
  await expect(editor.node('summarize_b')).toHaveAttribute('aria-label', /uses \{\{search_a\}\}.*not one of its inputs/);
  await expect(editor.node('summarize_a')).not.toHaveClass(/has-problem/);
  await expect(page.getByTestId('inspector').locator('.problems')).toContainText('is not one of its inputs');
  await expect(page.getByTestId('run')).toBeDisabled();

  // Fixed: the badge goes and the chain can run again.
  // The offered name goes into the template at a press.
  await prompt.fill('Summarize ');
  await page.getByTestId('inspector').locator('.kind-fields').getByTestId('insert-search_b').click();
  await expect(prompt).toHaveValue('Summarize {{search_b}}');
  await expect(editor.node('summarize_b')).not.toHaveClass(/has-problem/);
  await expect(page.getByTestId('run')).toBeEnabled();
  expect(editor.errors).toEqual([]);
});
