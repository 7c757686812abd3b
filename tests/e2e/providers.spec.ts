import { test, expect, Page } from '@playwright/test';

// Presets, "Test connection" and pointing every LLM step at a provider, against the
// mock server: it answers, refuses keys (key=), knows no model (404), serves a web
// page (html) and, under /nocors/, refuses this page by CORS while reachable.
const mockPort = Number(process.env.CHAINLAB_MOCK_PORT ?? 4321);
const mock = `http://127.0.0.1:${mockPort}`;

type Provider = { name: string; base_url: string; key: string; limit: null; model: string };

async function openSettings(page: Page, providers: Provider[]) {
  await page.addInitScript((json) => {
    if (!sessionStorage.getItem('providers-test-started')) {
      sessionStorage.setItem('providers-test-started', '1');
      localStorage.removeItem('chainlab.chain');
      sessionStorage.setItem('chainlab.providers', json);
    }
  }, JSON.stringify(providers));
  await page.goto('/');
  await page.getByTestId('chain-select').selectOption('uneven-branches');
  await page.getByTestId('menu').click();
  await page.getByTestId('settings').locator('summary').click();
}

function provider(name: string, base_url: string, model: string, key = ''): Provider {
  return { name, base_url, key, limit: null, model };
}

test('Test connection says in plain words what happened', async ({ page }) => {
  const cases: [Provider, RegExp][] = [
    [provider('ok', `${mock}/v1`, 'mock:latency=50'), /It worked: the model answered in \d+ ms/],
    [provider('badkey', `${mock}/v1`, 'mock:key=right', 'wrong-key'), /key was refused \(401\)/],
    [provider('nomodel', `${mock}/v1`, 'gpt-nothing'), /no model "gpt-nothing" \(404\)/],
    [provider('page', `${mock}/v1`, 'mock:html'), /a web page \(HTML\)/],
    [provider('cors', `${mock}/nocors/v1`, 'mock'), /browser blocked it \(CORS\)/],
    // Port 9 (discard) has nothing listening on a test machine.
    [provider('gone', 'http://127.0.0.1:9/v1', 'mock'), /network failed/],
    [provider('openai', 'https://api.openai.com/v1', 'gpt-4o-mini'), /OpenAI needs an API key.*Nothing was sent/],
  ];
  await openSettings(page, cases.map(([p]) => p));
  for (const [i, [p, words]] of cases.entries()) {
    const row = page.getByTestId(`provider-${i}`);
    await row.getByTestId('test-connection').click();
    await expect(row.getByTestId('connection-result'), p.name).toHaveText(words, { timeout: 20_000 });
  }
  // A wrong key is never repeated back.
  expect(await page.evaluate(() => document.body.innerText)).not.toContain('wrong-key');
});

test('a preset fills the base URL and says what the key and the browser need', async ({ page }) => {
  await openSettings(page, [provider('mock', `${mock}/v1`, 'mock')]);
  await page.getByTestId('provider-preset').selectOption('ollama');
  const row = page.getByTestId('provider-1');
  await expect(row.getByTestId('provider-name')).toHaveValue('ollama');
  await expect(row.getByTestId('provider-url')).toHaveValue('http://localhost:11434/v1');
  await expect(row.getByTestId('provider-note')).toContainText('Needs no key');
  await expect(row.getByTestId('provider-note')).toContainText('OLLAMA_ORIGINS');
  await expect(page.getByTestId('provider-preset')).toHaveValue('');
  await page.getByTestId('provider-preset').selectOption('groq');
  await expect(page.getByTestId('provider-2').getByTestId('provider-url')).toHaveValue(
    'https://api.groq.com/openai/v1',
  );
  await expect(page.getByTestId('provider-2').getByTestId('provider-note')).toContainText('Needs an API key');
});

test('one click points every LLM step at a provider and one undo brings them back', async ({ page }) => {
  await openSettings(page, [provider('mock', `${mock}/v1`, 'mock:latency=20')]);
  const llmSteps = async () =>
    page.evaluate(() => {
      const chain = JSON.parse(localStorage.getItem('chainlab.chain') ?? '{}');
      return chain.steps
        .filter((s: { kind: { type: string } }) => s.kind.type === 'llm')
        .map((s: { kind: { provider: string; model: string } }) => `${s.kind.provider}/${s.kind.model}`);
    });
  const before = await llmSteps();
  expect(before.length).toBeGreaterThanOrEqual(2);
  expect(before.every((s: string) => s.startsWith('simulator/'))).toBe(true);
  await page.getByTestId('provider-0').getByTestId('provider-for-all').click();
  await expect(page.getByTestId('provider-for-all-result')).toContainText(
    `${before.length} LLM steps now use provider "mock"`,
  );
  await expect.poll(llmSteps).toEqual(before.map(() => 'mock/mock:latency=20'));
  await page.getByTestId('menu-close').click();
  await page.getByTestId('undo').click();
  await expect.poll(llmSteps).toEqual(before);
});
