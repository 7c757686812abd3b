import { test, expect } from '@playwright/test';

// The inspector says what it means: distinct labels, a provider list, only possible
// inputs, refusals beside the field that keep the last valid value, latency models
// that keep the time when switched, a duplicate id refused beside the id.

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('chain-select')).toHaveValue('research-assistant');
  await page.getByTestId('node-summarize_a').click();
  await expect(page.getByTestId('inspector')).toBeVisible();
});

test('labels are distinct and the provider is a list', async ({ page }) => {
  const inspector = page.getByTestId('inspector');
  await expect(inspector.getByLabel('Model name')).toBeVisible();
  await expect(inspector.getByLabel('Latency model')).toBeVisible();
  await expect(inspector.getByLabel('Model', { exact: true })).toHaveCount(0);
  const provider = page.getByTestId('field-provider');
  expect(await provider.evaluate((e) => e.tagName)).toBe('SELECT');
  await expect(provider.locator('option[value="simulator"]')).toHaveCount(1);
  await expect(provider).toHaveValue('simulator');
});

test('only possible inputs are offered', async ({ page }) => {
  const inspector = page.getByTestId('inspector');
  await expect(inspector.getByTestId('input-search_a')).toBeChecked();
  await expect(inspector.getByTestId('input-question')).toHaveCount(1);
  // Not the output step, not the step itself.
  await expect(inspector.getByTestId('input-answer')).toHaveCount(0);
  await expect(inspector.getByTestId('input-summarize_a')).toHaveCount(0);
});

test('a negative latency is refused beside the field and the last valid one kept', async ({ page }) => {
  const field = page.getByTestId('field-latency-ms');
  await expect(field).toHaveValue('600');
  await field.fill('-50');
  const error = page.getByTestId('field-latency-ms-error');
  await expect(error).toBeVisible();
  expect((await error.textContent())!.length).toBeGreaterThan(10);
  await expect(page.getByTestId('node-summarize_a')).toContainText('600 ms');
  await field.fill('650');
  await expect(error).toHaveCount(0);
  await expect(page.getByTestId('node-summarize_a')).toContainText('650 ms');
});

test('switching latency models keeps the time', async ({ page }) => {
  const model = page.getByTestId('field-latency-model');
  await model.selectOption('log_normal');
  await expect(page.getByTestId('field-latency-median')).toHaveValue('600');
  await model.selectOption('fixed');
  await expect(page.getByTestId('field-latency-ms')).toHaveValue('600');
  await model.selectOption('uniform');
  await model.selectOption('fixed');
  await expect(page.getByTestId('field-latency-ms')).toHaveValue('600');
});

test('a duplicate id is refused beside the id field', async ({ page }) => {
  await page.getByTestId('field-id').fill('search_a');
  await page.getByTestId('field-id').press('Enter');
  const error = page.getByTestId('field-id-error');
  await expect(error).toBeVisible();
  await expect(error).toContainText('search_a');
  await expect(page.getByTestId('node-summarize_a')).toHaveCount(1);
});
