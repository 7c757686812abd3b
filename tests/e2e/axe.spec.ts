import { test, expect, Page, BrowserContextOptions } from '@playwright/test';
import { readFileSync } from 'node:fs';

// axe-core's default rules find nothing: on load, after a run, with narration, the
// table and the inspector open, in projector mode and on a phone. The context
// bypasses the page's CSP only so that axe's own script can be put into the page.

const axeSource = readFileSync('node_modules/axe-core/axe.min.js', 'utf8');

async function violations(page: Page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (window as any).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n: any) => `${n.target.join(' ')}: ${n.failureSummary}`).slice(0, 5),
    }));
  });
  return result;
}

async function open(browser: any, options: BrowserContextOptions = {}) {
  const context = await browser.newContext({ bypassCSP: true, ...options });
  const page: Page = await context.newPage();
  await page.goto('/');
  await expect(page.getByTestId('node-question')).toBeVisible();
  return { context, page };
}

async function run(page: Page) {
  await page.getByTestId('run').click();
  for (const mode of ['sequential', 'staged', 'eager']) {
    await expect(page.getByTestId(`total-${mode}`)).toHaveText(/^\d+ ms$/, { timeout: 20_000 });
  }
  await expect(page.locator('p.verdict[role=status]')).toBeVisible();
}

test('no violations on load, after a run, with narration, table and inspector open', async ({ browser }) => {
  const { context, page } = await open(browser, { viewport: { width: 1366, height: 768 } });
  expect(await violations(page)).toEqual([]);
  await run(page);
  expect(await violations(page)).toEqual([]);
  await page.getByTestId('narrate').click();
  await page.getByTestId('table-view').click();
  await page.getByTestId('node-search_a').dblclick();
  await expect(page.getByTestId('inspector')).toBeVisible();
  // The HTTP step's headers, with a box to keep each one secret (one kept by its name).
  await page.getByTestId('field-headers').fill('X-Team: blue\nAuthorization: Bearer x');
  await page.getByTestId('field-headers').blur();
  await expect(page.getByTestId('header-secrets').getByRole('checkbox')).toHaveCount(2);
  // An edit puts the race away, and with it the step's last run: the inspector's
  // headings must still go in order (its slack heading once came straight after its h2 as an h4).
  await expect(page.getByTestId('last-run')).toHaveCount(0);
  expect(await violations(page)).toEqual([]);
  // Race again, with the inspector still open.
  await run(page);
  await expect(page.getByTestId('captions')).toBeVisible();
  expect(await violations(page)).toEqual([]);
  await context.close();
});

test('no violations in projector mode after a run', async ({ browser }) => {
  const { context, page } = await open(browser, { viewport: { width: 1280, height: 720 } });
  await page.getByTestId('projector').click();
  await run(page);
  expect(await violations(page)).toEqual([]);
  await context.close();
});

test('no violations on a phone after a run, nor with the drawer or the share box open', async ({ browser }) => {
  const { context, page } = await open(browser, {
    viewport: { width: 412, height: 915 },
    isMobile: true,
    hasTouch: true,
  });
  await run(page);
  expect(await violations(page)).toEqual([]);
  await page.getByTestId('menu').click();
  expect(await violations(page)).toEqual([]);
  await page.getByTestId('menu-close').click();
  await page.getByTestId('share').click();
  expect(await violations(page)).toEqual([]);
  await context.close();
});

test('no violations with the drawer open, nor after importing a graph and a trace with the report open', async ({ browser }) => {
  const { context, page } = await open(browser, { viewport: { width: 1366, height: 768 } });
  await page.getByTestId('menu').click();
  await page.getByTestId('import-text').fill('graph TD\n  web_search --> answer\n  web_search -.-> check\n');
  expect(await violations(page)).toEqual([]);
  await page.getByTestId('import-text-go').click();
  await expect(page.getByTestId('import-report')).toBeVisible();
  await page.getByTestId('import-guesses').locator('summary').click();
  await expect(page.getByTestId('guess-web_search')).toBeVisible();
  await page.getByTestId('assumed-apply').click();
  await expect(page.getByTestId('assumed-status')).toHaveText(/.+/);
  expect(await violations(page)).toEqual([]);
  const trace = {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'agent' } }] },
      scopeSpans: [{ spans: [
        { traceId: 'ab'.repeat(16), spanId: '01'.repeat(8), name: 'run', startTimeUnixNano: '1000000000', endTimeUnixNano: '1100000000' },
        { traceId: 'ab'.repeat(16), spanId: '02'.repeat(8), parentSpanId: '01'.repeat(8), name: 'search', startTimeUnixNano: '1000000000', endTimeUnixNano: '1050000000' },
        { traceId: 'ab'.repeat(16), spanId: '03'.repeat(8), parentSpanId: '01'.repeat(8), name: 'write', startTimeUnixNano: '1050000000', endTimeUnixNano: '1100000000' },
      ] }],
    }],
  };
  await page.getByTestId('menu').click();
  await page.getByTestId('import-text').fill(JSON.stringify(trace));
  await page.getByTestId('import-text-go').click();
  await expect(page.getByTestId('import-as-it-ran')).toBeVisible();
  expect(await violations(page)).toEqual([]);
  await run(page);
  expect(await violations(page)).toEqual([]);
  await context.close();
});
