/**
 * Packages Hearth into a .vsix the way `npm run package` does (vsce, production
 * build through vscode:prepublish, .vscodeignore), but in a temporary copy of
 * the project so the checkout's dist/ is left alone. Sources and node_modules
 * are linked, not copied.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Files copied (what vsce reads); everything else at the top level is linked. */
const COPIED = new Set(['package.json', '.vscodeignore', 'README.md', 'CHANGELOG.md', 'LICENSE', 'media']);
/** Never carried over: build output and caches of the checkout itself. */
const SKIPPED = new Set(['dist', 'out', '.git', 'test-results', '.vscode-test']);

export interface PackagedVsix {
  file: string;
  dispose(): Promise<void>;
}

export async function packageVsix(root: string): Promise<PackagedVsix> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hearth-vsix-'));
  try {
    for (const entry of await readdir(root)) {
      if (SKIPPED.has(entry) || entry.endsWith('.vsix')) continue;
      const from = path.join(root, entry);
      const to = path.join(dir, entry);
      if (COPIED.has(entry)) await cp(from, to, { recursive: true });
      else await symlink(from, to);
    }
    const file = path.join(dir, 'hearth.vsix');
    const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
    // The same vsce arguments as `npm run package` ("vsce package …").
    const script: string = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')).scripts.package;
    const args = script.trim().split(/\s+/).slice(1);
    await run(process.execPath, [vsce, ...args, '--out', file], { cwd: dir, timeout: 180_000 });
    return { file, dispose: () => rm(dir, { recursive: true, force: true }) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
