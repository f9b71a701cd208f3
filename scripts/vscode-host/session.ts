// One real VS Code for tests: a sandbox, the Ollama test double (+ its control
// API), code-server and Chromium with the workbench open. Used by the integration
// runner (with a tests module) and by the end-to-end harness (without).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { startOllamaDouble, type OllamaDouble } from '../../test/double';
import type { DoubleModel, DoubleOptions } from '../../test/double/types';
import { launchChromium } from './browser';
import { onCleanup } from './cleanup';
import { startCodeServer, type CodeServer } from './code-server';
import { startDoubleControl, type DoubleControl } from './double-control';
import { ensureChromium, ensureCodeServer } from './install';
import { findRepoRoot } from './repo';
import { createSandbox, type Sandbox } from './sandbox';
import { openWorkbench, type Workbench, type WorkbenchOptions } from './workbench';

/** Models the double offers unless a test says otherwise (names are arbitrary). */
export const DEFAULT_DOUBLE_MODELS: (DoubleModel | string)[] = [
  'test-model:latest',
  { name: 'test-thinker:latest', capabilities: ['completion', 'thinking'] },
];

export interface SessionOptions {
  /** Extra user settings (merged over the base ones and the double's URL). */
  settings?: Record<string, unknown>;
  /** Workspace files, path → contents. */
  files?: Record<string, string>;
  /** Options of the Ollama double; `false` starts none (hearth.ollama.url is then left at its default). */
  double?: DoubleOptions | false;
  /** Load the extension from this folder (default: the repo root). `null`: don't (e.g. a .vsix was installed). */
  extensionDevelopmentPath?: string | null;
  /** Install this packaged .vsix into the sandbox's extensions folder before starting. */
  vsix?: string;
  /** A compiled tests module exporting run(); makes the window run it and report. */
  extensionTestsPath?: string;
  /** Extra environment for the extension host. */
  env?: Record<string, string>;
  onLog?: WorkbenchOptions['onLog'];
  onExit?: WorkbenchOptions['onExit'];
}

export interface VsCodeSession {
  root: string;
  sandbox: Sandbox;
  double?: OllamaDouble;
  doubleControl?: DoubleControl;
  server: CodeServer;
  browser: Browser;
  workbench: Workbench;
  /** Stops everything this session started (also run by cleanupAll on failure). */
  dispose(): Promise<void>;
}

export async function startVsCodeSession(options: SessionOptions = {}): Promise<VsCodeSession> {
  const root = findRepoRoot();
  const disposers: (() => Promise<void>)[] = [];
  const dispose = async () => {
    while (disposers.length) await disposers.pop()!();
  };
  try {
    const [installDir, chromiumPath] = await Promise.all([ensureCodeServer(root), ensureChromium(root)]);

    let double: OllamaDouble | undefined;
    let doubleControl: DoubleControl | undefined;
    const env: Record<string, string> = { ...options.env };
    const settings: Record<string, unknown> = {};
    if (options.double !== false) {
      const doubleOptions: DoubleOptions = { models: DEFAULT_DOUBLE_MODELS, ...options.double };
      const started = await startOllamaDouble(doubleOptions);
      double = started;
      disposers.push(onCleanup('ollama double', () => started.stop()));
      const control = await startDoubleControl(started, doubleOptions.models ?? []);
      doubleControl = control;
      disposers.push(onCleanup('double control', () => control.close()));
      settings['hearth.ollama.url'] = started.url;
      env.HEARTH_TEST_OLLAMA_URL = started.url;
      env.HEARTH_TEST_DOUBLE_CONTROL = control.url;
    }

    const sandbox = await createSandbox({ settings: { ...settings, ...options.settings }, files: options.files });
    disposers.push(onCleanup('sandbox', () => (process.env.HEARTH_KEEP_SANDBOX === '1' ? undefined : sandbox.dispose())));

    if (options.vsix) await installVsix(installDir, sandbox, options.vsix);

    const server = await startCodeServer({ installDir, sandbox, env });
    disposers.push(onCleanup('code-server', () => server.stop()));

    const browser = await launchChromium(chromiumPath);
    disposers.push(onCleanup('chromium', () => browser.close()));

    const devPath = options.extensionDevelopmentPath === undefined ? root : options.extensionDevelopmentPath;
    const workbench = await openWorkbench(browser, {
      serverUrl: server.url,
      folder: sandbox.workspaceDir,
      extensionDevelopmentPath: devPath ?? undefined,
      extensionTestsPath: options.extensionTestsPath,
      onLog: options.onLog,
      onExit: options.onExit,
    });
    disposers.push(onCleanup('workbench page', () => workbench.close()));

    return { root, sandbox, double, doubleControl, server, browser, workbench, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

/** `code-server --install-extension FILE.vsix` into the sandbox (as a user would install it). */
async function installVsix(installDir: string, sandbox: Sandbox, vsix: string): Promise<void> {
  const bin = path.join(installDir, 'node_modules', '.bin', 'code-server');
  await promisify(execFile)(
    bin,
    ['--user-data-dir', sandbox.userDataDir, '--extensions-dir', sandbox.extensionsDir, '--install-extension', path.resolve(vsix)],
    { timeout: 120_000 },
  );
}
