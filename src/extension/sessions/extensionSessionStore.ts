/**
 * The extension's SessionStore: the gateway's FileSessionStore under
 * globalStorageUri (atomic writes, per-session cross-process locks, partial
 * replies in side files, owner records so one window never marks another live
 * window's reply interrupted, `.index.json` so history opens without reading a
 * transcript). This class adds only what a window needs: its workspace's
 * sessions listed first, new sessions recorded with its workspace.
 *
 * No `vscode` import: the Memento is passed in, so tests use an in-memory one.
 */
import path from 'node:path';
import type { ChatMessage, Session, SessionStore, SessionStoreChange, SessionSummary, SessionInit } from '../../shared/session';
import { FileSessionStore, type FileSessionStoreOptions } from '../../gateway/sessions/fileStore';

/** The part of vscode.Memento the store uses. */
export interface MementoLike {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

/**
 * Where earlier versions kept a second summary index in globalState. `.index.json` does the
 * same job faster (VS Code rewrote the whole global state on each of its
 * updates), so it is cleared on first use; it held only copies of what the
 * transcript files say, so nothing is lost.
 */
export const LEGACY_INDEX_KEY = 'hearth.sessionIndex.v1';

export interface ExtensionSessionStoreOptions {
  /** globalState: only to clear the legacy index. */
  memento: MementoLike;
  /** A folder of our own (under globalStorageUri): sessions/, live/ and trash/ go in it. */
  dir: string;
  /** The current window's workspace; its sessions are listed first and new ones belong to it. */
  workspace?: string;
  /** Read at each create, so the setting applies live. */
  maxSessions: () => number;
  now?: () => number;
  /** fsync writes (default true; benches may turn it off). */
  fsync?: boolean;
  /** Told about problems and pruning (never message content). */
  log?: (line: string) => void;
  /** Liveness check for an owner pid on this host (tests replace it). */
  isAlive?: (pid: number) => boolean;
  /** Test seam passed to the file store: how transcripts are read. */
  readText?: FileSessionStoreOptions['readText'];
  /** Test seam passed to the file store: how its files are written. */
  writeText?: FileSessionStoreOptions['writeText'];
}

/** Newest first, with the current workspace's sessions ahead of the rest. */
export function orderSummaries(summaries: Iterable<SessionSummary>, workspace?: string): SessionSummary[] {
  return [...summaries].sort((a, b) => {
    if (workspace !== undefined) {
      const ah = a.workspace === workspace ? 0 : 1;
      const bh = b.workspace === workspace ? 0 : 1;
      if (ah !== bh) return ah - bh;
    }
    return b.updated_at - a.updated_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
}

export class ExtensionSessionStore implements SessionStore {
  private readonly files: FileSessionStore;
  private readonly migration: Promise<void>;

  constructor(private readonly opts: ExtensionSessionStoreOptions) {
    this.files = new FileSessionStore({
      dir: path.join(opts.dir, 'sessions'),
      // Beside sessions/, where 0.1 kept its owner records: a window still running 0.1 sees them.
      liveDir: path.join(opts.dir, 'live'),
      trashDir: path.join(opts.dir, 'trash'),
      maxSessions: opts.maxSessions,
      interruptedBy: 'editor',
      ...(opts.now ? { now: opts.now } : {}),
      fsync: opts.fsync ?? true,
      ...(opts.isAlive ? { isAlive: opts.isAlive } : {}),
      ...(opts.readText ? { readText: opts.readText } : {}),
      ...(opts.writeText ? { writeText: opts.writeText } : {}),
      log: (line) => opts.log?.(line),
      onCorrupt: (_file, reason, movedTo) => opts.log?.(`session file was corrupt (${reason.slice(0, 120)}); moved aside to ${movedTo ?? '(gone)'}`),
      // Other windows write the same folder.
      watch: true,
    });
    this.migration = this.clearLegacyIndex();
  }

  private async clearLegacyIndex(): Promise<void> {
    try {
      if (this.opts.memento.get(LEGACY_INDEX_KEY) !== undefined) await this.opts.memento.update(LEGACY_INDEX_KEY, undefined);
    } catch (e) {
      // Harmless if it stays: nothing reads it any more.
      this.opts.log?.(`could not clear the old session index in globalState: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** The file store's changes (ours, pruning, other windows'). */
  onDidChange(listener: (change: SessionStoreChange) => void): { dispose(): void } {
    return this.files.onDidChange(listener);
  }

  dispose(): void {
    this.files.dispose();
  }

  get workspace(): string | undefined {
    return this.opts.workspace;
  }

  /** Summaries from the file store's index (no transcript read when unchanged), current workspace first. */
  async list(): Promise<SessionSummary[]> {
    return orderSummaries(await this.files.list(), this.opts.workspace);
  }

  get(id: string): Promise<Session | undefined> {
    return this.files.get(id);
  }

  create(init: SessionInit): Promise<Session> {
    const workspace = init.workspace ?? this.opts.workspace;
    // Prunes beyond maxSessions itself (to our trash), off the caller's path.
    return this.files.create({ ...init, ...(workspace ? { workspace } : {}) });
  }

  appendMessage(sessionId: string, message: ChatMessage): Promise<void> {
    return this.files.appendMessage(sessionId, message);
  }

  updateMessage(sessionId: string, messageId: string, patch: Partial<Omit<ChatMessage, 'id' | 'role'>>): Promise<void> {
    return this.files.updateMessage(sessionId, messageId, patch);
  }

  truncateFrom(sessionId: string, messageId: string): Promise<void> {
    return this.files.truncateFrom(sessionId, messageId);
  }

  rename(id: string, title: string): Promise<void> {
    return this.files.rename(id, title);
  }

  setModel(id: string, model: string): Promise<void> {
    return this.files.setModel(id, model);
  }

  delete(id: string): Promise<boolean> {
    return this.files.delete(id);
  }

  /**
   * Marks replies left "streaming" by a process that is gone as "interrupted"
   * (the file store judges owners). A reply whose owner is alive (another window
   * streaming right now) is left alone.
   */
  async recoverInterrupted(): Promise<number> {
    const { replies } = await this.files.recover();
    if (replies) this.opts.log?.(`marked ${replies} unfinished repl${replies === 1 ? 'y' : 'ies'} as interrupted`);
    return replies;
  }

  /** Resolves when background work queued so far (pruning, the legacy index's removal) is done. */
  async settled(): Promise<void> {
    await this.migration;
    await this.files.settled();
  }

  /** Resolves when the transcripts have folded in the messages appended so far (benchmarks, tests). */
  folded(): Promise<void> {
    return this.files.folded();
  }
}
