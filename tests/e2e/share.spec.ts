import { test, expect, Page, BrowserContext } from '@playwright/test';
import { deflateRawSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import jsQR from 'jsqr';

// Share links, chain files and exported code, as a person meets them. Links are
// built here the way the format says (c1 = base64url of raw deflate of the chain's
// JSON, c0 = base64url of plain JSON), so the tests do not trust the page's encoder.

const c1 = (json: string | Buffer) => 'c1.' + deflateRawSync(json).toString('base64url');
const c0 = (json: string) => 'c0.' + Buffer.from(json).toString('base64url');

function llm(id: string, inputs: string[], label = id, extra: Record<string, unknown> = {}) {
  return {
    id,
    label,
    kind: { type: 'llm', provider: 'simulator', model: 'sim', prompt: inputs.map((i) => `{{${i}}}`).join(' '), ...extra },
    inputs,
    sim: { latency: { model: 'fixed', ms: 100 }, output: `out of ${id}` },
  };
}

const twoSteps = {
  name: 'Shared by a colleague',
  steps: [
    { id: 'ask', label: 'Ask', kind: { type: 'input', text: 'What is a barrier?' } },
    llm('reply', ['ask'], 'Reply'),
  ],
};

/// Watches for anything a hostile link could make the page do.
function watch(page: Page) {
  const seen = { errors: [] as string[], dialogs: [] as string[], csp: [] as string[] };
  page.on('pageerror', (e) => seen.errors.push(e.message));
  page.on('dialog', async (d) => {
    seen.dialogs.push(d.message());
    await d.dismiss();
  });
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) seen.csp.push(m.text());
  });
  return seen;
}

/// Draws the QR code's SVG onto a canvas in the page and reads it back with jsQR, as
/// a phone camera would: proof that the code holds the link, not only that it is drawn.
async function scanQr(page: Page): Promise<string | undefined> {
  const size = 700;
  const pixels = await page.getByTestId('share-qr').evaluate(async (svg, size) => {
    const xml = new XMLSerializer().serializeToString(svg);
    const url = URL.createObjectURL(new Blob([xml], { type: 'image/svg+xml' }));
    const image = new Image();
    await new Promise((ok, fail) => {
      image.onload = ok;
      image.onerror = fail;
      image.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = size;
    const context = canvas.getContext('2d')!;
    context.drawImage(image, 0, 0, size, size);
    URL.revokeObjectURL(url);
    return Array.from(context.getImageData(0, 0, size, size).data);
  }, size);
  return jsQR(Uint8ClampedArray.from(pixels), size, size)?.data;
}

async function freshPage(context: BrowserContext) {
  const page = await context.newPage();
  const seen = watch(page);
  await page.goto('/');
  await expect(page.getByTestId('node-question')).toBeVisible();
  return { page, seen };
}

test('a shared link opens the chain in another browser, and the old chain comes back in one click', async ({ browser }) => {
  const sender = await browser.newContext();
  await sender.grantPermissions(['clipboard-read', 'clipboard-write']);
  const { page, seen } = await freshPage(sender);
  await page.getByTestId('chain-select').selectOption('uneven-branches');
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#c3\.[A-Z2-7]+$/);
  expect(link.length).toBeLessThan(2000);
  await expect(page.getByTestId('share-length')).toHaveText(`(${link.length} characters)`);
  await expect(page.getByText('Copied to the clipboard.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
  const qr = page.getByTestId('share-qr');
  await expect(qr).toBeVisible();
  // Projector-sized: at least 300 CSS pixels across.
  expect((await qr.boundingBox())!.width).toBeGreaterThanOrEqual(300);
  expect(await scanQr(page)).toBe(link);
  expect(seen.errors).toEqual([]);
  expect(seen.csp).toEqual([]);

  const receiver = await browser.newContext();
  const { page: other, seen: otherSeen } = await freshPage(receiver);
  await other.goto(link);
  await other.reload(); // a full load of the link, not a same-page fragment change
  await expect(other.getByTestId('node-d')).toBeVisible();
  await expect(other.getByTestId('node-question')).toHaveCount(0);
  await expect(other.getByTestId('load-error')).toHaveCount(0);
  // The address bar keeps the link, so it can be bookmarked or passed on.
  expect(new URL(other.url()).hash).toBe(new URL(link).hash);

  await other.getByTestId('restore').click();
  await expect(other.getByTestId('node-question')).toBeVisible();
  await expect(other.getByTestId('node-d')).toHaveCount(0);
  await expect(other.getByTestId('restore')).toHaveCount(0);
  expect(otherSeen.errors).toEqual([]);
  await sender.close();
  await receiver.close();
});

test('a link pasted into an open page loads without a reload, and a c0 link still opens', async ({ browser }) => {
  const context = await browser.newContext();
  const { page } = await freshPage(context);
  await page.evaluate((frag) => (location.hash = frag), c0(JSON.stringify(twoSteps)));
  await expect(page.getByTestId('node-reply')).toBeVisible();
  await expect(page.getByTestId('restore')).toBeVisible();
  // Kept across a reload until restored or forgotten.
  await page.reload();
  await expect(page.getByTestId('node-reply')).toBeVisible();
  await page.getByTestId('restore-forget').click();
  await expect(page.getByTestId('restore')).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('node-reply')).toBeVisible();
  await expect(page.getByTestId('restore')).toHaveCount(0);
  await context.close();
});

const manySteps = {
  name: 'Thousands',
  steps: Array.from({ length: 3000 }, (_, i) => ({ id: `s${i}`, label: 's', kind: { type: 'input', text: 'x' } })),
};
const good = c1(JSON.stringify(twoSteps));
const corrupted = good.slice(0, 20) + good.slice(20, 60).split('').reverse().join('') + good.slice(60);

const broken: [string, string, RegExp][] = [
  ['truncated', good.slice(0, Math.floor(good.length / 2)), /damaged|cut short/i],
  ['corrupted', corrupted, /damaged|not valid|cut short/i],
  ['bad base64', 'c1.@@@not*base64@@@', /characters a ChainLab link never has/],
  ['too new', 'c7.' + good.slice(3), /newer ChainLab/],
  ['not a ChainLab link', 'pako:eNpLTEoGAAJNASc', /not a ChainLab link/],
  ['decompression bomb', 'c1.' + deflateRawSync(Buffer.alloc(64 * 1024 * 1024, 32)).toString('base64url'), /more than 1024 KB/],
  ['invalid JSON', c1('{"name": "half'), /not valid ChainLab JSON/],
  ['a cycle', c1(JSON.stringify({ name: 'loop', steps: [llm('a', ['b']), llm('b', ['a'])] })), /cycle/],
  ['thousands of steps', c1(JSON.stringify(manySteps)), /3000 steps/],
  ['megabytes of text', c1(JSON.stringify({ ...twoSteps, description: 'x'.repeat(3 * 1024 * 1024) })), /more than 1024 KB/],
];

for (const [kind, fragment, message] of broken) {
  test(`a ${kind} link says what is wrong and leaves the chain as it was`, async ({ browser }) => {
    const context = await browser.newContext();
    const { page, seen } = await freshPage(context);
    await page.goto('about:blank');
    await page.goto('/#' + fragment);
    const error = page.getByTestId('load-error');
    await expect(error).toBeVisible();
    await expect(error).toContainText(message);
    await expect(error).toContainText('Your chain is unchanged');
    await expect(page.getByTestId('node-question')).toBeVisible();
    await expect(page.getByTestId('chain-select')).toHaveValue('research-assistant');
    await expect(page.getByTestId('restore')).toHaveCount(0);
    expect(seen.errors).toEqual([]);
    expect(seen.csp).toEqual([]);
    await context.close();
  });
}

test('a link full of script payloads loads as plain text and runs nothing', async ({ browser }) => {
  const payloads = [
    '<script>window.__pwned = 1; alert(1)</script>',
    '<img src=x onerror="window.__pwned = 2; alert(2)">',
    '<svg onload="window.__pwned = 3">',
    '"><iframe src="javascript:window.top.__pwned = 4">',
    'javascript:window.__pwned = 5',
  ];
  const hostile = {
    name: payloads[0],
    description: payloads.join(' '),
    steps: [
      { id: 'q', label: payloads[1], kind: { type: 'input', text: payloads[2] } },
      {
        ...llm('<b>x</b>', ['q'], payloads[3], { system_prompt: payloads[4] }),
        sim: { latency: { model: 'fixed', ms: 50 }, output: payloads.join('{{q}}') },
      },
      { id: 'out', label: payloads[2], kind: { type: 'output' }, inputs: ['<b>x</b>'] },
    ],
  };
  const context = await browser.newContext();
  const { page, seen } = await freshPage(context);
  await page.goto('about:blank');
  await page.goto('/#' + c1(JSON.stringify(hostile)));
  await expect(page.getByTestId('node-<b>x</b>')).toBeVisible();
  await expect(page.getByTestId('load-error')).toHaveCount(0);
  await expect(page.getByText(payloads[1]).first()).toBeVisible();
  // Run it, so the outputs (full of payloads) are drawn too, then share and export it.
  await page.getByTestId('run').click();
  await expect(page.getByTestId('total-eager')).toHaveText(/^\d+ ms$/, { timeout: 20_000 });
  await page.getByTestId('share').click();
  await page.keyboard.press('Escape');
  await page.getByTestId('menu').click();
  await page.getByTestId('export-code').click();
  await page.getByTestId('export-code-langchain').click();
  await expect(page.getByTestId('code-preview')).toContainText('RunnableParallel');
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
  expect(await page.locator('iframe, .app script, .app img').count()).toBe(0);
  expect(seen.dialogs).toEqual([]);
  expect(seen.errors).toEqual([]);
  expect(seen.csp).toEqual([]);
  await context.close();
});

test('export and import a chain as a JSON file; a broken file changes nothing', async ({ browser }) => {
  const context = await browser.newContext();
  const { page, seen } = await freshPage(context);
  await page.getByTestId('chain-select').selectOption('uneven-branches');
  await page.getByTestId('menu').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  expect(download.suggestedFilename()).toBe('uneven-branches.chainlab.json');
  const path = await download.path();
  const file = JSON.parse(readFileSync(path!, 'utf8'));
  expect(file.version).toBe(1);
  expect(file.steps.map((s: { id: string }) => s.id)).toEqual(['a', 'b', 'c', 'd', 'e']);

  await page.getByTestId('chain-select').selectOption('research-assistant');
  await expect(page.getByTestId('node-d')).toHaveCount(0);
  await page.getByTestId('import').setInputFiles(path!);
  await expect(page.getByTestId('node-d')).toBeVisible();

  await page.getByTestId('import').setInputFiles({
    name: 'broken.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"name": "x", "steps": [ {"id": '),
  });
  await expect(page.getByTestId('load-error')).toContainText('The file “broken.json” could not be opened');
  await expect(page.getByTestId('node-d')).toBeVisible();

  await page.getByTestId('import').setInputFiles({
    name: 'future.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ ...twoSteps, version: 9 })),
  });
  await expect(page.getByTestId('load-error')).toContainText('newer ChainLab');
  await expect(page.getByTestId('node-d')).toBeVisible();
  expect(seen.errors).toEqual([]);
  await context.close();
});

test('export code in each language', async ({ browser }) => {
  const context = await browser.newContext();
  const { page } = await freshPage(context);
  await page.getByTestId('chain-select').selectOption('uneven-branches');
  await page.getByTestId('menu').click();
  await page.getByTestId('export-code').click();
  for (const [key, file, marker] of [
    ['langchain', 'chain_langchain.py', 'RunnableParallel('],
    ['langgraph', 'chain_langgraph.py', 'StateGraph(State)'],
    ['rust', 'chain.rs', 'join_all('],
  ]) {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId(`export-code-${key}`).click(),
    ]);
    expect(download.suggestedFilename()).toBe(file);
    expect(readFileSync((await download.path())!, 'utf8')).toContain(marker);
    await expect(page.getByTestId('code-preview')).toContainText('b, c run together');
  }
  await context.close();
});

test('a link too long to paste safely offers the JSON file instead', async ({ browser }) => {
  const context = await browser.newContext();
  const { page, seen } = await freshPage(context);
  // Random text barely compresses: about 12,000 characters of link.
  const noise = Array.from({ length: 9000 }, () => Math.random().toString(36)[2]).join('');
  await page.getByTestId('import').setInputFiles({
    name: 'long.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ ...twoSteps, description: noise })),
  });
  await expect(page.getByTestId('node-reply')).toBeVisible();
  await page.getByTestId('share').click();
  const length = (await page.getByTestId('share-link').inputValue()).length;
  expect(length).toBeGreaterThan(8000);
  await expect(page.getByText('chat apps and mail may cut it')).toBeVisible();
  await expect(page.getByTestId('share-qr')).toHaveCount(0);
  await expect(page.getByText('too long for a QR code')).toBeVisible();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download JSON file' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('shared-by-a-colleague.chainlab.json');
  expect(seen.errors).toEqual([]);
  await context.close();
});

test('a chain written without places is laid out when it is opened', async ({ browser }) => {
  const context = await browser.newContext();
  const { page, seen } = await freshPage(context);
  // Written by hand or by a script: no step has a position.
  const byHand = {
    name: 'Written by hand',
    steps: [
      { id: 'ask', label: 'Ask', kind: { type: 'input', text: 'Why?' } },
      llm('left', ['ask']),
      llm('right', ['ask']),
      llm('join', ['left', 'right']),
    ],
  };
  await page.getByTestId('import').setInputFiles({
    name: 'by-hand.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(byHand)),
  });
  await expect(page.getByTestId('node-join')).toBeVisible();
  const box = async (id: string) => (await page.getByTestId(`node-${id}`).boundingBox())!;
  const [ask, left, right, join] = [await box('ask'), await box('left'), await box('right'), await box('join')];
  // In "runs together" columns: ask, then left and right one above the other, then join.
  expect(left.x).toBeGreaterThan(ask.x + ask.width / 2);
  expect(Math.abs(left.x - right.x)).toBeLessThan(1);
  expect(Math.abs(left.y - right.y)).toBeGreaterThan(left.height / 2);
  expect(join.x).toBeGreaterThan(left.x + left.width / 2);
  // Every step can be clicked: none is hidden under another.
  await page.getByTestId('node-left').click();
  await expect(page.getByTestId('inspector')).toContainText('left');
  expect(seen.errors).toEqual([]);
  await context.close();
});
