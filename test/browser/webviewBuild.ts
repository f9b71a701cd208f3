// Builds the production webview with the project's own build (esbuild.mjs) and
// copies it to a private folder, so another build of dist/webview running at the
// same time cannot pull the files from under the test.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
let built: string | undefined;

export function buildWebview(): string {
  if (built) return built;
  for (let attempt = 0; ; attempt++) {
    execFileSync(process.execPath, ['esbuild.mjs', '--production', '--only=webview'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hearth-webview-'));
    try {
      cpSync(path.join(root, 'dist', 'webview'), dir, { recursive: true });
      const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { js: string; css?: string };
      readFileSync(path.join(dir, manifest.js));
      if (manifest.css) readFileSync(path.join(dir, manifest.css));
      built = dir;
      return dir;
    } catch (e) {
      if (attempt >= 3) throw e; // someone rebuilt mid-copy: try again
    }
  }
}
