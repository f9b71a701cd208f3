// Locating the project and the helper scripts, independent of the caller's cwd
// layout (the helpers run both from scripts/test-vscode.mjs and from mocha).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The nearest folder at or above `from` whose package.json is Hearth's. */
export function findRepoRoot(from: string = process.cwd()): string {
  let dir = path.resolve(from);
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'hearth') return dir;
      } catch {
        // not JSON: keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no Hearth package.json at or above ${from}`);
    dir = parent;
  }
}

/** Where screenshots and other test artifacts go (git-ignored). */
export function artifactsDir(root: string = findRepoRoot()): string {
  return process.env.HEARTH_TEST_ARTIFACTS ?? path.join(root, 'test-results');
}
