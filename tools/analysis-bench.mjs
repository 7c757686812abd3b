// Monte-Carlo speed in headless Chromium: 10,000 samples of a 50-step chain in all
// three modes (issue 14's browser budget: 150 ms), on the release build.
//
// Usage: node tools/analysis-bench.mjs [base-url] [runs]
//   (serve a release build first, e.g.
//    python3 -m http.server 4312 --bind 127.0.0.1 --directory dist)
//
// The chains are the native bench's (crates/chainlab-core/benches/analysis.rs: deep,
// random and fan-out, built with the same SplitMix64 sequence, so both benches time
// the same work). Each is put in the browser's storage, the page is opened, the
// sample count set to 10,000, and the panel's own account of its computing time is
// read: the time inside its per-frame slices of `MonteCarlo::advance` plus the final
// summary (percentiles and the 40-bin histogram), without the partial redraws.
// Prints each run and the median per shape.
import { chromium } from 'playwright-core';

const [base = 'http://127.0.0.1:4312/', runs = '5'] = process.argv.slice(2);
const STEPS = 50;
const MASK = (1n << 64n) - 1n;

/// SplitMix64, as the native bench's `next`.
function next(state) {
  state.value = (state.value + 0x9e3779b97f4a7c15n) & MASK;
  let z = state.value;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return z ^ (z >> 31n);
}

function inputs(shape, t, n, state) {
  if (shape === 'fan-out') {
    if (t === 0) return [];
    if (t === n - 1) return Array.from({ length: t - 1 }, (_, i) => i + 1);
    return [0];
  }
  const window = shape === 'deep' ? 8 : n;
  const picked = [];
  for (let k = 0; k < 2; k++) {
    if (t > 0) {
      const input = t - 1 - Number(next(state) % BigInt(Math.min(t, window)));
      if (!picked.includes(input)) picked.push(input);
    }
  }
  return picked;
}

function chain(n, shape) {
  const state = { value: BigInt(n) };
  const steps = [];
  for (let t = 0; t < n; t++) {
    const from = inputs(shape, t, n, state).map((u) => `s${u}`);
    const median = 100 + Number(next(state) % 900n);
    steps.push({
      id: `s${t}`,
      label: `Step ${t}`,
      kind: { type: 'llm', provider: 'simulator', model: '', prompt: '' },
      inputs: from,
      sim: { latency: { model: 'log_normal', median_ms: median, sigma: 0.5 }, output: '' },
    });
  }
  return { name: `bench ${shape}`, description: '', seed: 1, steps };
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
for (const shape of ['deep', 'random', 'fan-out']) {
  const times = [];
  for (let run = 1; run <= Number(runs); run++) {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript((json) => localStorage.setItem('chainlab.chain', json), JSON.stringify(chain(STEPS, shape)));
    await page.goto(base);
    const panel = page.getByTestId('distribution');
    await panel.locator('[data-testid="distribution-time"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('samples').fill('10000');
    await page.getByTestId('samples').press('Enter');
    await page.getByTestId('percentiles').filter({ hasText: 'of 10,000 simulated runs' }).waitFor({ timeout: 60_000 });
    const time = page.getByTestId('distribution-time');
    await time.waitFor({ timeout: 60_000 });
    const ms = Number(await time.getAttribute('data-compute-ms'));
    const words = await time.textContent();
    if (errors.length) throw new Error(errors.join('\n'));
    times.push(ms);
    console.log(`  ${shape} run ${run}: ${ms.toFixed(1)} ms (${words})`);
    await page.close();
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`${shape}: median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms, fastest ${sorted[0].toFixed(1)} ms over ${times.length} runs`);
}
await browser.close();
