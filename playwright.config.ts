import { defineConfig } from '@playwright/test';

// End-to-end tests against the release build in dist/ (made by
// `trunk build --release`, see scripts/check.sh). Chromium is Debian's
// /usr/bin/chromium: Playwright's own browser download is never used.
// CHAINLAB_DIST / CHAINLAB_PORT let several builds be tested side by side.
const port = Number(process.env.CHAINLAB_PORT ?? 4173);
const dist = process.env.CHAINLAB_DIST ?? 'dist';
const baseURL = `http://127.0.0.1:${port}`;
// The mock LLM server for live-network tests; the specs read the same variable.
const mockPort = Number(process.env.CHAINLAB_MOCK_PORT ?? 4321);

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  workers: 1,
  retries: 0,
  reporter: 'list',
  timeout: 60_000,
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        viewport: { width: 1400, height: 900 },
        launchOptions: {
          executablePath: '/usr/bin/chromium',
          args: [
            '--headless=new',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-dev-shm-usage',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
            '--disable-quic',
          ],
        },
      },
    },
  ],
  webServer: [
    {
      command: `python3 -m http.server ${port} --bind 127.0.0.1 --directory ${dist}`,
      url: baseURL,
      reuseExistingServer: !process.env.CI,
      timeout: 30_000,
      stdout: 'ignore',
      stderr: 'ignore',
    },
    {
      // The mock OpenAI-compatible server the live-network tests call
      // (tests/e2e/network.spec.ts). check.sh has built it by now; on a fresh
      // checkout the first start compiles it, hence the long time-out.
      command: `cargo run --quiet -p mock-llm -- --port ${mockPort}`,
      url: `http://127.0.0.1:${mockPort}/v1/models`,
      reuseExistingServer: !process.env.CI,
      timeout: 600_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
  ],
});
