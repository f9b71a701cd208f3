/**
 * The API key for an authenticating proxy, kept in VS Code's SecretStorage
 * (never in settings files or logs) and sent as `Authorization: Bearer`.
 */
import * as vscode from 'vscode';
import { Emitter } from '../core/emitter';

export const API_KEY_SECRET = 'hearth.apiKey';

export class ApiKeyStore implements vscode.Disposable {
  private cached: string | undefined;
  private loaded: Promise<void> | undefined;
  private readonly sub: vscode.Disposable;
  readonly onDidChange = new Emitter<void>();

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.sub = secrets.onDidChange((e) => {
      if (e.key !== API_KEY_SECRET) return;
      // Another window may have changed it: re-read, then tell the engine.
      this.loaded = this.reload().then(() => this.onDidChange.fire());
    });
  }

  /** Reads the secret once (lazily: not during activation). */
  ensureLoaded(): Promise<void> {
    this.loaded ??= this.reload();
    return this.loaded;
  }

  /** The key as last read; ensureLoaded() first. */
  get current(): string | undefined {
    return this.cached;
  }

  async set(key: string): Promise<void> {
    await this.secrets.store(API_KEY_SECRET, key);
    this.cached = key;
    this.onDidChange.fire();
  }

  async clear(): Promise<void> {
    await this.secrets.delete(API_KEY_SECRET);
    this.cached = undefined;
    this.onDidChange.fire();
  }

  dispose(): void {
    this.sub.dispose();
    this.onDidChange.dispose();
  }

  private async reload(): Promise<void> {
    this.cached = (await this.secrets.get(API_KEY_SECRET)) || undefined;
  }
}

/** "Hearth: Set API Key": a password box; empty input offers to remove the stored key. */
export async function setApiKeyCommand(store: ApiKeyStore): Promise<void> {
  await store.ensureLoaded();
  const value = await vscode.window.showInputBox({
    title: 'Hearth: API Key',
    prompt: store.current
      ? 'A key is stored. Enter a new one to replace it, or leave empty and press Enter to remove it.'
      : 'API key of the proxy in front of Ollama, sent as "Authorization: Bearer <key>". Stored in VS Code\'s secret storage.',
    password: true,
    ignoreFocusOut: true,
    placeHolder: 'API key',
  });
  if (value === undefined) return; // cancelled
  const key = value.trim();
  if (key) {
    if (/[\r\n]/.test(key)) {
      void vscode.window.showErrorMessage('Hearth: an API key cannot contain line breaks.');
      return;
    }
    await store.set(key);
    void vscode.window.showInformationMessage('Hearth: API key saved in secret storage.');
    return;
  }
  if (!store.current) return;
  const choice = await vscode.window.showWarningMessage('Remove the stored Hearth API key?', { modal: true }, 'Remove');
  if (choice === 'Remove') {
    await store.clear();
    void vscode.window.showInformationMessage('Hearth: API key removed.');
  }
}
