/**
 * End-to-end harness: a real VS Code (code-server 4.100.3) in Debian's Chromium,
 * driven by playwright-core, with Hearth loaded from this checkout and the Ollama
 * test double (in this process) as its server.
 *
 * Run: `npm run test:vscode -- --e2e [--grep TEXT]`, or directly:
 *   node esbuild.mjs && npx mocha --require tsx/cjs --timeout 180000 --exit test/e2e/smoke.test.ts
 *
 * Writing a suite (test/e2e/<name>.test.ts):
 *
 *   import { useHearth } from './harness';
 *   describe('chat', () => {
 *     const hearth = useHearth();               // one VS Code for this describe (before/after hooks)
 *     it('streams a reply', async () => {
 *       const ui = hearth();
 *       ui.double.enqueue({ tokens: ['Hel', 'lo'] });   // the OllamaDouble itself, in-process
 *       const chat = await ui.openHearthView();         // FrameLocator of the webview's content
 *       await chat.locator('textarea[aria-label="Message"]').fill('hi');
 *       ...
 *       await ui.screenshot('chat-streamed');           // test-results/<name>.png
 *     });
 *   });
 *
 * Options (useHearth / launchHearth): settings, workspace files, double options
 * (models, defaultReply…; `false` for none), vsix (install a packaged .vsix instead
 * of loading the checkout), env for the extension host.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FrameLocator, Page } from 'playwright-core';
import type { OllamaDouble } from '../double';
import { artifactsDir, findRepoRoot } from '../../scripts/vscode-host/repo';
import { startVsCodeSession, type SessionOptions, type VsCodeSession } from '../../scripts/vscode-host/session';

const run = promisify(execFile);

/** The webview view's content lives two iframes deep. */
export const WEBVIEW_FRAME = ['iframe.webview', 'iframe#active-frame'] as const;

export interface LaunchOptions extends Pick<SessionOptions, 'settings' | 'files' | 'double' | 'env'> {
  /** Install this packaged .vsix instead of loading the checkout as a development extension. */
  vsix?: string;
  /** Load another extension folder instead of the checkout (e.g. a fixture). */
  extensionDevelopmentPath?: string;
}

export interface HearthUi {
  session: VsCodeSession;
  page: Page;
  /** The in-process Ollama double (throws if launched with `double: false`). */
  double: OllamaDouble;
  /** Clicks Hearth in the activity bar; resolves with the chat webview's content frame once it has rendered. */
  openHearthView(): Promise<FrameLocator>;
  /** The chat webview's content frame (no waiting). */
  chatFrame(): FrameLocator;
  /** Runs a command by its palette label, e.g. 'Hearth: New Chat'. */
  runCommand(label: string): Promise<void>;
  /** Clicks an action in the Hearth view's title bar by its label: 'New Chat', 'Show History'. */
  viewAction(label: string): Promise<void>;
  /**
   * New Chat from the view's title bar, then waits for the empty chat: the command
   * reaches the page through the extension host, so a question typed at once could
   * still go to the old session.
   */
  newChat(): Promise<void>;
  /** Drags the sidebar's edge until it is about `px` wide; resolves with the width reached. */
  setSidebarWidth(px: number): Promise<number>;
  /** Saves a PNG of the whole workbench to test-results/<name>.png; returns its path. */
  screenshot(name: string): Promise<string>;
  dispose(): Promise<void>;
}

/** Builds dist/ (development build) when it is missing. */
async function ensureBuilt(root: string): Promise<void> {
  if (existsSync(path.join(root, 'dist', 'extension.js')) && existsSync(path.join(root, 'dist', 'webview', 'manifest.json'))) return;
  await run(process.execPath, ['esbuild.mjs'], { cwd: root });
}

export async function launchHearth(options: LaunchOptions = {}): Promise<HearthUi> {
  const root = findRepoRoot(__dirname);
  if (!options.vsix && !options.extensionDevelopmentPath) await ensureBuilt(root);
  const session = await startVsCodeSession({
    settings: options.settings,
    files: options.files,
    double: options.double,
    env: options.env,
    extensionDevelopmentPath: options.vsix ? null : (options.extensionDevelopmentPath ?? root),
    vsix: options.vsix,
  });
  const page = session.workbench.page;
  // The workbench is usable once its activity bar is drawn.
  await page.locator('.monaco-workbench .activitybar').waitFor({ state: 'visible', timeout: 120_000 });

  const chatFrame = () => page.frameLocator(WEBVIEW_FRAME[0]).frameLocator(WEBVIEW_FRAME[1]);
  const viewAction = async (label: string) => {
    // With one view in the container VS Code shows the view's actions in the container's title.
    const action = page.locator(`.part.sidebar a.action-label[aria-label="${label}"]`).filter({ visible: true }).first();
    await action.waitFor({ state: 'visible', timeout: 30_000 });
    await action.click();
    await page.mouse.move(700, 600); // no tooltip over what comes next
  };

  return {
    session,
    page,
    get double(): OllamaDouble {
      if (!session.double) throw new Error('launched with double: false');
      return session.double;
    },
    chatFrame,
    async openHearthView() {
      // The activity-bar entry is reachable by the container's title.
      const icon = page.locator('.activitybar a.action-label[aria-label="Hearth"]');
      await icon.waitFor({ state: 'visible', timeout: 60_000 });
      // Clicking an already-open container would collapse the sidebar.
      const tab = page.locator('.activitybar li.action-item', { has: page.locator('a.action-label[aria-label="Hearth"]') });
      if ((await tab.getAttribute('aria-expanded')) !== 'true') await icon.click();
      // Park the mouse so the icon's tooltip does not cover screenshots.
      await page.mouse.move(700, 600);
      const frame = chatFrame();
      // Rendered = the webview's app put something into its body.
      await frame.locator('body *').first().waitFor({ state: 'attached', timeout: 60_000 });
      return frame;
    },
    async runCommand(label: string) {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 30_000 });
      await input.fill(`>${label}`);
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      await row.click();
      // Done when the palette closed or was replaced by the command's own quick
      // pick (which reuses the same widget, so "hidden" alone would race).
      await page.waitForFunction(
        (typed) => {
          const widget = document.querySelector<HTMLElement>('.quick-input-widget');
          const box = widget?.querySelector<HTMLInputElement>('input');
          return !widget || widget.style.display === 'none' || !box || box.value !== typed;
        },
        `>${label}`,
        { timeout: 30_000 },
      );
    },
    viewAction,
    async newChat() {
      await viewAction('New Chat');
      await chatFrame().locator('.welcome').waitFor({ state: 'visible', timeout: 30_000 });
    },
    async setSidebarWidth(px: number) {
      const sidebar = page.locator('.part.sidebar');
      for (let i = 0; i < 3; i++) {
        const box = await sidebar.boundingBox();
        if (!box) throw new Error('no sidebar');
        if (Math.abs(box.width - px) <= 2) return box.width;
        const x = box.x + box.width - 1;
        const y = box.y + box.height / 2;
        await page.mouse.move(x, y);
        await page.mouse.down();
        await page.mouse.move(x + (px - box.width), y, { steps: 10 });
        await page.mouse.up();
      }
      await page.mouse.move(700, 600);
      return (await sidebar.boundingBox())?.width ?? 0;
    },
    async screenshot(name: string) {
      const dir = artifactsDir(root);
      await mkdir(dir, { recursive: true });
      const file = path.join(dir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    dispose: () => session.dispose(),
  };
}

/**
 * Mocha hooks: one VS Code for the enclosing describe (started in before, stopped
 * in after). A failing test leaves a screenshot test-results/FAILED-<title>.png.
 */
export function useHearth(options: LaunchOptions = {}): () => HearthUi {
  let ui: HearthUi | undefined;
  before(async function () {
    this.timeout(300_000); // first run may build dist/; a cold workbench on 2 cores
    ui = await launchHearth(options);
  });
  afterEach(async function () {
    if (ui && this.currentTest?.state === 'failed') {
      await ui.screenshot(`FAILED-${this.currentTest.fullTitle()}`).catch(() => undefined);
    }
  });
  after(async function () {
    this.timeout(60_000);
    await ui?.dispose();
    ui = undefined;
  });
  return () => {
    if (!ui) throw new Error('Hearth is not running: did the before() hook fail?');
    return ui;
  };
}
