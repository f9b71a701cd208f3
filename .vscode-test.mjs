// @vscode/test-cli configuration, for running the integration suites on a desktop
// that has VS Code: `node esbuild.mjs && node scripts/build-tests.mjs && npx vscode-test`.
// VSCODE_PATH=/path/to/code uses an installed VS Code instead of downloading one.
// (CI and machines without a VS Code download use `npm run test:vscode`, which runs
// the same compiled files inside code-server; see test/README.md.)
import { defineConfig } from '@vscode/test-cli';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// A scratch workspace in the git-ignored .vscode-test folder.
const workspaceFolder = path.resolve('.vscode-test', 'workspace');
mkdirSync(workspaceFolder, { recursive: true });
writeFileSync(path.join(workspaceFolder, 'README.md'), '# Hearth test workspace\n');

const vscodePath = process.env.VSCODE_PATH;

export default defineConfig({
  label: 'integration',
  files: 'out/test/integration/**/*.test.js',
  ...(vscodePath ? { useInstallation: { fromPath: vscodePath } } : { version: '1.100.3' }),
  workspaceFolder,
  launchArgs: ['--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  mocha: { ui: 'bdd', timeout: 60_000, slow: 5_000, color: true },
});
