import { Page } from '@playwright/test';
import { test, expect, GATEWAY_KEY } from './gateway';

// A live race against a server nobody here wrote: the LiteLLM proxy (tests/e2e/gateway.ts
// starts it cold for this spec), "slow" answering in 0.5 s and "fast" in 0.2 s. The
// chain is uneven branches: A → B (slow); A → C (fast) → D (fast); B, D → E. Its
// simulated latencies are all 0, as an imported chain's are, so any ideal the page
// shows must come from the measured times.

function unevenOnGateway() {
  const llm = (id: string, label: string, model: string, inputs: string[]) => ({
    id,
    label,
    kind: { type: 'llm', provider: 'gateway', model, prompt: `Work on: {{${inputs[0]}}}` },
    inputs,
    sim: { latency: { model: 'fixed', ms: 0 }, output: 'simulated' },
  });
  return {
    name: 'Uneven branches on a gateway',
    description: 'Live gateway test chain.',
    seed: 1,
    steps: [
      { id: 'a', label: 'A', kind: { type: 'input', text: 'why parallel?' } },
      llm('b', 'B slow', 'slow', ['a']),
      llm('c', 'C fast', 'fast', ['a']),
      llm('d', 'D fast', 'fast', ['c']),
      { id: 'e', label: 'E', kind: { type: 'output' }, inputs: ['b', 'd'] },
    ],
  };
}

async function openOnGateway(page: Page, gateway: string) {
  await page.addInitScript(
    ([chainJson, providersJson]) => {
      if (!sessionStorage.getItem('gateway-test-started')) {
        sessionStorage.setItem('gateway-test-started', '1');
        localStorage.setItem('chainlab.chain', chainJson);
        sessionStorage.setItem('chainlab.providers', providersJson);
      }
    },
    [
      JSON.stringify(unevenOnGateway()),
      JSON.stringify([{ name: 'gateway', base_url: `${gateway}/v1`, key: GATEWAY_KEY, limit: null }]),
    ],
  );
  await page.goto('/');
  await page.getByTestId('mode-live').click();
  await expect(page.getByTestId('mode-live')).toHaveAttribute('aria-pressed', 'true');
}

/// A lane's median as its spread line gives it ("median 512 ms · min ...").
async function median(page: Page, mode: string): Promise<number> {
  const text = (await page.getByTestId(`spread-${mode}`).textContent()) ?? '';
  const match = text.match(/median ([\d,]+) ms/);
  expect(match, `spread-${mode}: ${text}`).not.toBeNull();
  return Number(match![1].replace(/,/g, ''));
}

test('a live race on the LiteLLM proxy, from a cold start: eager < staged < sequential, eager near the measured ideal', async ({
  page,
  gateway,
}) => {
  test.setTimeout(120_000);
  // The browser may call it: LiteLLM answers CORS for any origin.
  const preflight = await fetch(`${gateway}/v1/chat/completions`, {
    method: 'OPTIONS',
    headers: {
      Origin: 'http://127.0.0.1:1',
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'authorization,content-type',
    },
  });
  expect(preflight.headers.get('access-control-allow-origin')).toBe('*');

  await openOnGateway(page, gateway);
  await page.getByTestId('run').click();
  // The warm-up comes first, one request per endpoint (slow and fast), and is shown.
  const warmUp = page.getByTestId('warm-up');
  await expect(warmUp).toContainText('not counted');
  await expect(warmUp).toContainText('gateway · slow');
  await expect(warmUp).toContainText('gateway · fast');
  await expect(page.getByTestId('cancel')).toBeEnabled();
  await expect(page.getByTestId('cancel')).toBeDisabled({ timeout: 60_000 });
  await expect(warmUp).not.toContainText('in flight');
  await expect(page.getByTestId('live-summary')).not.toContainText(/[1-9]\d* failed/);

  // Three rounds (the default), each lane's median, min and max.
  for (const mode of ['sequential', 'staged', 'eager']) {
    await expect(page.getByTestId(`spread-${mode}`)).toContainText('(3 rounds)');
  }
  const [sequential, staged, eager] = [
    await median(page, 'sequential'),
    await median(page, 'staged'),
    await median(page, 'eager'),
  ];
  expect(eager, `eager ${eager}, staged ${staged}`).toBeLessThan(staged);
  expect(staged, `staged ${staged}, sequential ${sequential}`).toBeLessThan(sequential);
  await expect(page.getByTestId('spread-sequential')).toContainText('projected');

  // The ideal comes from the measured step times: B's 0.5 s at least (the chain's
  // simulated latencies are all 0), and eager finishes near it.
  const figures = page.getByTestId('figures');
  await expect(figures).toContainText('Ideal (critical path): ');
  const caption = (await figures.locator('caption').textContent()) ?? '';
  const ideal = Number((caption.match(/Ideal \(critical path\): ([\d,]+) ms/)?.[1] ?? '0').replace(/,/g, ''));
  expect(ideal, caption).toBeGreaterThanOrEqual(500);
  expect(ideal, caption).toBeLessThan(1000);
  console.log(`gateway medians: sequential ${sequential} (projected), staged ${staged}, eager ${eager}; ideal ${ideal} ms`);
  expect(eager, `eager ${eager}, ideal ${ideal}`).toBeLessThanOrEqual(ideal * 1.15 + 60);
  await expect(figures).toContainText('predicted from measured step times');
  await expect(figures).toContainText('overhead (network, browser, mode)');
  await expect(figures.locator('tr[data-mode="eager"] td[data-field="predicted"]')).toHaveText(/\d ms/);
  await expect(figures.locator('tr[data-mode="sequential"] th')).toContainText('projected');

  if (process.env.CHAINLAB_SHOT) await page.screenshot({ path: process.env.CHAINLAB_SHOT, fullPage: true });

  // The gateway's key goes only into its requests.
  expect(await page.content()).not.toContain(GATEWAY_KEY);
  expect(page.url()).not.toContain(GATEWAY_KEY);
  expect(await page.evaluate(() => JSON.stringify({ ...localStorage }))).not.toContain(GATEWAY_KEY);
});
