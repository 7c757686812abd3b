import { test, expect, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';

// The timeline as a teacher uses it: race a gallery chain, then pause, step, scrub,
// change speed, read the table, export. "Uneven branches": A (0 ms) -> B (500 ms),
// A -> C (200 ms) -> D (200 ms), B and D -> E (0 ms).

async function race(page: Page, chain = 'uneven-branches') {
  await page.goto('/');
  await page.getByTestId('chain-select').selectOption(chain);
  await page.getByTestId('run').click();
  for (const mode of ['sequential', 'staged', 'eager']) {
    await expect(page.getByTestId(`total-${mode}`)).toHaveText(/^\d+ ms$/, { timeout: 20_000 });
  }
}

async function cursor(page: Page): Promise<number> {
  return parseInt((await page.getByTestId('cursor-time').textContent()) ?? '', 10);
}

function lane(page: Page, mode: string) {
  return page.locator(`.lane[data-mode="${mode}"]`);
}

// A row's bar kinds with their start and end, as drawn.
async function bars(page: Page, mode: string, step: number) {
  return lane(page, mode)
    .locator(`.row[data-step="${step}"] .bar`)
    .evaluateAll((els) =>
      els.map((e) => ({
        kind: e.getAttribute('data-kind'),
        start: Number(e.getAttribute('data-start')),
        end: Number(e.getAttribute('data-end')),
      })),
    );
}

// The drawn start and end of a row's bar of one kind (times as measured, which drift
// from the ideal on a busy machine, so the tests steer by them).
async function piece(page: Page, mode: string, step: number, kind: string) {
  const found = (await bars(page, mode, step)).find((b) => b.kind === kind);
  expect(found, `${mode} step ${step} has a ${kind} bar`).toBeTruthy();
  return found!;
}

test('pause, step, scrub and change speed on a finished race', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await race(page);
  const end = await cursor(page);
  expect(end).toBe(parseInt((await page.getByTestId('total-sequential').textContent()) ?? '', 10));

  // Stepping back and forth visits the moments something happened, exactly.
  await page.getByTestId('step-back').click();
  const back1 = await cursor(page);
  await page.getByTestId('step-back').click();
  const back2 = await cursor(page);
  expect(back1).toBeLessThan(end);
  expect(back2).toBeLessThan(back1);
  await page.getByTestId('step-forward').click();
  expect(await cursor(page)).toBe(back1);

  // Scrub into staged D's wait at the barrier: it is held, and has not run.
  const wait = await piece(page, 'staged', 3, 'barrier-wait');
  const mid = Math.round((wait.start + wait.end) / 2);
  await page.getByTestId('scrub').fill(String(mid));
  expect(await cursor(page)).toBe(mid);
  const d = await bars(page, 'staged', 3);
  expect(d.map((b) => b.kind)).toEqual(['barrier-wait']);
  expect(d[0].end).toBe(mid);
  // Totals wait for the cursor.
  await expect(page.getByTestId('total-staged')).toHaveText('—');

  // The canvas shows eager at the cursor: in the middle of eager D's run, D runs and
  // C (its input) is done.
  const eagerD = await piece(page, 'eager', 3, 'running');
  await page.getByTestId('scrub').fill(String(Math.round((eagerD.start + eagerD.end) / 2)));
  await expect(page.getByTestId('node-d')).toHaveAttribute('data-state', 'running');
  await expect(page.getByTestId('node-c')).toHaveAttribute('data-state', 'done');

  // Play at a quarter speed: the cursor moves a quarter of the wall time that passes.
  await page.getByTestId('scrub').fill('100');
  await page.getByTestId('speed').selectOption('0.25');
  const before = Date.now();
  await page.getByTestId('play').click();
  await expect(page.getByTestId('pause')).toBeVisible();
  await page.waitForTimeout(600);
  await page.getByTestId('pause').click();
  const wall = Date.now() - before;
  const slow = (await cursor(page)) - 100;
  expect(slow).toBeGreaterThan(60);
  expect(slow).toBeLessThanOrEqual(wall * 0.25 + 20);

  // At 4x the rest of the race plays out in about 200 ms, then stops at the end.
  await page.getByTestId('speed').selectOption('4');
  await page.getByTestId('play').click();
  await expect(page.getByTestId('play')).toBeVisible({ timeout: 5_000 });
  expect(await cursor(page)).toBe(end);
  await expect(page.locator('p.verdict[role=status]')).toContainText('eager finished first', {
    ignoreCase: true,
  });

  // Keyboard: Home restarts, arrows step, Space plays and pauses.
  await page.getByTestId('timeline').focus();
  await page.keyboard.press('Home');
  expect(await cursor(page)).toBe(0);
  await page.keyboard.press('ArrowRight');
  const first = await cursor(page);
  expect(first).toBeGreaterThan(0);
  await page.keyboard.press('ArrowRight');
  expect(await cursor(page)).toBeGreaterThan(first);
  await page.keyboard.press('ArrowLeft');
  expect(await cursor(page)).toBe(first);
  await page.keyboard.press('Space');
  await expect(page.getByTestId('pause')).toBeVisible();
  await page.keyboard.press('Space');
  await expect(page.getByTestId('play')).toBeVisible();
  expect(errors).toEqual([]);
});

test('the table view agrees with the bars', async ({ page }) => {
  await race(page, 'research-assistant');
  await page.getByTestId('table-view').click();
  const table = page.getByTestId('timeline-table');
  await expect(table).toBeVisible();
  for (const mode of ['sequential', 'staged', 'eager']) {
    const rows = await lane(page, mode).locator('.row[data-step]').evaluateAll((els) =>
      els.map((e) => e.getAttribute('data-step')),
    );
    expect(rows.length).toBeGreaterThan(4);
    for (const step of rows) {
      const drawn = (await bars(page, mode, Number(step))).filter(
        (b) => b.kind !== 'barrier-wait' && b.kind !== 'queued',
      );
      const cell = (field: string) =>
        table.locator(`tr[data-step="${step}"] td[data-mode="${mode}"][data-field="${field}"]`).textContent();
      if (drawn.length === 0) {
        // A step that takes no time has no bar to see; the table says so.
        expect(await cell('duration')).toBe('0 ms');
        continue;
      }
      const start = parseInt((await cell('start')) ?? '', 10);
      const end = parseInt((await cell('end')) ?? '', 10);
      // Both round to whole milliseconds.
      expect(Math.abs(start - Math.min(...drawn.map((b) => b.start)))).toBeLessThanOrEqual(1);
      expect(Math.abs(end - Math.max(...drawn.map((b) => b.end)))).toBeLessThanOrEqual(1);
    }
  }
});

test('only the chosen modes race', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('chain-select').selectOption('uneven-branches');
  await page.getByTestId('mode-sequential').uncheck();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('total-eager')).toHaveText(/^\d+ ms$/, { timeout: 20_000 });
  await expect(page.locator('.lane')).toHaveCount(2);
  await expect(page.getByTestId('total-sequential')).toHaveCount(0);
  await expect(page.locator('p.verdict[role=status]')).toContainText('eager finished first', { ignoreCase: true });
});

test('clicking a node on the canvas shows what it did in the lane the canvas shows', async ({ page }) => {
  await race(page);
  await page.getByTestId('node-d').click();
  const record = page.getByTestId('last-run');
  await expect(record).toContainText('In the last run — eager mode');
  await expect(page.getByTestId('last-run-input')).toContainText('Refine: Lookup for Plan a weekend in Lisbon');
  await expect(page.getByTestId('last-run-output')).toContainText('Refined Lookup for');
  // Eager D starts when C ends (200 ms in the chain; browser timers on a busy machine only
  // ever add to it); one attempt, and its words agree with themselves.
  const row = record.locator('.attempts li');
  await expect(row).toHaveCount(1);
  const attempt = /^Attempt 1: started (\d+) ms, ended (\d+) ms \(took (\d+) ms\) — done$/;
  await expect(row).toHaveText(attempt);
  const [, eagerStart, eagerEnd, eagerTook] = ((await row.textContent()) ?? '').match(attempt)!.map(Number);
  expect(eagerStart).toBeGreaterThanOrEqual(199);
  expect(eagerTook).toBeGreaterThanOrEqual(199);
  expect(Math.abs(eagerEnd - eagerStart - eagerTook)).toBeLessThanOrEqual(1);
  // The canvas's lane decides which record: staged D waits for the barrier (B, 500 ms), so it
  // starts later than eager D did.
  await page.getByTestId('canvas-mode').selectOption('staged');
  await expect(record).toContainText('In the last run — staged mode');
  await expect(row).toHaveText(/^Attempt 1: started \d+ ms/);
  const stagedStart = Number(((await row.textContent()) ?? '').match(/started (\d+) ms/)![1]);
  expect(stagedStart).toBeGreaterThanOrEqual(499);
  expect(stagedStart).toBeGreaterThan(eagerStart);
});

test('clicking a bar shows what went in, what came out and the attempts', async ({ page }) => {
  await race(page);
  await lane(page, 'staged').locator('.row[data-step="3"] .track').click();
  const details = page.getByTestId('details');
  await expect(details).toContainText('D: refine lookup — staged mode');
  await expect(page.getByTestId('details-input')).toContainText('Refine: Lookup for Plan a weekend in Lisbon');
  await expect(page.getByTestId('details-output')).toContainText('Refined Lookup for');
  await expect(details.locator('.attempts tbody tr')).toHaveCount(1);
});

test('narration explains the barrier, and projector mode enlarges the page', async ({ page }) => {
  await race(page);
  await page.getByTestId('narrate').click();
  const wait = await piece(page, 'staged', 3, 'barrier-wait');
  const eagerD = await piece(page, 'eager', 3, 'done');
  // Just after staged C ends: D is ready, and held at the barrier for B.
  await page.getByTestId('scrub').fill(String(wait.start + 1));
  await expect(page.getByTestId('captions')).toContainText(
    'Staged: D: refine lookup is ready but waits at the barrier for B: long analysis, which it does not need.',
  );
  // Just after eager C ends: D starts at once.
  await page.getByTestId('scrub').fill(String(eagerD.start + 1));
  await expect(page.getByTestId('captions')).toContainText(
    'Eager: D: refine lookup starts now: its only input, C: quick lookup, just finished.',
  );
  await page.getByTestId('projector').click();
  await expect(page.locator('html')).toHaveClass(/projector/);
  const size = await page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
  expect(parseFloat(size)).toBeGreaterThanOrEqual(20);
});

test('the exported trace parses and has one complete event per step attempt', async ({ page }) => {
  await race(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-trace').click(),
  ]);
  expect(download.suggestedFilename()).toBe('chainlab-trace.json');
  const trace = JSON.parse(readFileSync((await download.path())!, 'utf8'));
  const complete = trace.traceEvents.filter((e: { ph: string }) => e.ph === 'X');
  // Five steps, one attempt each, in three modes.
  expect(complete).toHaveLength(15);
  expect(new Set(complete.map((e: { pid: number }) => e.pid)).size).toBe(3);
  const b = complete.find((e: { args: { step: string }; pid: number }) => e.args.step === 'b' && e.pid === 2);
  // Microseconds: B's event lasts as long as its bar on the page (about 500 ms).
  const drawn = await piece(page, 'staged', 1, 'done');
  expect(Math.abs(b.dur - (drawn.end - drawn.start) * 1000)).toBeLessThanOrEqual(1000);
  expect(b.dur).toBeGreaterThan(450_000);

  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const lines = readFileSync((await csv.path())!, 'utf8').trim().split('\n');
  expect(lines).toHaveLength(16);
  const [svg] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-svg').click()]);
  expect(readFileSync((await svg.path())!, 'utf8')).toContain('<svg');
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-png').click()]);
  const bytes = readFileSync((await png.path())!);
  expect(bytes.subarray(1, 4).toString()).toBe('PNG');
});

test.describe('with reduced motion', () => {
  test.use({ reducedMotion: 'reduce' });

  test('no animation runs: bars jump from event to event', async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('chain-select').selectOption('uneven-branches');
    // Watch for any frame loop or CSS animation for the whole run and replay.
    await page.evaluate(() => {
      (window as any).__animated = false;
      const timeline = document.querySelector('[data-testid="timeline"]')!;
      new MutationObserver(() => {
        if (timeline.getAttribute('data-animating') === 'true') (window as any).__animated = true;
      }).observe(timeline, { attributes: true });
    });
    await page.getByTestId('run').click();
    await expect(page.getByTestId('total-sequential')).toHaveText(/^\d+ ms$/, { timeout: 20_000 });
    // Every moment something happened is the start or end of some bar piece.
    const edges = await page.locator('.lane .bar').evaluateAll((els) =>
      els.flatMap((e) => [Number(e.getAttribute('data-start')), Number(e.getAttribute('data-end'))]),
    );
    await page.getByTestId('speed').selectOption('4');
    await page.getByTestId('play').click();
    const seen = new Set<number>();
    for (let i = 0; i < 10; i++) {
      seen.add(await cursor(page));
      await page.waitForTimeout(40);
    }
    await expect(page.getByTestId('play')).toBeVisible({ timeout: 5_000 });
    // Only those moments are ever drawn: the cursor jumps, it never slides.
    for (const t of seen) {
      expect(t === 0 || edges.some((edge) => Math.abs(edge - t) <= 6), `${t} ms is an event`).toBe(true);
    }
    expect(await page.evaluate(() => (window as any).__animated)).toBe(false);
    expect(await page.evaluate(() => document.getAnimations().length)).toBe(0);
    await expect(page.getByTestId('timeline')).toHaveAttribute('data-animating', 'false');
  });
});

test('a big chain is drawn as thin rows across the whole axis', async ({ page }) => {
  // A chain of 122 steps, opened from a file: ten branches of twelve steps one after
  // another between a start and a join, so dense lanes with no labels.
  const llm = (id: string, inputs: string[], ms: number) => ({
    id, label: id, inputs,
    kind: { type: 'llm', provider: 'simulator', model: 'm', prompt: '' },
    sim: { latency: { model: 'fixed', ms }, output: 'ok' },
  });
  const steps = [llm('start', [], 5)];
  const tails: string[] = [];
  for (let b = 0; b < 10; b++) {
    let before = 'start';
    for (let s = 0; s < 12; s++) {
      const id = `b${b}_${s}`;
      steps.push(llm(id, [before], 5 + ((b * 7 + s * 3) % 7)));
      before = id;
    }
    tails.push(before);
  }
  steps.push(llm('join', tails, 5));
  await page.goto('/');
  await page.getByTestId('import').setInputFiles({
    name: 'big.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ name: 'Big', steps })),
  });
  await expect(page.getByTestId('node-join')).toHaveCount(1);
  await page.getByTestId('run').click();
  await expect(page.getByTestId('total-sequential')).toHaveText(/^\d+ ms$/, { timeout: 60_000 });
  await expect(page.getByTestId('timeline')).toHaveClass(/dense/);
  const track = await lane(page, 'sequential').locator('.row[data-step="1"] .track').boundingBox();
  expect(track!.width).toBeGreaterThan(600);
  // In the sequential lane each step starts where the one before ended: the last
  // step's bar sits far to the right of the first's.
  const rows = lane(page, 'sequential').locator('.row[data-step] .bar.done');
  const first = await rows.first().boundingBox();
  const last = await rows.last().boundingBox();
  expect(last!.x - first!.x).toBeGreaterThan(track!.width / 2);
});
