import { test, expect, Page, Download } from '@playwright/test';
import { readFileSync } from 'node:fs';

// An HTTP step's credentials (an Authorization header and ?api_key=) are kept like
// provider keys: used in the request, echoed back by a careless server (the mock's
// `echo`), and still nowhere the page writes or shows text.
const mockPort = Number(process.env.CHAINLAB_MOCK_PORT ?? 4321);
const mock = `http://127.0.0.1:${mockPort}`;
const HEADER_SECRET = 'SK-HDR-SECRET-4455';
const PARAM_SECRET = 'QP-SECRET-7788';

const chain = {
  name: 'Credentials',
  seed: 1,
  steps: [
    { id: 'q', label: 'Question', kind: { type: 'input', text: 'tea' } },
    {
      id: 'lookup',
      label: 'Look up',
      kind: {
        type: 'http',
        method: 'GET',
        url: `${mock}/json?q={{q}}&echo&api_key=${PARAM_SECRET}`,
        headers: [
          { name: 'Authorization', value: `Bearer ${HEADER_SECRET}` },
          { name: 'Accept', value: 'application/json' },
        ],
        json_pointer: '/data/answer',
      },
      inputs: ['q'],
      position: { x: 300, y: 100 },
    },
    { id: 'out', label: 'Output', kind: { type: 'output' }, inputs: ['lookup'], position: { x: 600, y: 100 } },
  ],
};

function expectClean(where: string, text: string) {
  expect(text.length, where).toBeGreaterThan(0);
  expect(text, where).not.toContain(HEADER_SECRET);
  expect(text, where).not.toContain(PARAM_SECRET);
}

async function saved(download: Promise<Download>): Promise<string> {
  return readFileSync((await (await download).path())!, 'utf8');
}

async function runLive(page: Page) {
  await page.getByTestId('mode-live').click();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('live-summary')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('cancel')).toBeDisabled({ timeout: 30_000 });
  await expect(page.getByTestId('live-summary')).toContainText('0 failed');
  await expect(page.getByTestId('live-summary')).not.toContainText('failed:');
}

test('HTTP credentials are sent, but never stored with the chain, linked, exported or shown', async ({ page }) => {
  // The chain arrives in local storage with its credentials, as an older page kept it.
  await page.addInitScript(
    ([chainJson, providersJson]) => {
      if (!sessionStorage.getItem('secrets-test-started')) {
        sessionStorage.setItem('secrets-test-started', '1');
        localStorage.setItem('chainlab.chain', chainJson);
        sessionStorage.setItem('chainlab.providers', providersJson);
      }
    },
    [JSON.stringify(chain), JSON.stringify([{ name: 'mock', base_url: `${mock}/v1`, key: '', limit: null }])],
  );
  await page.goto('/');
  await runLive(page);
  // The server got both credentials: it echoed the header into the answer, masked.
  await page.getByTestId('node-lookup').click();
  const sent = page.getByTestId('last-run-input');
  await expect(sent).toContainText('api_key=••••');
  await expect(sent).toContainText('Authorization: ••••');
  await expect(page.getByTestId('last-run-output')).toContainText('asked with ••••');

  const local = await page.evaluate(() => JSON.stringify({ ...localStorage }));
  expectClean('local storage', local);
  const session = await page.evaluate(() => sessionStorage.getItem('chainlab.chain.secrets') ?? '');
  expect(session).toContain(HEADER_SECRET);
  expect(session).toContain(PARAM_SECRET);
  expectClean('address bar', page.url());
  expectClean('page text', await page.evaluate(() => document.body.innerText));

  await page.keyboard.press('Escape');
  await page.getByTestId('share').click();
  expectClean('link', await page.getByTestId('share-link').inputValue());
  await page.keyboard.press('Escape');

  await page.getByTestId('menu').click();
  const file = await saved(
    Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]).then(([d]) => d),
  );
  expectClean('file', file);
  expect(file).toContain('Authorization');
  await page.getByTestId('export-code').click();
  for (const language of ['langchain', 'langgraph', 'rust']) {
    const code = await saved(
      Promise.all([page.waitForEvent('download'), page.getByTestId(`export-code-${language}`).click()]).then(
        ([d]) => d,
      ),
    );
    expectClean(`${language} code`, code);
    expect(code).toContain('LOOKUP_AUTHORIZATION');
    expect(code).toContain('LOOKUP_API_KEY');
    expectClean(`${language} preview`, (await page.getByTestId('code-preview').textContent()) ?? '');
  }
  await page.keyboard.press('Escape');
  if (await page.getByTestId('menu-close').isVisible()) {
    await page.getByTestId('menu-close').click();
  }

  for (const button of ['export-trace', 'export-csv']) {
    const text = await saved(
      Promise.all([page.waitForEvent('download'), page.getByTestId(button).click()]).then(([d]) => d),
    );
    expectClean(button, text);
  }

  // A reload brings the credentials back from this tab's storage: the run still sends them.
  await page.reload();
  await runLive(page);
  await page.getByTestId('node-lookup').click();
  await expect(page.getByTestId('last-run-output')).toContainText('asked with ••••');
  expectClean('local storage after reload', await page.evaluate(() => JSON.stringify({ ...localStorage })));
});

test('a chain opened from a link without its credentials says which header needs a value', async ({ page }) => {
  const bare = structuredClone(chain);
  (bare.steps[1].kind as { headers: { name: string; value: string }[] }).headers[0].value = '';
  await page.addInitScript(
    ([chainJson, providersJson]) => {
      if (!sessionStorage.getItem('secrets-test-started')) {
        sessionStorage.setItem('secrets-test-started', '1');
        localStorage.setItem('chainlab.chain', chainJson);
        sessionStorage.setItem('chainlab.providers', providersJson);
      }
    },
    [JSON.stringify(bare), JSON.stringify([{ name: 'mock', base_url: `${mock}/v1`, key: '', limit: null }])],
  );
  await page.goto('/');
  await page.getByTestId('mode-live').click();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('live-summary')).toContainText('Authorization header', { timeout: 30_000 });
  await expect(page.getByTestId('live-summary')).toContainText('no value on this device');
});

test('a custom header marked secret in the inspector is sent, but kept out of storage, links, exports and traces', async ({
  page,
}) => {
  const TEAM_SECRET = 'TEAM-SECRET-9911';
  const custom = structuredClone(chain);
  const lookup = custom.steps[1].kind as { url: string; headers: object[]; json_pointer: string };
  // The mock echoes the request's headers: the step's output is the header as it arrived.
  lookup.url = `${mock}/json?q={{q}}&echo`;
  lookup.headers = [{ name: 'Accept', value: 'application/json' }];
  lookup.json_pointer = '/headers/x-team';
  await page.addInitScript(
    ([chainJson, providersJson]) => {
      if (!sessionStorage.getItem('secrets-test-started')) {
        sessionStorage.setItem('secrets-test-started', '1');
        localStorage.setItem('chainlab.chain', chainJson);
        sessionStorage.setItem('chainlab.providers', providersJson);
      }
    },
    [JSON.stringify(custom), JSON.stringify([{ name: 'mock', base_url: `${mock}/v1`, key: '', limit: null }])],
  );
  await page.goto('/');
  await page.getByTestId('node-lookup').click();
  const headers = page.getByTestId('field-headers');
  await headers.fill(`Accept: application/json\nX-Team: ${TEAM_SECRET}`);
  await headers.blur();
  // Its name does not say it is a credential: until it is marked, it is saved like any value.
  await expect
    .poll(() => page.evaluate(() => localStorage.getItem('chainlab.chain') ?? ''))
    .toContain(TEAM_SECRET);
  const secrets = page.getByTestId('header-secrets');
  await expect(secrets).toBeVisible();
  const box = secrets.getByRole('checkbox', { name: 'X-Team' });
  await expect(box).not.toBeChecked();
  // By keyboard: focus the box and press Space.
  await box.focus();
  await page.keyboard.press('Space');
  await expect(box).toBeChecked();
  await expect(headers).toHaveValue('Accept: application/json\nX-Team (secret): ••••');
  await expect
    .poll(() => page.evaluate(() => localStorage.getItem('chainlab.chain') ?? ''))
    .not.toContain(TEAM_SECRET);
  const clean = (where: string, text: string) => {
    expect(text.length, where).toBeGreaterThan(0);
    expect(text, where).not.toContain(TEAM_SECRET);
  };
  clean('local storage', await page.evaluate(() => JSON.stringify({ ...localStorage })));
  expect(await page.evaluate(() => sessionStorage.getItem('chainlab.chain.secrets') ?? '')).toContain(TEAM_SECRET);
  clean('address bar', page.url());
  clean('page text', await page.evaluate(() => document.body.innerText));
  await page.keyboard.press('Escape');

  await page.getByTestId('share').click();
  clean('link', await page.getByTestId('share-link').inputValue());
  await page.keyboard.press('Escape');
  await page.getByTestId('menu').click();
  const file = await saved(
    Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]).then(([d]) => d),
  );
  clean('file', file);
  expect(file).toContain('X-Team');
  await page.getByTestId('export-code').click();
  for (const language of ['langchain', 'langgraph', 'rust']) {
    const code = await saved(
      Promise.all([page.waitForEvent('download'), page.getByTestId(`export-code-${language}`).click()]).then(
        ([d]) => d,
      ),
    );
    clean(`${language} code`, code);
    expect(code, `${language} code reads it from the environment`).toContain('LOOKUP_X_TEAM');
  }
  await page.keyboard.press('Escape');
  if (await page.getByTestId('menu-close').isVisible()) {
    await page.getByTestId('menu-close').click();
  }

  // The request still carries it: the server echoed it back, and the page shows it masked.
  await runLive(page);
  await page.getByTestId('node-lookup').click();
  await expect(page.getByTestId('last-run-output')).toHaveText(/^\s*••••\s*$/);
  await expect(page.getByTestId('last-run-input')).toContainText('X-Team');
  clean('page text after the run', await page.evaluate(() => document.body.innerText));
  await page.keyboard.press('Escape');
  for (const button of ['export-trace', 'export-csv']) {
    const text = await saved(
      Promise.all([page.waitForEvent('download'), page.getByTestId(button).click()]).then(([d]) => d),
    );
    clean(button, text);
  }
  clean('local storage after the run', await page.evaluate(() => JSON.stringify({ ...localStorage })));
});
