import { test, expect, Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Bringing chains in: files written by the real tools (LangGraph's draw_mermaid() and
// to_json(), OpenTelemetry traces of a run with real sleeps), pasted Mermaid, bad
// input that must change nothing, and the Mermaid export, parsed by Mermaid itself.
//
// The real files are written in the set-up, as scripts/check.sh does for the native
// test, by tests/python/make_import_fixtures.py in the setup's venv; its manifest says
// what each must import as (taken from LangGraph's graph model and the SDK's spans).

type GraphCase = { name: string; mermaid: string; json: string; steps: string[]; edges: [string, string][]; conditional: number };
type TraceCase = {
  name: string;
  file: string;
  service: string;
  trace_id: string;
  steps: { id: string; duration_ms: number }[];
  llm_steps: string[];
  edges: [string, string][];
  root_ms: number;
};

let dir = '';
let manifest: { graphs: GraphCase[]; traces: TraceCase[] };

test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'chainlab-import-'));
  execFileSync('target/py-venv/bin/python', ['tests/python/make_import_fixtures.py', dir], { stdio: 'pipe' });
  manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  expect(manifest.graphs.length).toBeGreaterThanOrEqual(4);
  expect(manifest.traces.length).toBeGreaterThanOrEqual(2);
});

function watch(page: Page) {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

async function open(page: Page) {
  await page.goto('/');
  await expect(page.getByTestId('node-question')).toBeVisible();
}

/// The step ids and edges on the canvas, sorted.
async function canvas(page: Page) {
  const ids = await page.locator('svg.canvas g.node').evaluateAll((nodes) =>
    nodes.map((n) => n.getAttribute('data-step') ?? '').sort(),
  );
  const edges = await page.locator('svg.canvas path.edge').evaluateAll((paths) =>
    paths.map((p) => p.getAttribute('data-testid') ?? '').sort(),
  );
  return { ids, edges };
}

async function expectGraph(page: Page, steps: string[], edges: [string, string][]) {
  for (const id of steps) await expect(page.getByTestId(`node-${id}`)).toBeVisible();
  for (const [from, to] of edges) await expect(page.getByTestId(`edge-${from}-${to}`)).toHaveCount(1);
  const now = await canvas(page);
  expect(now.ids).toEqual([...steps].sort());
  expect(now.edges).toEqual(edges.map(([f, t]) => `edge-${f}-${t}`).sort());
}

async function paste(page: Page, text: string) {
  if (!(await page.getByTestId('drawer').isVisible())) await page.getByTestId('menu').click();
  await page.getByTestId('import-text').fill(text);
  await page.getByTestId('import-text-go').click();
}

async function race(page: Page) {
  await page.getByTestId('run').click();
  for (const mode of ['sequential', 'staged', 'eager']) {
    await expect(page.getByTestId(`total-${mode}`)).toHaveText(/^\d+ ms$/, { timeout: 30_000 });
  }
  const ms = (text: string) => Number(text.replace(/\D/g, ''));
  const figures = page.getByTestId('figures');
  const read = async (mode: string) => {
    const measured = ms(await page.getByTestId(`total-${mode}`).innerText());
    const predicted = ms(await figures.locator('tr', { has: page.locator('th', { hasText: mode }) }).locator('td').nth(1).innerText());
    // The simulated race sleeps on the browser's timers, which only ever fire late
    // (by tens of ms on a loaded machine); the engine's prediction is the exact makespan.
    expect(measured, mode).toBeGreaterThanOrEqual(predicted);
    return predicted;
  };
  return { sequential: await read('sequential'), staged: await read('staged'), eager: await read('eager') };
}

test('LangGraph graphs, as Mermaid and as JSON, import with their steps and edges, kinds guessed', async ({ page }) => {
  const errors = watch(page);
  await open(page);
  for (const graph of manifest.graphs) {
    for (const [file, format] of [
      [graph.mermaid, 'Mermaid flowchart'],
      [graph.json, 'LangGraph graph JSON'],
    ]) {
      await page.getByTestId('import').setInputFiles(join(dir, file));
      await expect(page.getByTestId('import-format'), file).toHaveText(format);
      await expect(page.getByTestId('load-error')).toHaveCount(0);
      await expectGraph(page, graph.steps, graph.edges);
      const notes = page.getByTestId('import-report');
      await expect(notes).toContainText('Kinds are guessed from the names');
      await expect(notes).toContainText('Latencies are assumed, not measured');
      if (graph.conditional > 0) {
        await expect(notes).toContainText(`${graph.conditional} dotted (conditional) edges were imported as plain edges`);
      } else {
        await expect(notes).not.toContainText('conditional');
      }
    }
  }
  expect(errors).toEqual([]);
});

test('a guessed kind is shown as a guess and changed; assumed latencies change for all steps at once', async ({ page }) => {
  await open(page);
  const graph = manifest.graphs.find((g) => g.name === 'fan_out_fan_in')!;
  await page.getByTestId('import').setInputFiles(join(dir, graph.mermaid));
  await expect(page.getByTestId('node-search_web')).toContainText('HTTP');
  await expect(page.getByTestId('node-synthesize')).toContainText('LLM');

  await page.getByTestId('import-guesses').locator('summary').click();
  const guess = page.getByTestId('guess-search_web');
  await expect(guess.locator('xpath=..')).toContainText('search_web: HTTP (guessed)');
  await guess.click();
  await expect(page.getByTestId('node-search_web')).toContainText('LLM');
  await expect(page.getByTestId('guess-search_web').locator('xpath=..')).toContainText('LLM (changed from the guess)');
  await expect(page.getByTestId('edge-plan-search_web')).toHaveCount(1);

  await page.getByTestId('assumed-llm-ms').fill('120');
  await page.getByTestId('assumed-http-ms').fill('40');
  await page.getByTestId('assumed-apply').click();
  await expect(page.getByTestId('assumed-status')).toHaveText(/^5 steps changed/);
  const saved = JSON.parse((await page.evaluate(() => localStorage.getItem('chainlab.chain')))!);
  const medians = Object.fromEntries(saved.steps.map((s: any) => [s.id, s.sim.latency.median_ms]));
  // search_web is an LLM step now; search_news and fetch_docs stayed HTTP.
  expect(medians).toEqual({ plan: 120, search_web: 120, search_news: 40, fetch_docs: 40, synthesize: 120 });

  await page.getByTestId('assumed-llm-ms').fill('-3');
  await page.getByTestId('assumed-apply').click();
  await expect(page.getByTestId('assumed-status')).toContainText('whole number of milliseconds');
});

test('OpenTelemetry traces replay as they ran: durations within 1 ms, the as-it-ran run within 5 ms of the root span', async ({ page }) => {
  const errors = watch(page);
  await open(page);
  for (const trace of manifest.traces) {
    await page.getByTestId('import').setInputFiles(join(dir, trace.file));
    await expect(page.getByTestId('import-format'), trace.file).toHaveText('OpenTelemetry trace (OTLP/JSON)');
    await expect(page.getByTestId('import-name')).toHaveText(`${trace.service} · trace ${trace.trace_id.slice(0, 8)}`);
    await expectGraph(page, trace.steps.map((s) => s.id), trace.edges);
    for (const step of trace.steps) {
      const text = (await page.getByTestId(`node-${step.id}`).locator('text.latency').textContent())!.trim();
      expect(text, step.id).toMatch(/^\d+ ms$/);
      expect(Math.abs(Number(text.replace(/\D/g, '')) - step.duration_ms), step.id).toBeLessThanOrEqual(1);
    }
    for (const id of trace.llm_steps) await expect(page.getByTestId(`node-${id}`)).toContainText('LLM');

    const report = page.getByTestId('import-report');
    await expect(report).toContainText('A trace records what ran, not which step needed which');
    await expect(page.getByTestId('import-as-it-ran')).toContainText('Remove the dependencies that are not real on the canvas');
    const asItRan = Number(await page.getByTestId('import-as-it-ran').getAttribute('data-as-it-ran-ms'));
    expect(Math.abs(asItRan - trace.root_ms)).toBeLessThanOrEqual(5);

    const totals = await race(page);
    expect(Math.abs(totals.eager - trace.root_ms), `${trace.name}: eager ${totals.eager} ms, root ${trace.root_ms} ms`).toBeLessThanOrEqual(5);
    expect(totals.eager).toBe(asItRan);
    const sum = trace.steps.reduce((total, s) => total + s.duration_ms, 0);
    if (trace.name === 'sequential') {
      // One after another: every mode is the run as it ran.
      expect(Math.abs(totals.sequential - trace.root_ms)).toBeLessThanOrEqual(5);
    } else {
      // Overlapping spans became branches: one after another would take their sum.
      expect(Math.abs(totals.sequential - sum)).toBeLessThanOrEqual(trace.steps.length);
      expect(totals.sequential).toBeGreaterThan(totals.eager + 20);
    }
  }
  expect(errors).toEqual([]);
});

test('a dependency a trace implied is removed on the canvas, and the race shows what eager would have taken', async ({ page }) => {
  await open(page);
  const trace = manifest.traces.find((t) => t.name === 'sequential')!;
  await page.getByTestId('import').setInputFiles(join(dir, trace.file));
  await expect(page.getByTestId('edge-summarize_web-fetch_docs')).toHaveCount(1);
  const before = await race(page);
  await page.getByTestId('edge-summarize_web-fetch_docs').click({ force: true });
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('edge-summarize_web-fetch_docs')).toHaveCount(0);
  const after = await race(page);
  const ms = (id: string) => trace.steps.find((s) => s.id === id)!.duration_ms;
  // fetch_docs and answer no longer wait for search_web and summarize_web.
  const expected = Math.max(ms('search_web') + ms('summarize_web'), ms('fetch_docs') + ms('answer'));
  expect(Math.abs(after.eager - expected)).toBeLessThanOrEqual(2);
  expect(after.eager).toBeLessThan(before.eager - 20);
});

test('ChainLab’s own Chrome trace comes back as the chain that ran', async ({ page }) => {
  await open(page);
  await page.getByTestId('chain-select').selectOption('uneven-branches');
  await race(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-trace').click()]);
  await page.getByTestId('import').setInputFiles(await download.path());
  await expect(page.getByTestId('import-format')).toHaveText('Chrome trace');
  await expect(page.getByTestId('import-name')).toContainText('as it ran');
  const { ids } = await canvas(page);
  expect(ids).toEqual(['a', 'b', 'c', 'd', 'e']);
});

test('pasted hand-written Mermaid imports with labels, joins and comments', async ({ page }) => {
  const errors = watch(page);
  await open(page);
  await paste(
    page,
    [
      '%% a README sketch',
      'flowchart LR',
      '  q([Question]) --> sa[Search the web] & sb[Search the news]',
      '  sa -- results --> sum(Summarize)',
      '  sb -->|results| sum',
      '  sum -.-> check{Check}',
      '  classDef slow fill:#f96',
    ].join('\n'),
  );
  await expect(page.getByTestId('import-format')).toHaveText('Mermaid flowchart');
  await expect(page.getByTestId('drawer')).toBeHidden();
  await expectGraph(page, ['q', 'sa', 'sb', 'sum', 'check'], [
    ['q', 'sa'],
    ['q', 'sb'],
    ['sa', 'sum'],
    ['sb', 'sum'],
    ['sum', 'check'],
  ]);
  await expect(page.getByTestId('node-sa')).toContainText('Search the web');
  await expect(page.getByTestId('node-sa')).toContainText('HTTP');
  await expect(page.getByTestId('import-report')).toContainText('1 dotted (conditional) edges');
  await expect(page.getByTestId('import-time')).toHaveText(/read in \d+\.\d ms/);
  expect(errors).toEqual([]);
});

function nestedTrace(depth: number) {
  const spans = Array.from({ length: depth }, (_, i) => ({
    traceId: 'ab'.repeat(16),
    spanId: (i + 1).toString(16).padStart(16, '0'),
    parentSpanId: i === 0 ? '' : i.toString(16).padStart(16, '0'),
    name: `s${i}`,
    startTimeUnixNano: String(1e18 + i * 1e6),
    endTimeUnixNano: String(1e18 + (2 * depth - i) * 1e6),
  }));
  return JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
}

function wideTrace(width: number) {
  const span = (i: number, parent: string) => ({
    traceId: 'cd'.repeat(16),
    spanId: i.toString(16).padStart(16, '0'),
    parentSpanId: parent,
    name: i === 0 ? 'root' : `call_${i}`,
    startTimeUnixNano: String(1e18 + i * 1e6),
    endTimeUnixNano: String(1e18 + (i === 0 ? width + 5 : i + 1) * 1e6),
  });
  const spans = [span(0, ''), ...Array.from({ length: width }, (_, i) => span(i + 1, '0'.repeat(16)))];
  return JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
}

test('bad input names the line or span at fault and the chain that was open stays open', async ({ page }) => {
  const errors = watch(page);
  await open(page);
  const before = await canvas(page);
  const cases: [string, string | RegExp][] = [
    ['graph TD\n  a --> b\n  b --> c\n  c --> a\n', /Line 4: this edge closes a cycle \([abc] → [abc] → [abc] → [abc]\)/],
    ['sequenceDiagram\n  Alice->>Bob: hi\n', /Line 1 \("sequenceDiagram"\) is not the start of a format ChainLab reads/],
    ['graph TD\n  a --> b\n  b ==> \n', /Line 3: /],
    ['{"resourceSpans": []}', 'The trace holds no spans'],
    [nestedTrace(600), /Span "s\d+" \(id [0-9a-f]{16}\): spans are nested \d+ deep here; at most 500 levels are read/],
    [wideTrace(600), /Span "call_501" \(id [0-9a-f]{16}\): this would be step 501 of 600; a chain holds at most 500/],
    ['{"nodes": [{"id": "a"}], "edges": [{"source": "a", "target": "zz"}]}', 'Edge 1: its target "zz" is not one of the nodes'],
  ];
  for (const [text, message] of cases) {
    await paste(page, text);
    await expect(page.getByTestId('load-error')).toContainText('The pasted text could not be opened');
    await expect(page.getByTestId('load-error')).toContainText(message);
    await expect(page.getByTestId('load-error')).toContainText('Your chain is unchanged');
    expect(await canvas(page)).toEqual(before);
  }
  await page.getByTestId('import').setInputFiles({
    name: 'huge.json',
    mimeType: 'application/json',
    buffer: Buffer.alloc(8 * 1024 * 1024 + 1, ' '),
  });
  await expect(page.getByTestId('load-error')).toContainText('The file “huge.json” could not be opened. The text is 8193 KB; at most 8192 KB are read');
  expect(await canvas(page)).toEqual(before);
  await expect(page.getByTestId('import-report')).toHaveCount(0);

  // A good import after them: the chain from before is one click (or Ctrl+Z) away.
  await paste(page, 'graph TD\n  x --> y\n');
  await expectGraph(page, ['x', 'y'], [['x', 'y']]);
  await expect(page.getByTestId('load-error')).toHaveCount(0);
  await page.getByTestId('restore').click();
  expect(await canvas(page)).toEqual(before);
  expect(errors).toEqual([]);
});

test('every gallery chain exports Mermaid that Mermaid parses and that imports back as the same steps and edges', async ({ page, context }) => {
  const errors = watch(page);
  await open(page);
  // Mermaid itself, in a page of its own (the app's CSP would refuse its script).
  const mermaidPage = await context.newPage();
  await mermaidPage.setContent('<!doctype html><html><body></body></html>');
  await mermaidPage.addScriptTag({ path: 'node_modules/mermaid/dist/mermaid.min.js' });
  const parse = (text: string) =>
    mermaidPage.evaluate(async (text) => {
      const mermaid = (window as any).mermaid;
      mermaid.initialize({ startOnLoad: false });
      try {
        const result = await mermaid.parse(text);
        return result ? `ok ${result.diagramType}` : 'no result';
      } catch (e) {
        return `error ${(e as Error).message}`;
      }
    }, text);
  // The check can fail: Mermaid refuses a broken flowchart.
  expect(await parse('flowchart LR\n  a --> \n  b[')).toMatch(/^error/);

  const keys = await page.getByTestId('chain-select').locator('option:not([disabled])').evaluateAll((options) =>
    options.map((o) => (o as HTMLOptionElement).value),
  );
  expect(keys.length).toBeGreaterThanOrEqual(10);
  for (const key of keys) {
    await page.getByTestId('chain-select').selectOption(key);
    const chain = await canvas(page);
    expect(chain.ids.length, key).toBeGreaterThan(1);
    if (!(await page.getByTestId('drawer').isVisible())) await page.getByTestId('menu').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-mermaid').click()]);
    expect(download.suggestedFilename(), key).toMatch(/\.mmd$/);
    const text = readFileSync((await download.path())!, 'utf8');
    expect(await parse(text), `${key}:\n${text}`).toMatch(/^ok flowchart/);

    await paste(page, text);
    await expect(page.getByTestId('import-format')).toHaveText('Mermaid flowchart');
    expect(await canvas(page), key).toEqual(chain);
  }
  expect(errors).toEqual([]);
});
