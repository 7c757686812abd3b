// First load on a slow school network: Chromium throttled to "Fast 3G" as issue 11 sets
// it (1.6 Mbps down, 750 kbps up, 150 ms round trip, through CDP's
// Network.emulateNetworkConditions), loading the release build from a tiny static
// server in this file, once gzip-compressed as static hosts serve it and once
// uncompressed for comparison.
//
// Usage: node tools/first-load-bench.mjs [dist-dir] [runs]
//   (build first: source scripts/env.sh && wasm_env trunk build --release)
//
// Per run (a fresh browser context, so nothing is cached) it measures, from the start
// of the navigation (the page's time origin):
//   - Run usable: the `run` button is in the page and enabled, that is the wasm is
//     loaded and the app mounted with its handlers (the page renders nothing before);
//   - first race drawn: Run is clicked as soon as it is usable, and total-eager shows
//     "N ms" (the simulated race, which plays in real time, has finished drawing).
// Prints each run, the median of the runs, and the bytes transferred (as they went over
// the wire, headers included) by type: wasm, js, css, fonts, other.
import { createServer } from 'node:http';
import { readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const [distArg = 'dist', runsArg = '5'] = process.argv.slice(2);
const DIST = resolve(distArg);
const RUNS = Number(runsArg);
// Issue 11's "Fast 3G": CDP takes bytes per second and the added round trip in ms.
const FAST_3G = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6e6 / 8),
  uploadThroughput: (750e3 / 8),
};

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
};

// A static host: files from dist/, index.html for "/", gzip -9 when asked for and
// `gzip` is on (compressed once per file and kept, as hosts precompress or cache).
function serve(gzip) {
  const cache = new Map();
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = normalize(join(DIST, path === '/' ? 'index.html' : path));
    if (!file.startsWith(DIST)) {
      res.writeHead(403).end();
      return;
    }
    let body;
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
      body = readFileSync(file);
    } catch {
      res.writeHead(404).end('not found');
      return;
    }
    const headers = {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-store',
    };
    if (gzip && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
      if (!cache.has(file)) cache.set(file, gzipSync(body, { level: 9 }));
      body = cache.get(file);
      headers['Content-Encoding'] = 'gzip';
      headers.Vary = 'Accept-Encoding';
    }
    headers['Content-Length'] = body.length;
    res.writeHead(200, headers).end(body);
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

function kind(url) {
  const ext = extname(new URL(url).pathname);
  if (ext === '.wasm') return 'wasm';
  if (ext === '.js' || ext === '.mjs') return 'js';
  if (ext === '.css') return 'css';
  if (['.woff2', '.woff', '.ttf', '.otf'].includes(ext)) return 'fonts';
  return 'other';
}

// Runs in the page before its own scripts: notes (in the page's clock, 0 = navigation
// start) when Run is first usable and when the eager lane's total first shows a figure.
function watch() {
  const marks = {};
  window.__firstLoad = marks;
  const check = () => {
    const run = document.querySelector('[data-testid="run"]');
    if (marks.runUsable === undefined && run && !run.disabled) marks.runUsable = performance.now();
    const eager = document.querySelector('[data-testid="total-eager"]');
    if (marks.clicked !== undefined && marks.raceDrawn === undefined && eager && /^\d+ ms$/.test(eager.textContent.trim())) {
      marks.raceDrawn = performance.now();
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  addEventListener('click', (e) => {
    if (marks.clicked === undefined && e.target.closest?.('[data-testid="run"]')) marks.clicked = performance.now();
  }, true);
}

async function once(browser, base) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(watch);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', FAST_3G);
  const urls = new Map();
  const bytes = { wasm: 0, js: 0, css: 0, fonts: 0, other: 0 };
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.loadingFinished', (e) => {
    const url = urls.get(e.requestId);
    if (url && !url.startsWith('data:')) bytes[kind(url)] += e.encodedDataLength;
  });
  await page.goto(base, { waitUntil: 'commit' });
  const run = page.getByTestId('run');
  await run.waitFor({ state: 'visible', timeout: 120_000 });
  await page.waitForFunction(() => window.__firstLoad.runUsable !== undefined, null, { timeout: 120_000, polling: 50 });
  await run.click();
  await page.waitForFunction(() => window.__firstLoad.raceDrawn !== undefined, null, { timeout: 120_000, polling: 50 });
  const marks = await page.evaluate(() => window.__firstLoad);
  await context.close();
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
  return { ...marks, bytes };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const kb = (b) => `${(b / 1000).toFixed(1)} kB`;
const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
console.log(`first load of ${DIST} at Fast 3G (1.6 Mbps down, 150 ms RTT, CDP throttling), ${RUNS} runs each`);
for (const gzip of [true, false]) {
  const server = await serve(gzip);
  const base = `http://127.0.0.1:${server.address().port}/`;
  const results = [];
  for (let i = 1; i <= RUNS; i++) {
    const r = await once(browser, base);
    results.push(r);
    console.log(`  ${gzip ? 'gzip' : 'plain'} run ${i}: Run usable ${sec(r.runUsable)}, first race drawn ${sec(r.raceDrawn)} (clicked at ${sec(r.clicked)})`);
  }
  server.close();
  const b = results[0].bytes;
  const total = Object.values(b).reduce((x, y) => x + y, 0);
  console.log(
    `${gzip ? 'gzip-compressed' : 'uncompressed'} server: Run usable ${sec(median(results.map((r) => r.runUsable)))}, ` +
      `first race drawn ${sec(median(results.map((r) => r.raceDrawn)))} (median of ${RUNS}); ` +
      `race itself (click to total-eager) ${sec(median(results.map((r) => r.raceDrawn - r.clicked)))}`,
  );
  console.log(
    `  transferred ${kb(total)}: ` + Object.entries(b).map(([k, v]) => `${k} ${kb(v)}`).join(', '),
  );
}
await browser.close();
