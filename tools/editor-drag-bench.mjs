// Is the canvas responsive with a big chain? Puts a 200-step chain into local storage,
// opens the page, and drags steps one pointer move per frame while
// requestAnimationFrame records how long each frame took. Frame rate is uncapped
// (no vsync), so a frame's time is the work it needed: handling the move, updating
// the view, style, layout and paint.
//
// Usage: node tools/editor-drag-bench.mjs [url] [runs]
//   (serve a release build first, e.g.
//    python3 -m http.server 4311 --bind 127.0.0.1 --directory /tmp/editor-dist)
// Prints the median and 95th percentile frame time of each run and the median over runs.
import { chromium } from 'playwright-core';

const [url = 'http://127.0.0.1:4173/', runsArg = '5'] = process.argv.slice(2);
const RUNS = Number(runsArg);
const STEPS = 200;
const FRAMES = 180;

/// 20 levels of 10 steps; each step after the first level needs one or two steps of
/// the level before, so the chain is a valid DAG with 370 edges.
function bigChain() {
  const width = 10;
  const steps = [];
  for (let i = 0; i < STEPS; i++) {
    const level = Math.floor(i / width);
    const col = i % width;
    const inputs = level === 0 ? [] : [`s${i - width}`];
    if (level > 0 && col > 0) inputs.push(`s${i - width - 1}`);
    steps.push({
      id: `s${i}`,
      label: `Step ${i}`,
      kind:
        level === 0
          ? { type: 'input', text: `question ${i}` }
          : { type: 'llm', provider: 'simulator', model: 'sim-small', prompt: inputs.map((n) => `{{${n}}}`).join(' ') },
      inputs,
      position: { x: 40 + level * 270, y: 40 + col * 104 },
      sim: { latency: { model: 'fixed', ms: 10 + (i % 7) * 10 }, output: `out ${i}` },
    });
  }
  return { name: 'Benchmark: 200 steps', description: 'A big chain for the drag benchmark.', seed: 1, steps };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/// In the page: press on `target`, move the pointer once per frame, release, and
/// return each frame's duration.
async function drag(page, { testId, shift }) {
  return page.evaluate(
    async ({ testId, shift, frames }) => {
      const svg = document.querySelector('[data-testid="canvas"]');
      const r = svg.getBoundingClientRect();
      let x, y, target;
      if (testId) {
        target = document.querySelector(`[data-testid="${testId}"]`);
        const b = target.getBoundingClientRect();
        x = b.left + 12;
        y = b.top + b.height / 2;
      } else {
        target = svg;
        x = r.left + 2;
        y = r.top + 2;
      }
      const fire = (el, type, px, py) =>
        el.dispatchEvent(
          new PointerEvent(type, {
            bubbles: true, cancelable: true, composed: true, pointerId: 1, isPrimary: true,
            pointerType: 'mouse', button: 0, buttons: type === 'pointerup' ? 0 : 1,
            clientX: px, clientY: py, shiftKey: shift,
          }),
        );
      fire(target, 'pointerdown', x, y);
      const times = [];
      await new Promise((done) => {
        let last = performance.now();
        let n = 0;
        const frame = (now) => {
          times.push(now - last);
          last = now;
          if (++n > frames) return done();
          // A wavy path to the right, as a person drags.
          const t = n / frames;
          if (testId) fire(svg, 'pointermove', x + 250 * t, y + 120 * Math.sin(2 * Math.PI * t) + 40 * t);
          else fire(svg, 'pointermove', x + (r.width - 4) * t, y + (r.height - 4) * t);
          requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      });
      fire(svg, 'pointerup', testId ? x + 250 : r.right - 2, testId ? y + 40 : r.bottom - 2);
      // The first delta is the wait for the first frame, not a frame of the drag.
      return times.slice(1);
    },
    { testId, shift, frames: FRAMES },
  );
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-gpu-vsync', '--disable-frame-rate-limit',
    '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
page.on('pageerror', (e) => console.log('page error:', e.message));
const chain = JSON.stringify(bigChain());
await page.addInitScript((json) => localStorage.setItem('chainlab.chain', json), chain);
await page.goto(url);
await page.getByTestId(`node-s${STEPS - 1}`).waitFor();
await page.getByTestId('fit').click();
await page.waitForTimeout(300);

const results = { 'one step': [], 'all 200 steps selected': [] };
for (let run = 0; run < RUNS; run++) {
  results['one step'].push(await drag(page, { testId: 'node-s105', shift: false }));
  await page.getByTestId('undo').click();
  await page.waitForTimeout(200);
}
// Select everything with a Shift-drag box, then drag one of them: all 200 move.
// Pressing a step opened the inspector, which narrows the canvas: close it and fit.
await page.keyboard.press('Escape');
await page.getByTestId('fit').click();
await page.waitForTimeout(300);
await drag(page, { testId: null, shift: true });
for (let run = 0; run < RUNS; run++) {
  results['all 200 steps selected'].push(await drag(page, { testId: 'node-s105', shift: false }));
  await page.getByTestId('undo').click();
  await page.waitForTimeout(200);
}
const selected = await page.locator('.node.selected').count();

console.log(`Canvas drag, ${STEPS} steps, ${FRAMES} frames a run, ${RUNS} runs (${url})`);
for (const [what, runs] of Object.entries(results)) {
  const medians = runs.map((t) => median(t));
  const p95s = runs.map((t) => percentile(t, 95));
  console.log(
    `${what.padEnd(24)} median frame ${median(medians).toFixed(2)} ms ` +
      `(runs: ${medians.map((m) => m.toFixed(2)).join(', ')}); ` +
      `p95 ${median(p95s).toFixed(2)} ms`,
  );
}
console.log(`(steps selected for the second drag: ${selected})`);
await browser.close();
