// Opens the VS Code web workbench in a page, optionally as an extension
// development host that runs a tests module (the `payload` query parameter:
// the web equivalent of --extensionDevelopmentPath / --extensionTestsPath).
import type { Browser, BrowserContext, Page } from 'playwright-core';

export interface WorkbenchOptions {
  /** code-server's base URL, e.g. http://127.0.0.1:41234 */
  serverUrl: string;
  /** Absolute folder to open. */
  folder: string;
  /** Absolute path of the extension to load from source (its package.json folder). */
  extensionDevelopmentPath?: string;
  /** Absolute path of a module exporting run(): Promise<void>. */
  extensionTestsPath?: string;
  /** Receives the extension host's console output (mocha's report). */
  onLog?: (type: string, args: unknown[]) => void;
  /** Receives the test run's exit code (only with extensionTestsPath). */
  onExit?: (code: number) => void;
  viewport?: { width: number; height: number };
}

export interface Workbench {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** The workbench URL; paths become vscode-remote:// URIs on this server. */
export function workbenchUrl(options: Pick<WorkbenchOptions, 'serverUrl' | 'folder' | 'extensionDevelopmentPath' | 'extensionTestsPath'>): string {
  const authority = new URL(options.serverUrl).host;
  const remote = (p: string) => `vscode-remote://${authority}${encodeURI(p)}`;
  const payload: [string, string][] = [];
  if (options.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(options.extensionDevelopmentPath)]);
  if (options.extensionTestsPath) payload.push(['extensionTestsPath', remote(options.extensionTestsPath)]);
  const query = new URLSearchParams({ folder: options.folder });
  if (payload.length) query.set('payload', JSON.stringify(payload));
  return `${options.serverUrl}/?${query.toString()}`;
}

export async function openWorkbench(browser: Browser, options: WorkbenchOptions): Promise<Workbench> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1400, height: 900 } });
  const page = await context.newPage();
  // Both hooks must exist before the workbench loads: it looks them up at start.
  await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => options.onLog?.(type, Array.isArray(args) ? args : [args]));
  await page.exposeFunction('codeAutomationExit', (code: number) => options.onExit?.(Number(code)));
  await page.goto(workbenchUrl(options), { waitUntil: 'domcontentloaded', timeout: 120_000 });
  return { context, page, close: () => context.close().catch(() => undefined) };
}
