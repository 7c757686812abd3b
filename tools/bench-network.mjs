// What the browser runner costs per fetch, against the mock server at zero latency.
//
// Usage (from the repository root, after `trunk build --release --dist <dir>`):
//   node tools/bench-network.mjs [dist-dir] [runs]
// It starts the mock server (release build) and a static server itself, and prints
//   1. per request, one after another: a chain of 30 dependent LLM steps run live
//      (eager lane) against a bare `fetch` + `response.text()` loop in the same page;
//   2. 100 requests at k = 8: a fan-out of 100 LLM steps under a concurrency limit of 8
//      against the ideal, the same 100 bare fetches from 8 workers in the same page;
//   3. what fairness costs in wall time: the k = 8 fan-out's whole live race (Run to
//      done) in 1 round and in 3 rounds (the default), and its warm-up request.
// Figures 1 and 2 race one round (the lane's own makespan, warm-up excluded). Each
// figure is the median of `runs` runs (default 7).
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';

const [dist = '/tmp/network-dist', runsArg = '7'] = process.argv.slice(2);
const runs = Number(runsArg);
const webPort = Number(process.env.CHAINLAB_PORT ?? 4328);
const mockPort = Number(process.env.CHAINLAB_MOCK_PORT ?? 4329);
const mock = `http://127.0.0.1:${mockPort}`;

const children = [];
function start(cmd, args, stderr = 'inherit') {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', stderr] });
  children.push(child);
  return child;
}
async function waitFor(url, seconds) {
  for (let i = 0; i < seconds * 10; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${seconds} s`);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function llm(id, inputs, prompt) {
  return {
    id,
    label: id,
    kind: { type: 'llm', provider: 'mock', model: 'mock:tokens=3', prompt },
    inputs,
  };
}
function chainOf(steps) {
  return {
    name: 'bench',
    seed: 1,
    steps: [{ id: 'q', label: 'q', kind: { type: 'input', text: 'x' } }, ...steps],
  };
}
const serial = chainOf(
  Array.from({ length: 30 }, (_, i) => {
    const before = i === 0 ? 'q' : `s${i}`;
    return llm(`s${i + 1}`, [before], `{{${before}}}`);
  }),
);
const fan = chainOf(Array.from({ length: 100 }, (_, i) => llm(`b${i + 1}`, ['q'], '{{q}}')));

/// Opens the drawer, sets the live race's rounds (and limit), and closes it again.
async function liveSettings(page, rounds, limit) {
  await page.getByTestId('mode-live').click();
  await page.getByTestId('menu').click();
  await page.getByTestId('rounds').fill(String(rounds));
  await page.getByTestId('rounds').blur();
  if (limit) {
    await page.getByTestId('concurrency-limit').fill(String(limit));
    await page.getByTestId('concurrency-limit').blur();
  }
  await page.getByTestId('menu-close').click();
}

/// The whole live race of `chain` in `rounds` rounds, from Run to done (ms of wall
/// time), and its warm-up request (ms), per run.
async function liveWall(browser, chain, limit, rounds) {
  const page = await browser.newPage();
  await page.addInitScript(
    ([c, p]) => {
      localStorage.setItem('chainlab.chain', c);
      sessionStorage.setItem('chainlab.providers', p);
    },
    [JSON.stringify(chain), JSON.stringify([{ name: 'mock', base_url: `${mock}/v1`, key: '' }])],
  );
  await page.goto(`http://127.0.0.1:${webPort}/`);
  await liveSettings(page, rounds, limit);
  const walls = [];
  const warmUps = [];
  for (let i = 0; i < runs; i++) {
    const t0 = Date.now();
    await page.getByTestId('run').click();
    await page.getByTestId('cancel').waitFor({ state: 'visible' });
    await page.waitForFunction(() => document.querySelector('[data-testid=cancel]')?.disabled === false, null, { timeout: 10_000 }).catch(() => {});
    await page.waitForFunction(() => document.querySelector('[data-testid=cancel]')?.disabled === true, null, { timeout: 120_000 });
    walls.push(Date.now() - t0);
    const text = await page.getByTestId('warm-up').textContent();
    warmUps.push(Number(text.match(/: (\d+) ms/)[1]));
  }
  await page.close();
  return { wall: median(walls), warmUp: median(warmUps) };
}

async function liveEager(browser, chain, limit) {
  const page = await browser.newPage();
  await page.addInitScript(
    ([c, p]) => {
      localStorage.setItem('chainlab.chain', c);
      sessionStorage.setItem('chainlab.providers', p);
    },
    [JSON.stringify(chain), JSON.stringify([{ name: 'mock', base_url: `${mock}/v1`, key: '' }])],
  );
  await page.goto(`http://127.0.0.1:${webPort}/`);
  await liveSettings(page, 1, limit);
  const times = [];
  for (let i = 0; i < runs; i++) {
    await page.getByTestId('run').click();
    const line = page.getByTestId('live-summary').getByText(/^eager\b/);
    await line.waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => !document.querySelector('[data-testid=cancel]:not([disabled])'));
    times.push(Number((await line.textContent()).match(/(\d+) ms/)[1]));
  }
  await page.close();
  return times;
}

async function bareFetches(browser, count, workers) {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${webPort}/`);
  const times = [];
  for (let i = 0; i < runs; i++) {
    times.push(
      await page.evaluate(
        async ([url, count, workers]) => {
          const body = JSON.stringify({
            model: 'mock:tokens=3',
            stream: true,
            messages: [{ role: 'user', content: 'x' }],
          });
          let left = count;
          const worker = async () => {
            while (left-- > 0) {
              const r = await fetch(url, {
                method: 'POST',
                headers: { 'Content-Type': 'application/json' },
                body,
              });
              await r.text();
            }
          };
          const t0 = performance.now();
          await Promise.all(Array.from({ length: workers }, worker));
          return performance.now() - t0;
        },
        [`${mock}/v1/chat/completions`, count, workers],
      ),
    );
  }
  await page.close();
  return times;
}

try {
  console.error('building and starting the mock server (release)…');
  start('cargo', ['run', '--quiet', '--release', '-p', 'mock-llm', '--', '--port', String(mockPort)]);
  start('python3', ['-m', 'http.server', String(webPort), '--bind', '127.0.0.1', '--directory', dist], 'ignore');
  await waitFor(`${mock}/v1/models`, 600);
  await waitFor(`http://127.0.0.1:${webPort}/`, 30);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
  });
  const serialRunner = median(await liveEager(browser, serial, null)) / 30;
  const serialBare = median(await bareFetches(browser, 30, 1)) / 30;
  const fanRunner = median(await liveEager(browser, fan, 8));
  const fanBare = median(await bareFetches(browser, 100, 8));
  const one = await liveWall(browser, fan, 8, 1);
  const three = await liveWall(browser, fan, 8, 3);
  await browser.close();
  console.log(`live network runner, mock server at zero latency, median of ${runs} runs`);
  console.log(`per request, one after another: runner ${serialRunner.toFixed(2)} ms, bare fetch ${serialBare.toFixed(2)} ms, overhead ${(serialRunner - serialBare).toFixed(2)} ms`);
  console.log(`100 requests at k=8: runner ${fanRunner.toFixed(0)} ms, ideal (bare fetch, 8 workers) ${fanBare.toFixed(0)} ms, ratio ${(fanRunner / fanBare).toFixed(2)}`);
  console.log(`whole live race of the k=8 fan-out (staged + eager, sequential projected), Run to done: 1 round ${one.wall} ms, 3 rounds ${three.wall} ms (${(three.wall / one.wall).toFixed(2)}x); its warm-up request ${one.warmUp} ms (1 round) / ${three.warmUp} ms (3 rounds)`);
} finally {
  for (const child of children) child.kill();
}
