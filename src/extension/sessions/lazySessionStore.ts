/**
 * The extension's session store, loaded on first use: the store's code (zod
 * schemas, file locking) is not evaluated during activation.
 */
import { Emitter } from '../../shared/emitter';
import type { ChatMessage, Session, SessionStore, SessionStoreChange, SessionSummary, SessionInit } from '../../shared/session';
import type { ExtensionSessionStore } from './extensionSessionStore';

export class LazySessionStore implements SessionStore {
  private loaded: Promise<ExtensionSessionStore> | undefined;
  private readonly changes = new Emitter<SessionStoreChange>();
  private disposed = false;

  constructor(private readonly load: () => Promise<ExtensionSessionStore>) {}

  /** The real store (loading it if needed). */
  store(): Promise<ExtensionSessionStore> {
    this.loaded ??= this.load().then((s) => {
      if (this.disposed) s.dispose();
      else s.onDidChange((c) => this.changes.fire(c));
      return s;
    });
    return this.loaded;
  }

  /** The real store's changes, from when it is loaded (nothing changes before). */
  onDidChange(listener: (change: SessionStoreChange) => void): { dispose(): void } {
    return this.changes.on(listener);
  }

  dispose(): void {
    this.disposed = true;
    this.changes.dispose();
    void this.loaded?.then((s) => s.dispose(), () => {});
  }

  async list(): Promise<SessionSummary[]> {
    return (await this.store()).list();
  }
  async get(id: string): Promise<Session | undefined> {
    return (await this.store()).get(id);
  }
  async create(init: SessionInit): Promise<Session> {
    return (await this.store()).create(init);
  }
  async appendMessage(sessionId: string, message: ChatMessage): Promise<void> {
    return (await this.store()).appendMessage(sessionId, message);
  }
  async updateMessage(sessionId: string, messageId: string, patch: Partial<Omit<ChatMessage, 'id' | 'role'>>): Promise<void> {
    return (await this.store()).updateMessage(sessionId, messageId, patch);
  }
  async truncateFrom(sessionId: string, messageId: string): Promise<void> {
    return (await this.store()).truncateFrom(sessionId, messageId);
  }
  async rename(id: string, title: string): Promise<void> {
    return (await this.store()).rename(id, title);
  }
  async setModel(id: string, model: string): Promise<void> {
    return (await this.store()).setModel(id, model);
  }
  async delete(id: string): Promise<boolean> {
    return (await this.store()).delete(id);
  }
  async recoverInterrupted(): Promise<number> {
    return (await this.store()).recoverInterrupted();
  }
}
