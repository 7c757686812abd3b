import { test, expect, Page } from '@playwright/test';
import { spawn, ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

// The page as developers meet it. The release build, served by a static server, loads
// with no console error and no CSP violation. Under `trunk serve` (scripts/serve.sh)
// the page also loads clean, with trunk's live-reload script allowed by the CSP and
// its websocket open, and a change to a watched file reloads it.
//
// trunk serve builds with --release (the CSP hook keys on the reload script, not on
// the profile, so it behaves as a debug serve does) into target/serve-dist, so the
// release build in dist/ is left alone and cargo reuses check.sh's release build.
// CHAINLAB_SERVE_PORT sets its port (default 4180).

const servePort = Number(process.env.CHAINLAB_SERVE_PORT ?? 4180);
const serveURL = `http://127.0.0.1:${servePort}/`;

/// Records console errors, page errors and CSP violations, from the first script on.
async function watch(page: Page) {
  const seen = { console: [] as string[], errors: [] as string[] };
  page.on('console', (m) => {
    if (m.type() === 'error') seen.console.push(m.text());
  });
  page.on('pageerror', (e) => seen.errors.push(e.message));
  await page.addInitScript(() => {
    (window as any).__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as any).__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return seen;
}

async function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as any).__csp ?? ['no listener']);
}

test('the release build loads with no console error and no CSP violation', async ({ page }) => {
  const seen = await watch(page);
  await page.goto('/');
  await expect(page.getByTestId('node-question')).toBeVisible();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('total-eager')).toHaveText(/^\d+ ms$/, { timeout: 20_000 });
  expect(await violations(page)).toEqual([]);
  expect(seen.console).toEqual([]);
  expect(seen.errors).toEqual([]);
  // No reload script in a build: the strict policy, with no websocket allowed.
  const csp = (await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content'))!;
  expect(csp).not.toContain('ws:');
  expect(await page.locator('script:not([src])').count()).toBe(1);
});

test.describe('under trunk serve', () => {
  let trunk: ChildProcess | undefined;
  let log = '';

  test.beforeAll(async () => {
    test.setTimeout(900_000);
    // trunk serves what its dist holds while it builds: an earlier build must not answer.
    rmSync('target/serve-dist', { recursive: true, force: true });
    trunk = spawn(
      'bash',
      [
        '-c',
        `source scripts/env.sh && wasm_env && exec trunk serve --release --address 127.0.0.1 --port ${servePort} --dist target/serve-dist`,
      ],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    trunk.stdout!.on('data', (d) => (log += d));
    trunk.stderr!.on('data', (d) => (log += d));
    // The first build: cargo has the release build already; wasm-bindgen and wasm-opt run.
    const started = Date.now();
    for (;;) {
      if (trunk.exitCode !== null) throw new Error(`trunk serve exited:\n${log.slice(-3000)}`);
      const ok = log.includes('success') && (await fetch(serveURL).then((r) => r.ok, () => false));
      if (ok) break;
      if (Date.now() - started > 840_000) throw new Error(`trunk serve did not answer:\n${log.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  });

  test.afterAll(() => {
    if (trunk?.pid && trunk.exitCode === null) process.kill(-trunk.pid, 'SIGTERM');
  });

  test('the page loads clean with live reload connected, and a change to a watched file reloads it', async ({ page }) => {
    test.setTimeout(600_000);
    const seen = await watch(page);
    const socket = page.waitForEvent('websocket', (ws) => ws.url().includes('/.well-known/trunk/ws'));
    await page.goto(serveURL);
    await expect(page.getByTestId('node-question')).toBeVisible();
    const ws = await socket;
    expect(ws.isClosed()).toBe(false);
    expect(await violations(page)).toEqual([]);
    expect(seen.console).toEqual([]);
    expect(seen.errors).toEqual([]);
    const csp = (await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content'))!;
    expect(csp).toContain('/.well-known/trunk/ws');
    expect(csp.split('script-src')[1].split(';')[0]).not.toContain('unsafe-inline');

    // A comment added to a stylesheet trunk watches: the page reloads with it.
    await page.evaluate(() => ((window as any).__before_reload = true));
    const file = 'assets/analysis.css';
    const original = readFileSync(file, 'utf8');
    const mark = `/* reload check ${Date.now()} */`;
    try {
      const reloaded = page.waitForEvent('load', { timeout: 540_000 });
      appendFileSync(file, `\n${mark}\n`);
      await reloaded;
      await expect(page.getByTestId('node-question')).toBeVisible();
      expect(await page.evaluate(() => (window as any).__before_reload)).toBeUndefined();
      const css = await page.evaluate(async () => {
        const links = [...document.querySelectorAll('link[rel="stylesheet"]')] as HTMLLinkElement[];
        return (await Promise.all(links.map((l) => fetch(l.href).then((r) => r.text())))).join('\n');
      });
      expect(css).toContain(mark);
      expect(await violations(page)).toEqual([]);
      expect(seen.console).toEqual([]);
    } finally {
      writeFileSync(file, original);
    }
  });
});
