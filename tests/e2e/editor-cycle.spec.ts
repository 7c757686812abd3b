import { test, expect } from '@playwright/test';
import { EditorPage } from './editor-page';

test('a connection that would close a cycle is refused, naming its steps', async ({ page }) => {
  const editor = new EditorPage(page);
  await editor.open();
  await editor.load('uneven-branches');

  // E needs D, D needs C: making C need E would close C → D → E → C.
  await editor.connect('e', 'c');
  await expect(editor.message()).toContainText('cycle c → d → e → c');
  await expect(editor.edge('e', 'c')).toHaveCount(0);
  // Nothing changed, so the chain still runs.
  await expect(page.getByTestId('run')).toBeEnabled();

  // A connection that makes no cycle is accepted and clears the message.
  await editor.connect('b', 'd');
  await expect(editor.edge('b', 'd')).toHaveCount(1);
  await expect(editor.message()).toBeEmpty();
  expect(editor.errors).toEqual([]);
});
