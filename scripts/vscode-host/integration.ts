// The integration tier: opens the workbench as an extension development host
// whose tests module (out/test/integration/index.js) runs mocha inside VS Code's
// extension host; relays the host's console (mocha's report) and returns the
// run's exit code. Everything started is stopped before returning.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { format } from 'node:util';
import { startVsCodeSession, type VsCodeSession } from './session';

export interface IntegrationOptions {
  root: string;
  grep?: string;
  /** The extension to load (default: the checkout); another folder tests the runner itself. */
  extensionPath?: string;
  /** Whole-tier limit, start-up included. */
  timeoutMs: number;
}

export async function runIntegrationTier(options: IntegrationOptions): Promise<number> {
  const testsModule = path.join(options.root, 'out', 'test', 'integration', 'index.js');
  if (!existsSync(testsModule)) throw new Error(`${testsModule} is missing: run node scripts/build-tests.mjs`);

  let session: VsCodeSession | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const exitCode = await new Promise<number>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`integration tests did not finish within ${options.timeoutMs / 1000} s`)), options.timeoutMs);
      startVsCodeSession({
        extensionTestsPath: testsModule,
        extensionDevelopmentPath: options.extensionPath ?? options.root,
        env: options.grep ? { HEARTH_TEST_GREP: options.grep } : {},
        onLog: (type, args) => relay(type, args),
        onExit: resolve,
      }).then((s) => {
        session = s;
        s.workbench.page.on('crash', () => reject(new Error('the workbench page crashed')));
        s.workbench.page.on('close', () => reject(new Error('the workbench page closed before the tests reported')));
        s.server.process.once('exit', (code) => reject(new Error(`code-server exited (code ${code}) before the tests reported`)));
      }, reject);
    });
    return exitCode;
  } catch (err) {
    console.error(`[test:vscode] ${(err as Error).message}`);
    if (session) {
      const log = await readFile(session.server.logFile, 'utf8').catch(() => '');
      console.error(`[test:vscode] last lines of code-server's log:\n${log.split('\n').slice(-30).join('\n')}`);
    }
    return 1;
  } finally {
    clearTimeout(timer);
    await session?.dispose();
  }
}

// Workbench chatter relayed along with the extension host's console; hidden
// unless HEARTH_VSCODE_VERBOSE=1 so mocha's report stands out.
const NOISE = [
  /^Resolving connection token/,
  /^Resolved connection token/,
  /^Creating a socket/,
  /^Updating additional builtin extensions cache/,
  /^\[Service Worker\]/,
  /^ChatSessionStore: Migrating/,
  /^getaddrinfo ENOTFOUND open-vsx\.org/,
  /^\[lifecycle\] Long running operations during shutdown/,
];

function relay(type: string, args: unknown[]): void {
  const text = format(...(args as [unknown, ...unknown[]]));
  if (process.env.HEARTH_VSCODE_VERBOSE !== '1' && NOISE.some((re) => re.test(text))) return;
  if (type === 'error' || type === 'warn') process.stderr.write(text + '\n');
  else process.stdout.write(text + '\n');
}
