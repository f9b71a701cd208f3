// The integration tier: opens the workbench as an extension development host
// whose tests module (out/test/integration/index.js) runs mocha inside VS Code's
// extension host; relays the host's console (mocha's report) and returns the
// run's exit code. Everything started is stopped before returning.
import { existsSync } from 'node:fs';
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
    if (session) console.error(`[test:vscode] code-server log: ${session.server.logFile} (kept only with HEARTH_KEEP_SANDBOX=1)`);
    return 1;
  } finally {
    clearTimeout(timer);
    await session?.dispose();
  }
}

function relay(type: string, args: unknown[]): void {
  const text = format(...(args as [unknown, ...unknown[]]));
  if (type === 'error' || type === 'warn') process.stderr.write(text + '\n');
  else process.stdout.write(text + '\n');
}
