/**
 * The live model list, the chosen model and whether the server answers. Fetched
 * lazily (first view / first pick / retry), never at activation. The choice is
 * remembered (globalState in VS Code, the data folder for the gateway) and
 * follows a configured model when there is one. While the server is
 * unreachable it is asked again now and then, so the banner clears by itself.
 * Pure: the server, the store of preferences and the setting writer are injected.
 */
import type { ModelInfo } from '../shared/models';
import type { ConnectionState } from '../shared/protocol';
import { redactUrl } from '../gateway/net/redact';
import { Emitter } from './emitter';
import type { KeyValueStore } from './platform';

export const SELECTED_MODEL_KEY = 'hearth.selectedModel';

export interface ModelSource {
  listModels(signal?: AbortSignal): Promise<ModelInfo[]>;
  health(signal?: AbortSignal): Promise<{ reachable: boolean; version?: string; error?: string }>;
}

export interface ModelStateDeps {
  source: () => ModelSource;
  /** Runs before the server is asked (loads the API key). */
  prepare?: () => Promise<void>;
  memento: KeyValueStore;
  /** How the UI names the server and what it advises when nothing answers (the provider's identity); absent: neutral wording. */
  server?: () => { name: string; startHint: string } | undefined;
  /** How often the server is asked again while it is unreachable (default 10 s; 0 = never). */
  pollMs?: number;
  /** The configured model ('' = none): hearth.model in VS Code. */
  configuredModel: () => string;
  /** Writes hearth.model, used when the user picks another model while the setting names one. */
  writeConfiguredModel?: (name: string) => Thenable<void> | Promise<void>;
  baseUrl: () => string;
}

export interface ModelsChange {
  models: ModelInfo[];
  selectedModel: string | undefined;
  connection: ConnectionState;
}

export class ModelState {
  private list: ModelInfo[] = [];
  private conn: ConnectionState;
  private inFlight: Promise<void> | undefined;
  /** The refresh asked for while another ran: it starts when that one ends. */
  private again: Promise<void> | undefined;
  private checked = false;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  readonly onDidChange = new Emitter<ModelsChange>();

  constructor(private readonly deps: ModelStateDeps) {
    this.conn = { status: 'unknown', ...this.where() };
  }

  get models(): ModelInfo[] {
    return this.list;
  }

  get connection(): ConnectionState {
    return this.conn;
  }

  /** Whether the server has been asked at least once. */
  get hasChecked(): boolean {
    return this.checked;
  }

  /** The setting, else the remembered choice, else the first installed model. */
  get selected(): string | undefined {
    const configured = this.deps.configuredModel();
    if (configured) return configured;
    const remembered = this.deps.memento.get<string>(SELECTED_MODEL_KEY);
    if (typeof remembered === 'string' && remembered) return remembered;
    return this.list[0]?.name;
  }

  async select(name: string): Promise<void> {
    await this.deps.memento.update(SELECTED_MODEL_KEY, name);
    const configured = this.deps.configuredModel();
    if (configured && configured !== name && this.deps.writeConfiguredModel) await this.deps.writeConfiguredModel(name);
    this.fire();
  }

  /** Asks the server for the first time (no-op afterwards). */
  ensureChecked(): Promise<void> {
    return this.checked ? (this.inFlight ?? Promise.resolve()) : this.refresh();
  }

  /**
   * Re-asks the server: health, then the model list. Never throws. A refresh asked
   * while another runs waits for it and asks once more (shared by every caller
   * meanwhile): the running one may have read the list before the change the
   * caller wants to see (a model pulled or removed, a picker just opened).
   */
  refresh(): Promise<void> {
    this.checked = true;
    if (this.inFlight) {
      this.again ??= this.inFlight.then(() => {
        this.again = undefined;
        return this.refresh();
      });
      return this.again;
    }
    this.inFlight = this.doRefresh().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** The connection settings changed: forget what we knew and, if we had asked before, ask again. */
  reset(): void {
    this.conn = { status: 'unknown', ...this.where() };
    this.fire();
    if (this.checked) void this.refresh();
  }

  /** A turn failed because the server is gone. */
  markUnreachable(error: string): void {
    this.conn = { status: 'unreachable', ...this.where(), error };
    this.fire();
  }

  /** A turn succeeded: the server is there. */
  markReachable(): void {
    if (this.conn.status === 'ok') return;
    this.conn = { status: 'ok', ...this.where() };
    this.fire();
  }

  /** Settings (hearth.model) changed. */
  notifySelectionChanged(): void {
    this.fire();
  }

  /** The server as pages and the status bar show it: its name, and its URL never with user-info (a proxy's credentials). */
  private where(): { url: string; server?: string; startHint?: string } {
    const s = this.deps.server?.();
    return { url: redactUrl(this.deps.baseUrl()), ...(s ? { server: s.name, startHint: s.startHint } : {}) };
  }

  dispose(): void {
    this.disposed = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    this.onDidChange.dispose();
  }

  private async doRefresh(): Promise<void> {
    try {
      await this.deps.prepare?.();
    } catch {
      // A secret-storage failure must not block the check: ask without the key.
    }
    const where = this.where();
    const source = this.deps.source();
    try {
      const h = await source.health();
      if (!h.reachable) {
        this.conn = { status: 'unreachable', ...where, error: h.error ?? 'no answer' };
      } else {
        this.list = await source.listModels();
        this.conn = h.version ? { status: 'ok', ...where, version: h.version } : { status: 'ok', ...where };
      }
    } catch (e) {
      this.conn = { status: 'unreachable', ...where, error: e instanceof Error ? e.message : String(e) };
    }
    this.fire();
  }

  private fire(): void {
    this.schedulePoll();
    this.onDidChange.fire({ models: this.list, selectedModel: this.selected, connection: this.conn });
  }

  /** While unreachable (and asked at least once), ask again after a while; never more than one timer. */
  private schedulePoll(): void {
    const ms = this.deps.pollMs ?? 10_000;
    if (this.conn.status !== 'unreachable' || !this.checked || this.disposed || ms <= 0) {
      if (this.pollTimer) clearTimeout(this.pollTimer);
      this.pollTimer = undefined;
      return;
    }
    if (this.pollTimer) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      if (!this.disposed) void this.refresh();
    }, ms);
    // Node: a retry timer must not keep a process (the gateway, a test) alive.
    (this.pollTimer as { unref?: () => void }).unref?.();
  }
}
