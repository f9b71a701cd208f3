// Debian's Chromium through playwright-core. Tests never install anything.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
// The same flags as the VS Code test host's browser (no background networking on this closed network).
import { CHROMIUM_ARGS } from '../../scripts/vscode-host/browser';

export function chromiumPath(): string {
  let found = '';
  try {
    found = execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
  } catch {
    // not on PATH
  }
  if (found && existsSync(found)) return found;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  throw new Error('Chromium is not installed: run scripts/ensure-chromium.sh (it installs Debian\'s chromium), then run the browser tests again.');
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}
