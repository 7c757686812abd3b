// The what-if analysis beside the race (issue 14): the distribution of each mode's
// makespan over seeded runs, slack and what-if per step, and the limit curve.
import { test, expect, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { EditorPage } from './editor-page';

const panel = (page: Page) => page.getByTestId('distribution');

async function open(page: Page, key: string) {
  const editor = new EditorPage(page);
  await editor.open();
  await editor.load(key);
  await expect(panel(page)).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  return editor;
}

/// A chain too big to simulate in one frame: a question, `n` log-normal calls in
/// lines of ten, and an answer.
function bigChain(n: number) {
  const steps: object[] = [{ id: 'q', label: 'Question', kind: { type: 'input', text: 'why?' } }];
  for (let i = 0; i < n; i++) {
    steps.push({
      id: `s${i}`,
      label: `Step ${i}`,
      kind: { type: 'llm', provider: 'simulator', model: 'sim', prompt: 'x' },
      inputs: [i < 10 ? 'q' : `s${i - 10}`],
      sim: { latency: { model: 'log_normal', median_ms: 200, sigma: 0.5 }, output: 'ok' },
    });
  }
  steps.push({
    id: 'out',
    label: 'Answer',
    kind: { type: 'output' },
    inputs: Array.from({ length: 10 }, (_, b) => `s${n - 10 + b}`),
  });
  return { name: `Big chain of ${n}`, description: '', seed: 3, steps };
}

test('fixed latencies: one line per mode, said in words, with the exact figures', async ({ page }) => {
  const editor = await open(page, 'uneven-branches');
  await expect(page.getByTestId('samples')).toHaveValue('1000');
  await expect(page.getByTestId('p50-sequential')).toHaveText('900 ms');
  await expect(page.getByTestId('p95-staged')).toHaveText('700 ms');
  await expect(page.getByTestId('p99-eager')).toHaveText('500 ms');
  await expect(page.getByTestId('percentiles')).toContainText('of 1,000 simulated runs');
  await expect(page.getByTestId('distribution-lesson')).toContainText('Every latency is fixed');
  await expect(page.getByTestId('distribution-lesson')).toContainText('one line per mode');
  await expect(page.getByTestId('eager-beats-staged')).toHaveText(
    'Eager finished more than 5 % sooner than staged in 100 % of 1,000 simulated runs.',
  );
  const chart = panel(page).locator('.chart svg');
  await expect(chart).toContainText('always 900 ms');
  await expect(chart).toContainText('always 500 ms');
  await expect(chart.locator('rect[height]:not([width="100%"])')).toHaveCount(0);
  expect(editor.errors).toEqual([]);
});

test('long tails: the sample count is respected and the lesson is the slowest branch', async ({ page }) => {
  const editor = await open(page, 'slowest-branch');
  await expect(page.getByTestId('distribution-lesson')).toContainText('A fan-out waits for its slowest branch');
  await page.getByTestId('samples').fill('2000');
  await page.getByTestId('samples').press('Enter');
  await expect(page.getByTestId('percentiles')).toContainText('of 2,000 simulated runs', { timeout: 30_000 });
  await expect(panel(page)).toHaveAttribute('data-state', 'done');
  for (const mode of ['sequential', 'staged', 'eager']) {
    for (const p of ['p50', 'p95', 'p99']) {
      await expect(page.getByTestId(`${p}-${mode}`)).toHaveText(/^\d+ ms$/);
    }
  }
  const median = Number((await page.getByTestId('p50-eager').textContent())?.replace(' ms', ''));
  expect(median).toBeGreaterThan(860);
  expect(median).toBeLessThan(940);
  await expect(panel(page).locator('.chart svg')).toContainText('p99');

  // More than the most is clamped to 10,000.
  await page.getByTestId('samples').fill('25000');
  await page.getByTestId('samples').press('Enter');
  await expect(page.getByTestId('samples')).toHaveValue('10000');
  await expect(panel(page)).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(page.getByTestId('percentiles')).toContainText('of 10,000 simulated runs');

  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-distribution-csv').click(),
  ]);
  expect(csv.suggestedFilename()).toBe('chainlab-distribution.csv');
  const rows = readFileSync((await csv.path())!, 'utf8').trim().split('\n');
  expect(rows[0]).toBe('sample,seed,sequential_ms,staged_ms,eager_ms');
  expect(rows).toHaveLength(10_001);
  const [svg] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-distribution-svg').click(),
  ]);
  expect(svg.suggestedFilename()).toBe('chainlab-distribution.svg');
  const picture = readFileSync((await svg.path())!, 'utf8');
  expect(picture.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  expect(picture).toContain('The slowest branch');
  expect(editor.errors).toEqual([]);
});

test('computing keeps the page responsive, shows progress and can be cancelled', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript((chain) => {
    if (!sessionStorage.getItem('analysis-test-started')) {
      sessionStorage.setItem('analysis-test-started', '1');
      localStorage.setItem('chainlab.chain', chain);
    }
  }, JSON.stringify(bigChain(490)));
  await page.goto('/');
  await expect(panel(page)).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await page.getByTestId('samples').fill('10000');
  await page.getByTestId('samples').press('Enter');
  await expect(page.getByTestId('distribution-progress')).toBeVisible();
  await expect(panel(page)).toHaveAttribute('data-state', 'computing');
  // Frames keep coming while it computes: a frozen page would take seconds.
  const frameGap = await page.evaluate(
    () => new Promise<number>((done) => {
      const t0 = performance.now();
      requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));
    }),
  );
  expect(frameGap).toBeLessThan(500);
  await page.getByTestId('distribution-cancel').click();
  await expect(panel(page)).toHaveAttribute('data-state', 'cancelled');
  const said = (await page.getByTestId('distribution-cancelled').textContent()) ?? '';
  const done = Number(said.match(/Simulated ([\d,]+) of 10,000 runs/)?.[1].replace(/,/g, ''));
  expect(done).toBeGreaterThan(0);
  expect(done).toBeLessThan(10_000);
  // Nothing more is computed once cancelled.
  await page.waitForTimeout(500);
  await expect(page.getByTestId('distribution-cancelled')).toHaveText(said);
  await expect(page.getByTestId('percentiles')).toContainText(`of ${done.toLocaleString('en')} simulated runs`);
  await page.getByTestId('distribution-run').click();
  await expect(panel(page)).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('percentiles')).toContainText('of 10,000 simulated runs');
  // Above 200 steps the limit curve waits to be asked for.
  await expect(page.getByTestId('limit-curve-draw')).toBeVisible();
  expect(errors).toEqual([]);
});

test('slack: on uneven branches C and D have 100 ms and B none; the what-if changes nothing', async ({ page }) => {
  const editor = await open(page, 'uneven-branches');
  await expect(page.getByTestId('slack-c')).toHaveText('slack 100 ms');
  await expect(page.getByTestId('slack-d')).toHaveText('slack 100 ms');
  await expect(page.getByTestId('slack-b')).toHaveText('critical');
  await expect(editor.node('b').locator('.critical-ring')).toHaveCount(1);
  await expect(editor.node('c').locator('.critical-ring')).toHaveCount(0);
  await expect(page.getByTestId('best-speed-up')).toContainText('Halving B: long analysis');

  await editor.node('c').click();
  const slack = page.getByTestId('step-slack');
  await expect(slack).toContainText('earliest start0 ms');
  await expect(slack).toContainText('latest start100 ms');
  await expect(page.getByTestId('step-slack-value')).toHaveText('100 ms');
  await expect(page.getByTestId('what-if')).toHaveText(
    'If C: quick lookup took 200 ms, eager would take 500 ms and staged 700 ms.',
  );
  await page.getByTestId('what-if-ms').fill('400');
  await expect(page.getByTestId('what-if')).toHaveText(
    'If C: quick lookup took 400 ms, eager would take 600 ms and staged 700 ms.',
  );
  // Not saved: the chain, its node and its slack are as before.
  await expect(editor.node('c')).toContainText('200 ms');
  await expect(page.getByTestId('slack-c')).toHaveText('slack 100 ms');

  await editor.node('b').click();
  await expect(page.getByTestId('step-slack-value')).toHaveText('0 ms');
  await expect(page.getByTestId('step-slack')).toContainText('critical');
  expect(editor.errors).toEqual([]);
});

test('the limit curve: staged and eager for k = 1 to the width, beside the bound', async ({ page }) => {
  const editor = await open(page, 'uneven-branches');
  const curve = page.getByTestId('limit-curve');
  await expect(curve.locator('svg')).toContainText('eager 500 ms');
  await expect(curve.locator('svg')).toContainText('staged 700 ms');
  await expect(curve.locator('svg')).toContainText('bound');
  await expect(page.getByTestId('limit-curve-lesson')).toContainText(
    'Eager reaches its unlimited makespan (500 ms)',
  );
  // k = 1: both modes are the sequential sum.
  await expect(curve.locator('svg title', { hasText: 'k = 1: staged 900 ms' })).toHaveCount(1);
  await expect(curve.locator('svg title', { hasText: 'k = 1: eager 900 ms' })).toHaveCount(1);
  expect(editor.errors).toEqual([]);
});
