/**
 * "Hearth: Start/Stop Gateway Server": the standalone HTTP/SSE server, run
 * inside the extension host on 127.0.0.1 (random port) with a random token,
 * sharing this window's sessions, engine and chat service. Stops with the window.
 * The token travels only in the URL fragment handed to the browser or clipboard;
 * it is never logged or shown.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { loadHeavy } from '../loadHeavy';
import type { ChatService } from '../../gateway/chat/types';
import type { GatewayServer, ProviderInfo } from '../../gateway/server';
import type { UiHost } from '../../gateway/server/deps';
import type { SessionStore } from '../../shared/session';
import type { EngineHolder } from '../engine/engineHolder';
import type { Log } from '../log';

export interface GatewayDeps {
  store: SessionStore;
  chat: () => Promise<ChatService>;
  engines: EngineHolder;
  /** The model server of the current settings, for the gateway's /health details. */
  provider: () => ProviderInfo;
  /** dist/webview: the browser UI the server serves at `/`. */
  webviewDir: string;
  /** The browser pages' conversations (the conversation core, shared with this window). */
  ui: () => Promise<UiHost & { dispose(): void }>;
  /** Loads the API key before the engine is first used. */
  prepare: () => Promise<void>;
  log: Log;
}

export class GatewayCommands implements vscode.Disposable {
  private server: GatewayServer | undefined;
  private starting: Promise<GatewayServer> | undefined;
  private fullUrl: string | undefined;
  private pages: { dispose(): void } | undefined;

  constructor(private readonly deps: GatewayDeps) {}

  /** The URL with its #token fragment while the server runs (for tests). */
  get url(): string | undefined {
    return this.fullUrl;
  }

  /** Starts (or re-announces) the server. The URL with its token is not returned: commands' results are visible to any extension. */
  async start(opts: { quiet?: boolean } = {}): Promise<void> {
    if (!this.server) {
      try {
        this.starting ??= this.launch();
        this.server = await this.starting;
      } catch (e) {
        this.deps.log(`gateway did not start: ${e instanceof Error ? e.message : String(e)}`);
        void vscode.window.showErrorMessage(`Hearth: the gateway server did not start: ${e instanceof Error ? e.message : String(e)}`);
        return;
      } finally {
        this.starting = undefined;
      }
    }
    if (!opts.quiet) void this.announce(this.server.url, this.fullUrl!);
  }

  async stop(): Promise<void> {
    // A start still under way would otherwise set `server` after this stop and keep listening.
    if (this.starting) await this.starting.catch(() => undefined);
    const s = this.server;
    this.server = undefined;
    this.fullUrl = undefined;
    await vscode.commands.executeCommand('setContext', 'hearth.gatewayRunning', false);
    if (s) {
      await s.close();
      this.deps.log('gateway stopped');
    }
    // Browser pages' conversations end with the server (a reply one was streaming is stopped).
    this.pages?.dispose();
    this.pages = undefined;
  }

  dispose(): void {
    void this.stop();
  }

  private async launch(): Promise<GatewayServer> {
    await this.deps.prepare();
    const token = randomBytes(24).toString('base64url');
    const log = this.deps.log;
    // Loaded on first start: the server's code is not part of activation.
    const { startGatewayServer } = await loadHeavy();
    const ui = await this.deps.ui();
    this.pages = ui;
    const server = await startGatewayServer({
      port: 0,
      token,
      provider: this.deps.provider,
      engine: this.deps.engines,
      chatService: await this.deps.chat(),
      store: this.deps.store,
      webviewDir: this.deps.webviewDir,
      ui,
      logger: {
        info: (m) => log(`gateway: ${m}`),
        warn: (m) => log(`gateway warning: ${m}`),
        error: (m, e) => log(`gateway error: ${m}${e instanceof Error ? ` (${e.name})` : ''}`),
      },
    });
    this.fullUrl = `${server.url}/#token=${token}`;
    await vscode.commands.executeCommand('setContext', 'hearth.gatewayRunning', true);
    log(`gateway started on ${server.url}`);
    return server;
  }

  private async announce(url: string, withToken: string): Promise<void> {
    const choice = await vscode.window.showInformationMessage(`Hearth gateway is running at ${url} (this window's chats, in a browser).`, 'Open in Browser', 'Copy URL');
    if (choice === 'Open in Browser') await vscode.env.openExternal(vscode.Uri.parse(withToken, true));
    else if (choice === 'Copy URL') await vscode.env.clipboard.writeText(withToken);
  }
}
