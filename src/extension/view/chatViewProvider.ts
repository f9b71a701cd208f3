/**
 * The hearth.chat webview view: VS Code's transport to the conversation core.
 * A strict CSP with a fresh nonce per page, only dist/webview as a local
 * resource root, hashed asset names from its manifest. Every message the page
 * sends goes to the core's conversation; what the core sends comes back here.
 * The core (and its validators) load with the first message, not at activation.
 */
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { PostedRecord } from '../../core/channel';
import type { Conversation } from '../../core/conversation';
import type { HostToWebview } from '../../shared/protocol';
import type { Log } from '../log';
import { makeNonce, parseAssetManifest, renderHtml, type WebviewAssets } from './html';

export const CHAT_VIEW_ID = 'hearth.chat';

export interface ChatViewDeps {
  extensionUri: vscode.Uri;
  /** The window's conversation, created (and the heavy code loaded) on first use. */
  conversation: () => Promise<Conversation>;
  log: Log;
  /** Called on each resolve (the first one triggers the lazy connection check). */
  onResolved?: () => void;
}

export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private viewSubs: vscode.Disposable[] = [];
  private loaded: Conversation | undefined;
  private resolvedOnce: () => void = () => {};
  /** Resolves once resolveWebviewView has run. */
  readonly whenResolved: Promise<void>;

  constructor(private readonly deps: ChatViewDeps) {
    this.whenResolved = new Promise((r) => (this.resolvedOnce = r));
  }

  /** How the core's messages reach the page (dropped when there is none). */
  readonly send = (m: HostToWebview): void => {
    void this.view?.webview.postMessage(m).then(undefined, () => {});
  };

  get isReady(): boolean {
    return this.loaded?.channel.isReady ?? false;
  }

  get posted(): readonly PostedRecord[] {
    return this.loaded?.channel.posted ?? [];
  }

  get readyCount(): number {
    return this.loaded?.channel.snapshots ?? 0;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposeViewSubs();
    this.view = view;
    this.pageGone();
    const root = vscode.Uri.joinPath(this.deps.extensionUri, 'dist', 'webview');
    view.webview.options = { enableScripts: true, localResourceRoots: [root] };
    this.setHtml(view, root);
    this.viewSubs.push(
      view.webview.onDidReceiveMessage((raw) => void this.receive(raw).catch(() => undefined)), // logged where it failed
      view.onDidChangeVisibility(() => {
        // Hidden: the page is torn down; it sends `ready` again when shown.
        if (!view.visible) this.pageGone();
      }),
      view.onDidDispose(() => {
        if (this.view === view) {
          this.view = undefined;
          this.pageGone();
        }
        this.disposeViewSubs();
      }),
    );
    this.deps.log('chat view resolved');
    this.deps.onResolved?.();
    this.resolvedOnce();
  }

  /** A message from a command (focus the input, show history, add chips): kept until the page is ready if it is not. */
  async post(m: HostToWebview): Promise<void> {
    (await this.conversation()).channel.post(m);
  }

  /** Shows the view (and its container). */
  async reveal(preserveFocus = false): Promise<void> {
    if (this.view) this.view.show(preserveFocus);
    else await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
  }

  /** Handles one message as if the page sent it (the page's listener; also the tests' seam). */
  async receive(raw: unknown): Promise<void> {
    await (await this.conversation()).receive(raw);
  }

  dispose(): void {
    this.pageGone();
    this.disposeViewSubs();
    this.view = undefined;
  }

  private async conversation(): Promise<Conversation> {
    this.loaded ??= await this.deps.conversation();
    return this.loaded;
  }

  /** The page is gone or reloading: the core holds everything until its next `ready`. */
  private pageGone(): void {
    this.loaded?.channel.reset();
  }

  /** Sets the page; while the build is missing (e.g. mid-rebuild in development) retries for a while. */
  private setHtml(view: vscode.WebviewView, root: vscode.Uri, attempt = 0): void {
    const html = this.html(view.webview, root, attempt === 0);
    if (html) {
      view.webview.html = html;
      return;
    }
    if (attempt === 0) view.webview.html = `<!DOCTYPE html><html><body><p>Hearth's chat UI is not built. Run <code>npm run build</code>.</p></body></html>`;
    if (attempt >= 60) return;
    const timer = setTimeout(() => {
      if (this.view === view) this.setHtml(view, root, attempt + 1);
    }, 1000);
    this.viewSubs.push({ dispose: () => clearTimeout(timer) });
  }

  private html(webview: vscode.Webview, root: vscode.Uri, logFailure: boolean): string | undefined {
    let assets: WebviewAssets;
    try {
      assets = parseAssetManifest(JSON.parse(readFileSync(vscode.Uri.joinPath(root, 'manifest.json').fsPath, 'utf8')));
    } catch (e) {
      if (logFailure) this.deps.log(`webview build missing or invalid: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
    return renderHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, assets.js)).toString(),
      ...(assets.css ? { styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, assets.css)).toString() } : {}),
    });
  }

  private disposeViewSubs(): void {
    for (const d of this.viewSubs.splice(0)) d.dispose();
  }
}
