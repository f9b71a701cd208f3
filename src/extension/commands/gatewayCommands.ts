/**
 * "Hearth: Start/Stop Gateway Server": the standalone HTTP/SSE server, run
 * inside the extension host on 127.0.0.1 with a random token, sharing this
 * window's sessions and chat service. Stops with the window.
 */
import * as vscode from 'vscode';
import type { ChatService } from '../../gateway/chat/types';
import type { SessionStore } from '../../shared/session';
import type { EngineHolder } from '../engine/engineHolder';
import type { HearthSettings } from '../settings';
import type { Log } from '../log';

export interface GatewayDeps {
  store: SessionStore;
  chat: () => ChatService;
  engines: EngineHolder;
  settings: () => HearthSettings;
  log: Log;
}

export class GatewayCommands implements vscode.Disposable {
  private runningUrl: string | undefined;

  constructor(private readonly deps: GatewayDeps) {}

  /** The URL (with its #token fragment) while the server runs. */
  get url(): string | undefined {
    return this.runningUrl;
  }

  async start(): Promise<string | undefined> {
    void this.deps;
    void vscode.window.showInformationMessage('Hearth: the in-window gateway server is not available in this build yet.');
    return undefined;
  }

  async stop(): Promise<void> {
    this.runningUrl = undefined;
    await vscode.commands.executeCommand('setContext', 'hearth.gatewayRunning', false);
  }

  dispose(): void {
    void this.stop();
  }
}
