/**
 * The hearth.chat webview view. Sends nothing until the webview says `ready`,
 * then a full snapshot; while not ready (not yet loaded, or hidden: the webview
 * is destroyed since retainContextWhenHidden is off) deltas are dropped and the
 * next `ready` gets a fresh snapshot instead. Outbound text is coalesced.
 */
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { HostToWebview, Snapshot } from '../../shared/protocol';
import { TokenCoalescer } from '../chat/tokenCoalescer';
import type { Log } from '../log';
import { makeNonce, parseAssetManifest, renderHtml, type WebviewAssets } from './html';
import { routeWebviewMessage, type WebviewActions } from './messageRouter';

export const CHAT_VIEW_ID = 'hearth.chat';

export interface ChatViewDeps {
  extensionUri: vscode.Uri;
  /** Async part of a snapshot; the returned function builds it synchronously. */
  prepareSnapshot: () => Promise<() => Snapshot>;
  /** Actions for every other message (the provider handles `ready` itself). */
  actions: Omit<WebviewActions, 'ready'>;
  log: Log;
  /** Called once per resolve (first resolve triggers the lazy connection check). */
  onResolved?: () => void;
}

/** A record of what went to the webview (types only, never content), for the test hook. */
export interface PostedRecord {
  type: HostToWebview['type'];
  event?: string;
  chars?: number;
}

export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private readyGeneration = 0;
  private viewSubs: vscode.Disposable[] = [];
  private readonly coalescer: TokenCoalescer;
  private resolvedOnce: () => void = () => {};
  // UI requests (show history, focus input) made before the webview is ready: delivered after its snapshot.
  private readonly afterReady = new Map<HostToWebview['type'], HostToWebview>();
  /** Resolves once resolveWebviewView has run. */
  readonly whenResolved: Promise<void>;
  readonly posted: PostedRecord[] = [];
  readyCount = 0;

  constructor(private readonly deps: ChatViewDeps) {
    this.coalescer = new TokenCoalescer((m) => this.deliver(m));
    this.whenResolved = new Promise((r) => (this.resolvedOnce = r));
  }

  get isReady(): boolean {
    return this.ready;
  }

  get isVisible(): boolean {
    return this.view?.visible ?? false;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposeViewSubs();
    this.view = view;
    this.ready = false;
    const root = vscode.Uri.joinPath(this.deps.extensionUri, 'dist', 'webview');
    view.webview.options = { enableScripts: true, localResourceRoots: [root] };
    this.setHtml(view, root);
    this.viewSubs.push(
      view.webview.onDidReceiveMessage((raw) => void this.receive(raw)),
      view.onDidChangeVisibility(() => {
        // Hidden: the page is torn down; it sends `ready` again when shown.
        if (!view.visible) this.ready = false;
      }),
      view.onDidDispose(() => {
        if (this.view === view) {
          this.view = undefined;
          this.ready = false;
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
    this.coalescer.post(m);
  }

  /** Like post, but kept until the webview is ready if it is not (for one-off UI requests). */
  postWhenReady(m: HostToWebview): void {
    if (this.ready && this.view) this.post(m);
    else this.afterReady.set(m.type, m);
  }

  /** Shows the view (and its container). */
  async reveal(preserveFocus = false): Promise<void> {
    if (this.view) this.view.show(preserveFocus);
    else await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
  }

  dispose(): void {
    this.coalescer.dispose();
    this.disposeViewSubs();
    this.view = undefined;
  }

  /** Handles one message as if the webview sent it (the webview's listener; also the tests' seam). */
  async receive(raw: unknown): Promise<void> {
    await routeWebviewMessage(raw, { ...this.deps.actions, ready: () => this.onReady() }, this.deps.log);
  }

  private async onReady(): Promise<void> {
    this.ready = false;
    const generation = ++this.readyGeneration;
    const finish = await this.deps.prepareSnapshot();
    if (generation !== this.readyGeneration || !this.view) return; // a newer `ready` won
    // Buffered text is already inside the snapshot's live reply: drop it, then go live.
    this.coalescer.discardPending();
    this.ready = true;
    this.readyCount++;
    this.deliver({ type: 'snapshot', state: finish() });
    for (const m of this.afterReady.values()) this.deliver(m);
    this.afterReady.clear();
  }

  private deliver(m: HostToWebview): void {
    if (!this.ready || !this.view) return;
    this.record(m);
    void this.view.webview.postMessage(m).then(undefined, () => {});
  }

  private record(m: HostToWebview): void {
    const r: PostedRecord = { type: m.type };
    if (m.type === 'event') {
      r.event = m.event.type;
      if (m.event.type === 'token' || m.event.type === 'thinking') r.chars = m.event.content.length;
    }
    this.posted.push(r);
    if (this.posted.length > 2000) this.posted.splice(0, this.posted.length - 1000);
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
