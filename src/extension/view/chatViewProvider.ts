/**
 * The hearth.chat webview view: a strict CSP with a fresh nonce per page, only
 * dist/webview as a local resource root, hashed asset names from its manifest.
 * What is sent when is the WebviewChannel's business.
 */
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { loadCore } from '../loadCore';
import type { HostToWebview, Snapshot } from '../../shared/protocol';
import type { Log } from '../log';
import { makeNonce, parseAssetManifest, renderHtml, type WebviewAssets } from './html';
import type { WebviewActions } from './messageRouter';
import { WebviewChannel, type PostedRecord } from './webviewChannel';

export type { PostedRecord } from './webviewChannel';

export const CHAT_VIEW_ID = 'hearth.chat';

export interface ChatViewDeps {
  extensionUri: vscode.Uri;
  /** Async part of a snapshot; the returned function builds it synchronously. */
  prepareSnapshot: () => Promise<() => Snapshot>;
  /** Actions for every other message (`ready` is the channel's). */
  actions: Omit<WebviewActions, 'ready'>;
  log: Log;
  /** Called on each resolve (the first one triggers the lazy connection check). */
  onResolved?: () => void;
}

export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private viewSubs: vscode.Disposable[] = [];
  private readonly channel: WebviewChannel;
  private resolvedOnce: () => void = () => {};
  /** Resolves once resolveWebviewView has run. */
  readonly whenResolved: Promise<void>;

  constructor(private readonly deps: ChatViewDeps) {
    this.channel = new WebviewChannel((m) => void this.view?.webview.postMessage(m).then(undefined, () => {}), deps.prepareSnapshot);
    this.whenResolved = new Promise((r) => (this.resolvedOnce = r));
  }

  get isReady(): boolean {
    return this.channel.isReady;
  }

  get posted(): readonly PostedRecord[] {
    return this.channel.posted;
  }

  get readyCount(): number {
    return this.channel.snapshots;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposeViewSubs();
    this.view = view;
    this.channel.reset();
    const root = vscode.Uri.joinPath(this.deps.extensionUri, 'dist', 'webview');
    view.webview.options = { enableScripts: true, localResourceRoots: [root] };
    this.setHtml(view, root);
    this.viewSubs.push(
      view.webview.onDidReceiveMessage((raw) => void this.receive(raw)),
      view.onDidChangeVisibility(() => {
        // Hidden: the page is torn down; it sends `ready` again when shown.
        if (!view.visible) this.channel.reset();
      }),
      view.onDidDispose(() => {
        if (this.view === view) {
          this.view = undefined;
          this.channel.reset();
        }
        this.disposeViewSubs();
      }),
    );
    this.deps.log('chat view resolved');
    this.deps.onResolved?.();
    this.resolvedOnce();
  }

  /** Queues a message for the webview (coalesced; dropped while it is not ready). */
  post(m: HostToWebview): void {
    this.channel.post(m);
  }

  /** Like post, but kept until the webview is ready if it is not (one-off UI requests). */
  postWhenReady(m: HostToWebview): void {
    this.channel.postWhenReady(m);
  }

  /** Shows the view (and its container). */
  async reveal(preserveFocus = false): Promise<void> {
    if (this.view) this.view.show(preserveFocus);
    else await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
  }

  /** Handles one message as if the webview sent it (the webview's listener; also the tests' seam). */
  async receive(raw: unknown): Promise<void> {
    // The validators (zod) load with the first message, not at activation.
    const { routeWebviewMessage } = await loadCore();
    await routeWebviewMessage(raw, { ...this.deps.actions, ready: () => this.channel.onReady() }, this.deps.log);
  }

  dispose(): void {
    this.channel.dispose();
    this.disposeViewSubs();
    this.view = undefined;
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
