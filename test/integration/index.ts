/**
 * The tests module VS Code's extension host loads (extensionTestsPath): it runs
 * every compiled out/test/integration/**\/*.test.js with mocha, in the real host,
 * with the real `vscode` API. Started by `npm run test:vscode` (scripts/test-vscode.mjs).
 *
 * Writing a suite: add test/integration/<name>.test.ts using mocha's describe/it
 * and `import * as vscode from 'vscode'`. Each file is bundled on its own, so talk
 * to the extension through `vscode` and its exported API, not by importing
 * src/extension modules (that would be a second copy). Helpers live in
 * test/integration/support/. See test/README.md.
 *
 * Environment (set by the runner): HEARTH_TEST_GREP (mocha grep),
 * HEARTH_TEST_OLLAMA_URL (the test double, also in the hearth.ollama.url setting),
 * HEARTH_TEST_DOUBLE_CONTROL (scripting the double, see support/double.ts).
 */
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import path from 'node:path';

function findCompiledTests(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findCompiledTests(full));
    else if (entry.name.endsWith('.test.js')) found.push(full);
  }
  return found.sort();
}

export async function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    // The report travels as console text to the test runner: no escape codes.
    color: false,
    // A real workbench on a loaded 2-core machine: generous, tests wait on events.
    timeout: Number(process.env.HEARTH_TEST_TIMEOUT_MS ?? 60_000),
    slow: 5_000,
  });
  const grep = process.env.HEARTH_TEST_GREP;
  if (grep) mocha.grep(grep);
  const files = findCompiledTests(__dirname);
  if (files.length === 0) throw new Error(`no *.test.js under ${__dirname}`);
  for (const file of files) mocha.addFile(file);
  await mocha.loadFilesAsync();
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
}
