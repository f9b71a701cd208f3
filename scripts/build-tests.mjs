// Compiles the integration suites for VS Code's extension host:
//   test/integration/index.ts and test/integration/**/*.test.ts
//     → out/test/integration/**/*.js (CommonJS, Node 20, source maps inline)
// Each file is bundled on its own with what it imports (src/shared, support
// helpers); `vscode` (provided by the host), `mocha` (resolved from the project's
// node_modules at run time) and `playwright-core` stay external.
// The end-to-end suites (test/e2e) run in plain Node through tsx and need no build.
import * as esbuild from 'esbuild';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';

const root = process.cwd();
const srcDir = path.join(root, 'test', 'integration');
const outDir = path.join(root, 'out', 'test', 'integration');

async function findTests(dir) {
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await findTests(full)));
    else if (entry.name.endsWith('.test.ts')) found.push(full);
  }
  return found;
}

export async function buildTests() {
  const tests = await findTests(srcDir);
  // Stale output from deleted or renamed tests must not run.
  await rm(outDir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [path.join(srcDir, 'index.ts'), ...tests],
    outbase: srcDir,
    outdir: outDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode', 'mocha', 'playwright-core'],
    logLevel: 'warning',
  });
  return tests.length;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildTests()
    .then((n) => console.log(`[build-tests] ${n} integration test file(s) → ${path.relative(root, outDir)}`))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
