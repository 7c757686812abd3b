// Import speed in headless Chromium (issue 15's browser budget: 20 ms): a 500-node
// Mermaid graph and a 5,001-span OpenTelemetry trace, each read by the page's own
// import, on the release build.
//
// Usage: node tools/import-bench.mjs [base-url] [rounds]
//   (serve a release build first, e.g.
//    python3 -m http.server 4202 --bind 127.0.0.1 --directory dist)
//
// The graph is the native bench's (crates/chainlab-core/benches/import.rs: 25 levels of
// 20 nodes, each taking two of the level before, written the way LangGraph draws it).
// The trace is shaped like a LangChain agent's: a root and 100 turns of 50 spans each
// (two searches at once, then a chat call, then a fetch, each leaf wrapped in the
// eleven runnable spans LangChain nests a call in), so its 400 leaf spans fit a chain
// (at most 500 steps); the native bench's 3,996-leaf trace is refused here by that
// limit. Each file goes through the `import` file input; the figure read is the page's
// own: `data-ms` of `import-time`, performance.now() around the core's
// `arrive_text` (detect the format, parse, validate, lay out), without drawing. The
// two files alternate in one page, so each round is a real change of chain. Prints
// every round, the first (cold: the wasm not yet tiered up) and the median of the rest.
import { chromium } from 'playwright-core';

const [base = 'http://127.0.0.1:4202/', rounds = '9'] = process.argv.slice(2);

function mermaid500() {
  let text = '---\nconfig:\n  flowchart:\n    curve: linear\n---\ngraph TD;\n';
  for (let i = 0; i < 500; i++) text += `\tsearch_${i}(search ${i})\n`;
  for (let i = 20; i < 500; i++) {
    const level = Math.floor(i / 20);
    const j = i % 20;
    for (const k of [j, (j + 1) % 20]) text += `\tsearch_${(level - 1) * 20 + k} --> search_${i};\n`;
  }
  return text;
}

function trace5001() {
  const origin = 1_700_000_000_000_000_000n;
  const ns = (ms) => (origin + BigInt(ms) * 1_000_000n).toString();
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const spans = [];
  const push = (name, parent, start, end) => {
    const spanId = spans.length.toString(16).padStart(16, '0');
    spans.push({
      traceId, spanId, parentSpanId: parent, name, kind: 1,
      startTimeUnixNano: ns(start), endTimeUnixNano: ns(end),
      attributes: name === 'chat' ? [{ key: 'gen_ai.operation.name', value: { stringValue: 'chat' } }] : [],
      status: {},
    });
    return spanId;
  };
  const root = push('agent', '', 0, 100 * 100);
  for (let turn = 0; turn < 100; turn++) {
    const t = turn * 100;
    const group = push('turn', root, t, t + 100);
    const step = push('AgentExecutor', group, t, t + 100);
    for (const [name, start, end] of [['search_web', t, t + 40], ['search_news', t + 1, t + 30], ['chat', t + 40, t + 80], ['fetch', t + 80, t + 100]]) {
      let parent = step;
      for (const wrapper of ['RunnableSequence', 'RunnableParallel', 'RunnableLambda', 'RunnableAssign', 'RunnablePassthrough',
        'ChatPromptTemplate', 'RunnableBinding', 'RunnableWithFallbacks', 'RunnableRetry', 'Tool', 'Callback']) {
        parent = push(wrapper, parent, start, end);
      }
      push(name, parent, start, end);
    }
  }
  return JSON.stringify({
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench-agent' } }] },
      scopeSpans: [{ scope: { name: 'bench' }, spans }],
    }],
  });
}

const cases = [
  { what: '500-node Mermaid graph (960 edges)', name: 'graph500.mmd', text: mermaid500(), format: 'Mermaid flowchart', steps: 500 },
  { what: '5,001-span OTLP/JSON trace (400 leaf spans become steps)', name: 'trace5001.json', text: trace5001(), format: 'OpenTelemetry trace (OTLP/JSON)', steps: 400 },
];

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
const errors = [];
page.on('pageerror', (e) => errors.push(e.message));
await page.goto(base);
await page.getByTestId('node-question').waitFor();
const times = cases.map(() => []);
for (let round = 1; round <= Number(rounds); round++) {
  for (const [i, c] of cases.entries()) {
    await page.getByTestId('import').setInputFiles({ name: c.name, mimeType: 'text/plain', buffer: Buffer.from(c.text) });
    await page.getByTestId('import-format').filter({ hasText: c.format }).waitFor({ timeout: 60_000 });
    const steps = await page.locator('svg.canvas g.node').count();
    if (steps !== c.steps) throw new Error(`${c.what}: ${steps} steps on the canvas, expected ${c.steps}`);
    const ms = Number(await page.getByTestId('import-time').getAttribute('data-ms'));
    times[i].push(ms);
    console.log(`round ${round}: ${c.what}: ${ms.toFixed(2)} ms`);
  }
}
await browser.close();
if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
console.log('');
for (const [i, c] of cases.entries()) {
  const [cold, ...warm] = times[i];
  console.log(`${c.what} (${(c.text.length / 1024).toFixed(0)} KB): first ${cold.toFixed(2)} ms, median of the other ${warm.length} rounds ${median(warm).toFixed(2)} ms (fastest ${Math.min(...warm).toFixed(2)} ms)`);
}
