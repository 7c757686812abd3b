// Frame times of the timeline animating a 1,000-step chain in headless Chromium.
//
// Usage: node tools/timeline-bench.mjs [base-url] [steps] [runs]
//   (serve a release build with the benchmark hook first:
//    source scripts/env.sh && wasm_env trunk build --release --features bench-hooks -d /tmp/timeline-dist
//    python3 -m http.server 4312 --bind 127.0.0.1 --directory /tmp/timeline-dist)
//
// The benchmark build's `?bench-steps=N` hook (the `bench-hooks` cargo feature; the
// release page does not have it) races a synthetic chain of N steps (ten
// branches of N/10 steps) in all three modes. Frames are sampled with
// requestAnimationFrame for a few seconds (1) while the race runs live and (2) while
// the recording replays at 1x, with the timeline scrolled into view. Prints median and
// p95 per run and the median of each over the runs.
import { chromium } from 'playwright-core';

const [base = 'http://127.0.0.1:4312/', steps = '1000', runs = '3'] = process.argv.slice(2);
const SAMPLE_MS = 4000;

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function summary(gaps) {
  const sorted = [...gaps].sort((a, b) => a - b);
  return { frames: gaps.length, median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95) };
}

// For `ms` milliseconds, per animation frame: the gap since the previous frame (paced
// by the 60 Hz vsync, so 16.7 ms at best) and the frame's main-thread work: from the
// frame's start (the rAF timestamp) until a task posted from the frame runs, which
// is after the frame's script, style, layout and paint.
async function frames(page, ms) {
  return page.evaluate(
    (ms) =>
      new Promise((done) => {
        const starts = [];
        const work = [];
        const channel = new MessageChannel();
        channel.port1.onmessage = (e) => work.push(performance.now() - e.data);
        const frame = (t) => {
          starts.push(t);
          channel.port2.postMessage(t);
          if (t - starts[0] < ms) requestAnimationFrame(frame);
          else setTimeout(() => done({ gaps: starts.slice(1).map((t, i) => t - starts[i]), work }), 50);
        };
        requestAnimationFrame(frame);
      }),
    ms,
  );
}

function line(name, sample) {
  const gaps = summary(sample.gaps);
  const work = summary(sample.work);
  return (
    `  ${name}: ${gaps.frames} frames; frame work median ${work.median.toFixed(1)} ms, p95 ${work.p95.toFixed(1)} ms; ` +
    `frame gap median ${gaps.median.toFixed(1)} ms, p95 ${gaps.p95.toFixed(1)} ms`
  );
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
const results = { live: [], replay: [] };
for (let run = 1; run <= Number(runs); run++) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}?bench-steps=${steps}`);
  await page.locator('.lane .row[data-step]').nth(3 * Number(steps) - 1).waitFor({ state: 'attached', timeout: 60_000 });
  // Look at the race, as a viewer would: the timeline's top at the top of the window.
  await page.getByTestId('timeline').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  const animating = await page.getByTestId('timeline').getAttribute('data-animating');
  const live = await frames(page, SAMPLE_MS);
  await page.getByTestId('total-sequential').filter({ hasText: /^\d+ ms$/ }).waitFor({ timeout: 120_000 });
  const totals = await Promise.all(
    ['sequential', 'staged', 'eager'].map((m) => page.getByTestId(`total-${m}`).textContent()),
  );
  await page.getByTestId('restart').click();
  await page.getByTestId('timeline').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.getByTestId('play').click();
  const replay = await frames(page, SAMPLE_MS);
  await page.getByTestId('pause').click();
  console.log(`run ${run}: ${steps} steps x 3 lanes (rAF loop running: ${animating}; makespans ${totals.join(' / ')})`);
  console.log(line('live race', live));
  console.log(line('replay 1x', replay));
  if (errors.length) console.log('  page errors:', errors);
  results.live.push(live);
  results.replay.push(replay);
  await page.close();
}
await browser.close();
const mid = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, list] of Object.entries(results)) {
  const work = list.map((r) => summary(r.work));
  const gaps = list.map((r) => summary(r.gaps));
  console.log(
    `${name}, median over ${list.length} runs: frame work median ${mid(work.map((w) => w.median)).toFixed(1)} ms, ` +
      `p95 ${mid(work.map((w) => w.p95)).toFixed(1)} ms; frame gap median ${mid(gaps.map((g) => g.median)).toFixed(1)} ms, ` +
      `p95 ${mid(gaps.map((g) => g.p95)).toFixed(1)} ms`,
  );
}
