// Runs the project's install scripts (idempotent, fast when already done) and
// returns what they print: the code-server install folder and Chromium's path.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from './repo';

function runScript(script: string, root: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // stderr (progress, errors) goes straight to the user; stdout carries the answer.
    const child = spawn('bash', [path.join(root, 'scripts', script)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0 && last) resolve(last.trim());
      else reject(new Error(`scripts/${script} failed (exit ${code})`));
    });
  });
}

let codeServerDir: Promise<string> | undefined;
let chromiumPath: Promise<string> | undefined;

/** Folder holding node_modules/code-server (installs it on first use, ~3-5 min). */
export function ensureCodeServer(root: string = findRepoRoot()): Promise<string> {
  codeServerDir ??= runScript('install-code-server.sh', root);
  return codeServerDir;
}

/** Path of Debian's Chromium (HEARTH_CHROMIUM overrides). */
export function ensureChromium(root: string = findRepoRoot()): Promise<string> {
  const override = process.env.HEARTH_CHROMIUM;
  if (override && existsSync(override)) return Promise.resolve(override);
  chromiumPath ??= runScript('ensure-chromium.sh', root);
  return chromiumPath;
}
