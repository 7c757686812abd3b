import { test as base } from '@playwright/test';
import { spawn, ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A real third-party OpenAI-compatible gateway for live-race specs: the LiteLLM proxy
// (PyPI `litellm[proxy]`, installed by scripts/setup.sh into target/py-venv), started
// fresh for the spec on a free loopback port with two mock models, and stopped after.
// CHAINLAB_LITELLM_PORT picks the port, CHAINLAB_LITELLM the executable.

/// The key the gateway asks for: a provider key as a person would set it.
export const GATEWAY_KEY = 'sk-chainlab-gateway-test-0451';

/// "fast" answers after 0.2 s, "slow" after 0.5 s (LiteLLM's mock_response and
/// mock_delay: no upstream provider is called).
const CONFIG = `model_list:
  - model_name: fast
    litellm_params:
      model: openai/fast
      api_key: not-used
      mock_response: "A fast answer."
      mock_delay: 0.2
  - model_name: slow
    litellm_params:
      model: openai/slow
      api_key: not-used
      mock_response: "A slow answer."
      mock_delay: 0.5
general_settings:
  master_key: ${GATEWAY_KEY}
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url: string, child: ChildProcess, log: () => string, ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) {
      throw new Error(`LiteLLM exited with ${child.exitCode} before it answered:\n${log()}`);
    }
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`LiteLLM did not answer ${url} within ${ms / 1000} s:\n${log()}`);
}

export const test = base.extend<{}, { gateway: string }>({
  gateway: [
    async ({}, use) => {
      const exe = process.env.CHAINLAB_LITELLM ?? 'target/py-venv/bin/litellm';
      if (!existsSync(exe)) {
        throw new Error(`${exe} is missing: run scripts/setup.sh (it installs litellm[proxy]).`);
      }
      const port = Number(process.env.CHAINLAB_LITELLM_PORT ?? (await freePort()));
      const dir = mkdtempSync(join(tmpdir(), 'chainlab-litellm-'));
      writeFileSync(join(dir, 'config.yaml'), CONFIG);
      let output = '';
      const child = spawn(
        exe,
        ['--config', join(dir, 'config.yaml'), '--host', '127.0.0.1', '--port', String(port)],
        {
          // No network here: LiteLLM must not try to fetch its model price list.
          env: { ...process.env, LITELLM_LOCAL_MODEL_COST_MAP: 'True', NO_DOCS: 'True' },
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        },
      );
      const keep = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-4000);
      };
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      const url = `http://127.0.0.1:${port}`;
      try {
        await waitUntilUp(`${url}/health/liveliness`, child, () => output, 120_000);
        await use(url);
      } finally {
        // The whole process group: LiteLLM's server runs in a child of its launcher.
        const kill = (signal: NodeJS.Signals) => {
          try {
            if (child.pid) process.kill(-child.pid, signal);
          } catch {
            // already gone
          }
        };
        if (child.exitCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          kill('SIGTERM');
          await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
          kill('SIGKILL');
        }
      }
    },
    { scope: 'worker', timeout: 150_000 },
  ],
});

export { expect } from '@playwright/test';
