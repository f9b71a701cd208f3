/**
 * The extension's SessionStore: transcripts, owner records of streaming replies
 * and the trash are the gateway's FileSessionStore under globalStorageUri (atomic
 * writes, per-session cross-process locks, partial replies in side files, owner
 * records so one window never marks another live window's reply interrupted).
 * This class adds only a compact index of summaries in globalState, so history
 * opens without reading a file. The files are authoritative; the index is re-read
 * before every update and reconciled from the files when they disagree (two
 * windows share globalState, and their updates can race).
 *
 * No `vscode` import: the Memento is passed in, so tests use an in-memory one.
 */
import path from 'node:path';
import type { ChatMessage, Session, SessionStore, SessionStoreChange, SessionSummary, SessionInit } from '../../shared/session';
import { Emitter } from '../../shared/emitter';
import { isValidSessionId, summarize } from '../../shared/session';
import { FileSessionStore, type FileSessionStoreOptions } from '../../gateway/sessions/fileStore';
import { withLock } from '../../gateway/sessions/atomicFile';
import { isStoreError } from '../../gateway/sessions/errors';
import { decodeIndex, encodeIndex, INDEX_KEY, orderSummaries, reconcilePlan, summaryDiffers } from './sessionIndex';

/** The part of vscode.Memento the store uses. */
export interface MementoLike {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

export interface ExtensionSessionStoreOptions {
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

/** A write that changes nothing in the summary but updated_at (a message edited in place, say) leaves the index alone unless the time drifts further. */
const UPDATED_AT_SLACK_MS = 10_000;

export class ExtensionSessionStore implements SessionStore {
  private pending: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private readonly files: FileSessionStore;
  private readonly indexLock: string;
  // Index writes of this process go one after another (each re-reads globalState first).
  private indexQueue: Promise<unknown> = Promise.resolve();
  private readonly changes = new Emitter<SessionStoreChange>();
  private readonly filesSub: { dispose(): void };

  constructor(private readonly opts: ExtensionSessionStoreOptions) {
    this.indexLock = path.join(opts.dir, 'index.lock');
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
      onPruned: async (ids) => {
        await this.updateIndex((idx) => ids.forEach((id) => idx.delete(id)));
      },
      // Other windows write the same folder.
      watch: true,
    });
    // Passed on once the index agrees, so a page that lists on the event sees the change.
    this.filesSub = this.files.onDidChange((c) =>
      this.background(async () => {
        for (const id of c.ids) await this.afterChange(id);
        this.changes.fire(c);
      }),
    );
  }

  /** The file store's changes (ours, pruning, other windows'), told once the index has them. */
  onDidChange(listener: (change: SessionStoreChange) => void): { dispose(): void } {
    return this.changes.on(listener);
  }

  dispose(): void {
    this.filesSub.dispose();
    this.files.dispose();
    this.changes.dispose();
  }

  get workspace(): string | undefined {
    return this.opts.workspace;
  }

  /** Summaries from globalState (no transcript read), current workspace first. Files present but unindexed are added. */
  async list(): Promise<SessionSummary[]> {
    await this.pending;
    let index = this.readIndex();
    const plan = reconcilePlan(index.keys(), await this.files.ids());
    if (plan.missingFromIndex.length || plan.orphanedEntries.length) {
      const found: SessionSummary[] = [];
      for (const id of plan.missingFromIndex) {
        // Undefined for a file that cannot be read: the file store skips and logs it.
        const s = await this.files.summary(id);
        if (s) found.push(s);
      }
      if (found.length || plan.orphanedEntries.length) {
        index = await this.updateIndex((idx) => {
          for (const id of plan.orphanedEntries) idx.delete(id);
          for (const s of found) idx.set(s.id, s);
        });
      }
    }
    return orderSummaries(index.values(), this.opts.workspace);
  }

  /** Reads the transcript (authoritative) and repairs the index entry if it drifted. */
  async get(id: string): Promise<Session | undefined> {
    if (!isValidSessionId(id)) return undefined;
    const s = await this.files.get(id);
    // An append's own index update may still be queued: it is not drift, and this read must not wait for globalState.
    if (this.inFlight > 0) return s;
    const indexed = this.readIndex().get(id);
    if (s && summaryDiffers(indexed, summarize(s))) await this.setEntry(summarize(s));
    else if (!s && indexed) await this.updateIndex((idx) => void idx.delete(id));
    return s;
  }

  async create(init: SessionInit): Promise<Session> {
    const workspace = init.workspace ?? this.opts.workspace;
    // Prunes beyond maxSessions itself (to our trash), telling onPruned.
    const s = await this.files.create({ ...init, ...(workspace ? { workspace } : {}) });
    // Durable now; the index entry (globalState) follows off the caller's path, as for an append.
    this.background(() => this.setEntry(summarize(s)));
    return s;
  }

  async appendMessage(sessionId: string, message: ChatMessage): Promise<void> {
    // Durable once the file store has it (a question: in its journal). The index (a
    // globalState write, over IPC in VS Code) and then the fold of the journaled
    // question into its transcript follow off the caller's path: a question's first
    // token must not wait for them. list() waits for them, so the history is exact.
    const fold = await this.files.appendHoldingFold(sessionId, message);
    this.background(async () => {
      try {
        await this.afterChange(sessionId);
      } finally {
        fold();
      }
    });
  }

  /** Index work after an append, one at a time, in order; a failure is logged (list() reconciles from the files). */
  private background(work: () => Promise<void>): void {
    this.inFlight++;
    this.pending = this.pending
      .then(work)
      .finally(() => this.inFlight--)
      .catch((e: unknown) => this.opts.log?.(`could not update the session index: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** Resolves when index work (and the file store's pruning) queued so far is done. */
  async settled(): Promise<void> {
    await this.pending;
    await this.files.settled();
  }

  async updateMessage(sessionId: string, messageId: string, patch: Partial<Omit<ChatMessage, 'id' | 'role'>>): Promise<void> {
    await this.files.updateMessage(sessionId, messageId, patch);
    await this.afterChange(sessionId);
  }

  async truncateFrom(sessionId: string, messageId: string): Promise<void> {
    await this.files.truncateFrom(sessionId, messageId);
    await this.afterChange(sessionId);
  }

  async rename(id: string, title: string): Promise<void> {
    await this.files.rename(id, title);
    await this.afterChange(id);
  }

  async setModel(id: string, model: string): Promise<void> {
    await this.files.setModel(id, model);
    await this.afterChange(id);
  }

  async delete(id: string): Promise<boolean> {
    if (!isValidSessionId(id)) return false;
    const existed = await this.files.delete(id);
    const indexed = this.readIndex().has(id);
    if (indexed) await this.updateIndex((idx) => void idx.delete(id));
    return existed || indexed;
  }

  /**
   * Marks replies left "streaming" by a process that is gone as "interrupted"
   * (the file store judges owners). A reply whose owner is alive (another window
   * streaming right now) is left alone.
   */
  async recoverInterrupted(): Promise<number> {
    await this.list(); // adds transcripts other windows (or a crashed process) wrote but never indexed
    const { replies, sessions } = await this.files.recover();
    // Also entries that still say "streaming" though their transcript finished (an index update another window lost).
    const stale = [...this.readIndex().values()].filter((s) => s.status === 'streaming').map((s) => s.id);
    for (const id of new Set([...sessions, ...stale])) await this.afterChange(id);
    if (replies) this.opts.log?.(`marked ${replies} unfinished repl${replies === 1 ? 'y' : 'ies'} as interrupted`);
    return replies;
  }

  /** Full check of the index against every transcript (the index may have lost another window's update). Background work. */
  async reconcileAll(): Promise<number> {
    const index = this.readIndex();
    let fixed = 0;
    for (const id of await this.files.ids()) {
      const s = await this.files.summary(id);
      if (s && summaryDiffers(index.get(id), s)) {
        await this.setEntry(s);
        fixed++;
      }
    }
    await this.list();
    return fixed;
  }

  /** Resolves when the transcripts have folded in the messages appended so far (benchmarks, tests). */
  folded(): Promise<void> {
    return this.files.folded();
  }

  /** Bytes the index takes in globalState (JSON), for the benchmark and the test hook. */
  indexBytes(): number {
    return Buffer.byteLength(JSON.stringify(this.opts.memento.get(INDEX_KEY) ?? null));
  }

  // --- internals ---

  private readIndex(): Map<string, SessionSummary> {
    return decodeIndex(this.opts.memento.get(INDEX_KEY));
  }

  /** Read-modify-write of the index: re-read right before, under a lock other windows take too. */
  private updateIndex(change: (idx: Map<string, SessionSummary>) => void): Promise<Map<string, SessionSummary>> {
    const run = this.indexQueue.then(() =>
      withLock(this.indexLock, async () => {
        const idx = this.readIndex();
        change(idx);
        await this.opts.memento.update(INDEX_KEY, encodeIndex(idx.values()));
        return idx;
      }),
    );
    this.indexQueue = run.catch(() => {});
    return run;
  }

  private async setEntry(summary: SessionSummary): Promise<void> {
    await this.updateIndex((idx) => void idx.set(summary.id, summary));
  }

  /** After a mutation: refresh the index entry when it matters (from the file store's summary, no transcript read). */
  private async afterChange(id: string): Promise<void> {
    const summary = await this.files.summary(id).catch((e) => {
      if (isStoreError(e)) return undefined;
      throw e;
    });
    if (!summary) {
      if (this.readIndex().has(id)) await this.updateIndex((idx) => void idx.delete(id));
      return;
    }
    const indexed = this.readIndex().get(id);
    const onlyTimeMoved =
      indexed !== undefined &&
      !summaryDiffers(indexed, { ...summary, updated_at: indexed.updated_at }) &&
      summary.updated_at - indexed.updated_at < UPDATED_AT_SLACK_MS;
    if (!onlyTimeMoved && summaryDiffers(indexed, summary)) await this.setEntry(summary);
  }
}
