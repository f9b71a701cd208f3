// `npm run test:vscode [-- --integration | --e2e] [--grep TEXT] [--no-build]`
// Builds the extension and the integration suites, makes sure code-server and
// Chromium are installed, then runs the integration tier (inside VS Code's
// extension host) and the end-to-end tier (mocha in Node driving the UI).
// Exits non-zero on any failure; stops every process it started, even then.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cleanupAll, onCleanup } from './cleanup';
import { ensureChromium, ensureCodeServer } from './install';
import { runIntegrationTier } from './integration';
import { findRepoRoot } from './repo';

const { values } = parseArgs({
  options: {
    integration: { type: 'boolean', default: false },
    e2e: { type: 'boolean', default: false },
    grep: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    // Load this extension folder instead of the checkout (to test the runner itself).
    'extension-path': { type: 'string' },
    'timeout-min': { type: 'string', default: process.env.HEARTH_VSCODE_TIMEOUT_MIN ?? '20' },
  },
  allowPositionals: false,
});

const root = findRepoRoot();
const runBoth = !values.integration && !values.e2e;
const timeoutMs = Number(values['timeout-min']) * 60_000;
const results: { step: string; ok: boolean; seconds: number; note?: string }[] = [];

async function step(name: string, fn: () => Promise<boolean | void>, note?: string): Promise<boolean> {
  const started = Date.now();
  console.log(`\n[test:vscode] ── ${name}`);
  let ok: boolean;
  try {
    ok = (await fn()) !== false;
  } catch (err) {
    console.error(`[test:vscode] ${name} failed: ${(err as Error).stack ?? err}`);
    ok = false;
  }
  results.push({ step: name, ok, seconds: (Date.now() - started) / 1000, note });
  return ok;
}

/** Runs a command with inherited output; resolves to its success. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, limitMs?: number): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env, stdio: 'inherit', detached: true });
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
    };
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    // SIGTERM first: an e2e mocha process then stops its own code-server and
    // Chromium (they run in process groups of their own) before it goes.
    const unregister = onCleanup(`${path.basename(cmd)} ${args[0] ?? ''}`, async () => {
      kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      kill('SIGKILL');
    });
    const timer = limitMs
      ? setTimeout(() => {
          console.error(`[test:vscode] ${cmd} ${args.join(' ')} exceeded ${limitMs / 1000} s: stopping it`);
          kill('SIGTERM');
          setTimeout(() => kill('SIGKILL'), 10_000).unref();
        }, limitMs)
      : undefined;
    child.on('exit', (code) => {
      clearTimeout(timer);
      kill('SIGKILL'); // grandchildren (code-server, Chromium) of a failed e2e run
      void unregister();
      resolve(code === 0);
    });
    child.on('error', () => resolve(false));
  });
}

function e2eFiles(): string[] {
  const dir = path.join(root, 'test', 'e2e');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => path.join('test', 'e2e', f))
    .sort();
}

async function main(): Promise<number> {
  let ok = true;
  if (!values['no-build']) {
    ok = (await step('build extension (dev)', () => run(process.execPath, ['esbuild.mjs']))) && ok;
    if (runBoth || values.integration) ok = (await step('build integration tests', () => run(process.execPath, ['scripts/build-tests.mjs']))) && ok;
    if (!ok) return 1;
  }
  ok = (await step('ensure chromium + code-server', async () => {
    await Promise.all([ensureChromium(root), ensureCodeServer(root)]);
  })) && ok;
  if (!ok) return 1;

  if (runBoth || values.integration) {
    ok = (await step('integration tier (extension host)', async () => (await runIntegrationTier({ root, grep: values.grep, timeoutMs, extensionPath: values['extension-path'] })) === 0)) && ok;
  }
  if (runBoth || values.e2e) {
    const files = e2eFiles();
    if (files.length === 0) {
      console.log('[test:vscode] no test/e2e/*.test.ts: end-to-end tier skipped');
    } else {
      const mochaBin = path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
      const args = [mochaBin, '--require', 'tsx/cjs', '--extension', 'ts', '--timeout', '180000', '--slow', '20000', '--exit', ...files];
      if (values.grep) args.push('--grep', values.grep);
      ok = (await step('end-to-end tier (Playwright → workbench)', () => run(process.execPath, args, process.env, timeoutMs))) && ok;
    }
  }
  return ok ? 0 : 1;
}

void main()
  .catch((err) => {
    console.error(err);
    return 1;
  })
  .then(async (code) => {
    await cleanupAll();
    console.log('\n[test:vscode] summary');
    for (const r of results) console.log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.step} (${r.seconds.toFixed(1)} s)`);
    console.log(`[test:vscode] ${code === 0 ? 'PASSED' : 'FAILED'}`);
    process.exit(code);
  });
