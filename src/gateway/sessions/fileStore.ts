/**
 * SessionStore on plain files. On disk, under `dir`:
 *
 *   <id>.json        one session, replaced atomically (temp + fsync + rename); every
 *                    read-modify-write runs under <id>.json.lock, a cross-process lock,
 *                    so several processes (VS Code windows, a script) can share the folder;
 *   live/<id>.json   a side record, small, written atomically like the session, for what
 *                    must be durable at once but should not cost a rewrite of the session:
 *                    - while a reply streams: its owner (pid, host, store token) and its
 *                      latest partial text (the 500 ms partial saves);
 *                    - a message just appended (a question: the first token waits for it),
 *                      the journal: appendMessage resolves once it is here, and the full
 *                      write that folds it into <id>.json follows off the caller's path,
 *                      under the same lock (the next write of the session, or a fold
 *                      queued right after). So the durable write costs the message, not
 *                      the session.
 *                    Both apply only to the exact file identity (`base`) they were written
 *                    against: every full write changes it, so what was folded is never
 *                    applied again, and a write that has not folded it yet (a crash) still
 *                    finds it: every read merges it, any writer (any process) folds it
 *                    under the lock, start-up recovery does. Readers read the side record
 *                    before <id>.json, so a fold between the two reads is never missed;
 *   .index.json      summaries keyed by each file's identity (inode + mtime + size): a
 *                    cache that spares reading every transcript at start-up, never
 *                    trusted for a file whose identity changed;
 *   trash/<id>.json  sessions pruned beyond maxSessions, kept 30 days, 200 sessions and
 *                    100 MiB at most (trash.ts: it removes only what it put there).
 *
 * In memory: one summary per session (validated by file identity on every list) and
 * a small LRU cache, bounded in bytes, of the transcripts being changed (listing and
 * reading cache nothing, so browsing history does not fill memory). A file that cannot be
 * read (a folder named <id>.json, EACCES, EIO) is skipped and logged once; a corrupt
 * one is moved aside. Neither stops the others from being listed.
 *
 * This class orchestrates: it decides when a file is read, written, folded,
 * recovered or pruned. Each job below it is its own module with a small API:
 * transcriptFiles.ts (`<id>.json` I/O and file identity), liveRecords.ts (the side
 * records on disk; their rules in sideRecord.ts), sessionLocks.ts (the per-session
 * lock), summaryIndex.ts (the summaries and `.index.json`), transcriptCache.ts
 * (the LRU), recovery.ts (judging owners, crash leftovers), trash.ts (pruned sessions).
 */
import path from 'node:path';
import {
  cleanTitle,
  interruptedPatch,
  isStreaming,
  isValidSessionId,
  pruneCandidates,
  type ChatMessage,
  type InterruptedBy,
  type Session,
  type SessionStore,
  type SessionInit,
  type SessionSummary,
  type SessionStoreChange,
  chatMessageSchema,
} from '../../shared/session';
import { Emitter } from '../../shared/emitter';
import { newId } from '../ids';
import { CorruptFileError, writeFileAtomic, type LockOptions, type ReadText } from './atomicFile';
import { StoreError } from './errors';
import { appendedTo, merge, partialFields, summaryWith, type Appended, type LiveRecord, type Loaded, type PartialReply } from './sideRecord';
import { ExternalChanges } from './externalChanges';
import { INDEX_FILE } from './layout';
import { Trash, TrashFolderError } from './trash';
import { MAX_RECORD_FILE_BYTES, readRegularFile } from './regularFile';
import { SummaryIndex, type SummaryEntry } from './summaryIndex';
import { TranscriptCache } from './transcriptCache';
import { describe, errno, TranscriptFiles, type WriteText } from './transcriptFiles';
import { LiveRecords } from './liveRecords';
import { SessionLocks } from './sessionLocks';
import { Owner, removeLeftovers } from './recovery';

export type { WriteText } from './transcriptFiles';

export interface FileSessionStoreOptions {
  dir: string;
  /** Keep at most this many sessions (read at each create, so a setting applies live); the least recently updated go to the trash. */
  maxSessions?: number | (() => number);
  now?: () => number;
  lock?: LockOptions;
  /** fsync every durable write (default true). */
  fsync?: boolean;
  /** Told about files moved aside because they were corrupt. */
  onCorrupt?: (file: string, reason: string, movedTo: string | undefined) => void;
  /** Told about files skipped, sessions pruned, trash emptied (never message content). */
  log?: (line: string) => void;
  /** Told which sessions pruning moved to the trash. */
  onPruned?: (ids: string[]) => void | Promise<void>;
  newId?: () => string;
  /** Who a recovered reply says stopped it (default 'gateway'). */
  interruptedBy?: InterruptedBy;
  /** Owner records and partial replies (default <dir>/live). */
  liveDir?: string;
  /** Where pruned sessions go (default <dir>/trash). */
  trashDir?: string;
  /** How long the trash keeps a session (default 30 days); applied at start-up (recoverInterrupted) and whenever a session is trashed. */
  trashKeepMs?: number;
  /** At most this many sessions in the trash (default 200), the ones trashed longest ago removed first. */
  trashMaxSessions?: number;
  /** At most this many bytes in the trash (default 100 MiB). */
  trashMaxBytes?: number;
  /** Bytes of transcripts being changed kept in memory (default 16 MiB; the most recently used one always). */
  cacheBytes?: number;
  /** Whether an owner pid on this host is alive (tests replace it). */
  isAlive?: (pid: number) => boolean;
  /** Test seam: how session files are read (to inject EACCES and other I/O faults). */
  readText?: ReadText;
  /** Test seam: how every file of the store is written (to count bytes, hold a write). */
  writeText?: WriteText;
  /**
   * Watch the folder for sessions other processes write, delete or rename (VS Code
   * windows share one), and tell onDidChange. Off for a folder this process owns.
   */
  watch?: boolean;
}

const DEFAULT_CACHE_BYTES = 16 * 1024 * 1024;
/** Transcripts read at once when summaries must be rebuilt: bounds memory, not just time. */
const READ_CONCURRENCY = 4;
/**
 * Appended messages a side record holds at most; beyond, appendMessage writes the
 * session whole. Folds run right after an append, so this is only reached when
 * they keep failing (a full disk): the record then stays small.
 */
const MAX_APPENDED = 16;

/** What became of a session pruning chose: trashed, gone already, or found in use under its lock (kept). */
type TrashOutcome = 'moved' | 'gone' | 'in use';

async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export class FileSessionStore implements SessionStore {
  /** Pruning after creates, one after another (it never throws: failures are logged). */
  private pruning: Promise<void> = Promise.resolve();
  /**
   * Sessions this store created whose prune has not run yet. Pruning runs behind the
   * creates and can fall behind them; a late prune keeps all of these, not only the one
   * it follows: each was just returned to its caller (its first question on the way).
   */
  private readonly unpruned = new Set<string>();
  private readonly dir: string;
  /** The transcripts, `<id>.json`. */
  private readonly files: TranscriptFiles;
  /** The side records, `live/<id>.json`. */
  private readonly live: LiveRecords;
  private readonly locks: SessionLocks;
  /** This instance as the owner of the replies it streams, and the judge of other owners at recovery. */
  private readonly owner: Owner;
  private readonly trash: Trash;
  private readonly now: () => number;
  private readonly fsync: boolean;
  /** Summary of every session file, by id (and .index.json). */
  private readonly entries: SummaryIndex;
  private readonly cache: TranscriptCache;
  /** File identity of each skipped file already logged, so a bad file is reported once, not on every list. */
  private readonly reported = new Map<string, string>();
  /** Folds queued after an append and not started yet, by session: one folds everything appended before it runs. */
  private readonly foldsQueued = new Set<string>();
  /** Every fold not finished yet (see folded()). */
  private readonly folds = new Set<Promise<void>>();
  private readonly changes = new Emitter<SessionStoreChange>();
  private watcher: ExternalChanges | undefined;
  private watching: Promise<void> | undefined;
  private disposed = false;

  constructor(private readonly opts: FileSessionStoreOptions) {
    this.dir = path.resolve(opts.dir);
    this.now = opts.now ?? Date.now;
    this.fsync = opts.fsync ?? true;
    const writeText = opts.writeText ?? writeFileAtomic;
    this.files = new TranscriptFiles(this.dir, { fsync: this.fsync, writeText, ...(opts.readText ? { readText: opts.readText } : {}) });
    this.live = new LiveRecords(path.resolve(opts.liveDir ?? path.join(this.dir, 'live')), writeText);
    this.locks = new SessionLocks(this.dir, opts.lock);
    this.owner = new Owner(opts.isAlive);
    this.trash = new Trash({
      dir: opts.trashDir ?? path.join(this.dir, 'trash'),
      ...(opts.trashKeepMs !== undefined ? { keepMs: opts.trashKeepMs } : {}),
      ...(opts.trashMaxSessions !== undefined ? { maxSessions: opts.trashMaxSessions } : {}),
      ...(opts.trashMaxBytes !== undefined ? { maxBytes: opts.trashMaxBytes } : {}),
      fsync: this.fsync,
      log: (line) => this.log(line),
    });
    const indexFile = path.join(this.dir, INDEX_FILE);
    this.entries = new SummaryIndex({
      read: () => readRegularFile(indexFile, MAX_RECORD_FILE_BYTES),
      // No fsync: a lost or stale index only costs a re-read at the next start.
      write: (text) => writeText(indexFile, text, { fsync: false }),
    });
    this.cache = new TranscriptCache(opts.cacheBytes ?? DEFAULT_CACHE_BYTES);
  }

  /**
   * Sessions renamed or deleted through this store, pruned, recovered, or (with
   * `watch`) added, changed or deleted by another process. Not creates and a
   * turn's own writes: the turn tells the pages when it is over.
   */
  onDidChange(listener: (change: SessionStoreChange) => void): { dispose(): void } {
    if (this.opts.watch && !this.watching) {
      // What is known of the folder before watching starts (the summary cache) is what changes are judged against.
      this.watching = this.files.ensureDir().then(() => (this.disposed ? undefined : this.entries.load())).then(
        () => {
          if (!this.disposed) this.watcher = new ExternalChanges(this.dir, (ids) => this.checkExternal(ids), (line) => this.log(line));
        },
        (e: unknown) => this.log(`cannot watch ${this.dir} for other windows' changes: ${describe(e)}`),
      );
    }
    return this.changes.on(listener);
  }

  /** Stops watching the folder and drops the listeners. */
  dispose(): void {
    this.disposed = true;
    this.watcher?.dispose();
    this.watcher = undefined;
    this.changes.dispose();
  }

  private tell(type: SessionStoreChange['type'], ids: string[]): void {
    if (ids.length) this.changes.fire({ type, ids });
  }

  /** Session files another process touched: compared with what this store last saw of them (its own writes match and tell nothing). */
  private async checkExternal(ids: string[]): Promise<void> {
    await this.entries.load();
    const added: string[] = [];
    const changed: string[] = [];
    const deleted: string[] = [];
    for (const id of ids) {
      // Under the session's lock: a write of ours half done (file replaced, identity not yet remembered) would look foreign.
      const kind = await this.locks.run(id, async () => {
        const known = this.entries.get(id);
        const st = await this.statFile(id);
        if (!st) return known ? deleted : undefined;
        if (known?.key === st.key) return undefined;
        if (!(await this.loadBase(id, false))) return undefined;
        return known ? changed : added;
      });
      kind?.push(id);
    }
    await this.entries.saveIfChanged();
    this.tell('deleted', deleted);
    this.tell('added', added);
    this.tell('changed', changed);
  }

  /** The folder holding the session files. */
  get directory(): string {
    return this.dir;
  }

  /** Where pruned sessions go. */
  get trashDirectory(): string {
    return this.trash.dir;
  }

  async list(): Promise<SessionSummary[]> {
    await this.pruning;
    return (await this.summaries()).sort((a, b) => b.updated_at - a.updated_at || (a.id < b.id ? -1 : 1));
  }

  /** Ids of the session files present (whether readable or not). */
  async ids(): Promise<string[]> {
    await this.pruning;
    return this.files.ids();
  }

  /** One session's summary without reading its transcript when it is unchanged; undefined when missing or unreadable. */
  async summary(id: string): Promise<SessionSummary | undefined> {
    if (!isValidSessionId(id)) return undefined;
    await this.files.ensureDir();
    const rec = await this.live.read(id); // before the file: see the header
    const e = await this.entryFor(id, false);
    return e && summaryWith(e.summary, appendedTo(e.key, rec));
  }

  async get(id: string): Promise<Session | undefined> {
    if (!isValidSessionId(id)) return undefined;
    await this.files.ensureDir();
    // Reading a session does not cache it (browsing history must not fill memory); only
    // sessions being changed are. A transcript read just for us needs no defensive copy.
    const rec = await this.live.read(id); // before the file: see the header
    const base = await this.loadBase(id, false);
    if (!base) return undefined;
    const merged = merge(base, rec);
    return this.cache.get(id) === base ? structuredClone(merged.session) : merged.session;
  }

  async create(init: SessionInit): Promise<Session> {
    const id = init.id ?? (this.opts.newId ?? newId)();
    if (!isValidSessionId(id)) throw new StoreError('invalid_id', `invalid session id`);
    await this.files.ensureDir();
    const t = this.now();
    const session: Session = {
      id,
      title: cleanTitle(init.title ?? ''),
      ...(init.model ? { model: init.model } : {}),
      ...(init.workspace ? { workspace: init.workspace } : {}),
      created_at: t,
      updated_at: t,
      messages: structuredClone(init.messages ?? []),
    };
    // Kept from pruning from before its file exists: a prune running now may see the file
    // before this create returns (the lock's release is still to come).
    const mine = !this.unpruned.has(id);
    this.unpruned.add(id);
    try {
      await this.locks.run(id, async () => {
        if (await this.files.exists(id)) throw new StoreError('session_exists', `session ${id} already exists`);
        await this.write(session);
      });
    } catch (e) {
      if (mine) this.unpruned.delete(id);
      throw e;
    }
    // Off the caller's path (a new chat's first question waits for this create, and a
    // prune stats every session): listing waits for it, so the history is exact.
    // Not told: whoever creates a session lists the history when its turn has used it.
    this.pruning = this.pruning.then(() => this.pruneAfterCreate(id));
    return structuredClone(session);
  }

  /** Resolves when the pruning that creates started so far is done. */
  settled(): Promise<void> {
    return this.pruning;
  }

  async appendMessage(sessionId: string, message: ChatMessage): Promise<void> {
    // A streaming reply claims the session (owner record): that stays the full write's job.
    if (message.status !== 'streaming' && isValidSessionId(sessionId)) {
      await this.files.ensureDir();
      if (await this.journal(sessionId, message)) {
        this.queueFold(sessionId);
        return;
      }
    }
    await this.mutate(
      sessionId,
      (s) => {
        if (s.messages.some((m) => m.id === message.id)) {
          throw new StoreError('duplicate_message', `message ${message.id} already exists in session ${sessionId}`);
        }
        s.messages.push(structuredClone(message));
      },
      message.status === 'streaming',
    );
  }

  async updateMessage(sessionId: string, messageId: string, patch: Partial<Omit<ChatMessage, 'id' | 'role'>>): Promise<void> {
    const fields = partialFields(patch);
    if (fields && isValidSessionId(sessionId)) {
      await this.files.ensureDir();
      if (await this.savePartial(sessionId, messageId, fields)) return;
    }
    await this.mutate(
      sessionId,
      (s) => {
        const m = s.messages.find((x) => x.id === messageId);
        if (!m) throw new StoreError('message_not_found', `message ${messageId} not found in session ${sessionId}`);
        Object.assign(m, structuredClone(patch));
      },
      patch.status === 'streaming',
    );
  }

  async truncateFrom(sessionId: string, messageId: string): Promise<void> {
    await this.mutate(sessionId, (s) => {
      const i = s.messages.findIndex((x) => x.id === messageId);
      if (i < 0) throw new StoreError('message_not_found', `message ${messageId} not found in session ${sessionId}`);
      s.messages.splice(i);
    });
  }

  async rename(id: string, title: string): Promise<void> {
    await this.mutate(id, (s) => {
      s.title = cleanTitle(title);
    });
    this.tell('renamed', [id]);
  }

  async setModel(id: string, model: string): Promise<void> {
    await this.mutate(id, (s) => {
      s.model = model;
    });
  }

  async delete(id: string): Promise<boolean> {
    if (!isValidSessionId(id)) return false;
    await this.files.ensureDir();
    const existed = await this.locks.run(id, async () => {
      this.forget(id);
      await this.live.remove(id);
      return this.files.remove(id);
    });
    if (existed) this.tell('deleted', [id]);
    return existed;
  }

  async recoverInterrupted(): Promise<number> {
    return (await this.recover()).replies;
  }

  /**
   * Start-up housekeeping: removes crash leftovers and trash older than its keep
   * time, folds messages a crash left in the journal, and marks replies whose
   * owner is gone "interrupted" (their partial text kept). A reply whose owner is
   * alive (another window streaming now) is left alone. `sessions`: those whose
   * transcript changed.
   */
  async recover(): Promise<{ replies: number; sessions: string[] }> {
    await this.files.ensureDir();
    await removeLeftovers([this.dir, this.live.dir]);
    await this.trash.enforce();
    const candidates = new Set<string>();
    for (const e of await this.scan()) if (e.streaming.length) candidates.add(e.summary.id);
    // Owner records also point at sessions whose streaming reply this process has not read yet.
    for (const id of await this.live.ids()) candidates.add(id);
    let replies = 0;
    const sessions: string[] = [];
    for (const id of candidates) {
      try {
        const r = await this.recoverOne(id);
        replies += r.replies;
        if (r.replies > 0 || r.folded) sessions.push(id);
      } catch (e) {
        this.log(`could not recover session ${id}: ${describe(e)}`);
      }
    }
    this.tell('changed', sessions);
    return { replies, sessions };
  }

  // --- internals ---

  private log(line: string): void {
    this.opts.log?.(line);
  }

  /** A session file's identity and size; undefined (and forgotten) when it is gone, is not a file or cannot be stat'ed. */
  private async statFile(id: string): Promise<{ key: string; size: number } | undefined> {
    const st = await this.files.stat(id);
    switch (st.kind) {
      case 'file':
        return st;
      case 'gone':
        this.forget(id);
        return undefined;
      case 'unusable':
        this.skip(id, st.key, st.reason);
        return undefined;
      default: {
        const never: never = st;
        throw new Error(`unhandled file stat ${String(never)}`);
      }
    }
  }

  /** A file that cannot be read is left where it is, out of every listing, and reported once per version of it. */
  private skip(id: string, key: string, reason: string): void {
    this.forget(id);
    if (this.reported.get(id) === key) return;
    this.reported.set(id, key);
    this.log(`skipped session file ${this.files.fileOf(id)}: ${reason}`);
  }

  private forget(id: string): void {
    this.entries.delete(id);
    this.cache.drop(id);
  }

  private remember(id: string, loaded: Loaded, cache: boolean): void {
    this.entries.remember(id, loaded.key, loaded.session);
    this.reported.delete(id);
    if (cache) this.cache.put(id, loaded);
    else if (this.cache.get(id)?.key !== loaded.key) this.cache.drop(id);
  }

  /** The session as stored in <id>.json (cached while the file is unchanged); corrupt files are quarantined, unreadable ones skipped. */
  private async loadBase(id: string, cache: boolean): Promise<Loaded | undefined> {
    const file = this.files.fileOf(id);
    for (let attempt = 0; ; attempt++) {
      const st = await this.statFile(id);
      if (!st) return undefined;
      const hit = this.cache.get(id);
      if (hit && hit.key === st.key) {
        this.remember(id, hit, true); // also moves it to the recent end
        return hit;
      }
      let session: Session | undefined;
      try {
        session = await this.files.read(id);
      } catch (e) {
        if (e instanceof CorruptFileError) {
          const movedTo = await this.files.quarantine(id).catch(() => undefined);
          this.opts.onCorrupt?.(file, e.reason, movedTo);
          this.forget(id);
        } else {
          this.skip(id, st.key, `${errno(e) ?? 'error'}: ${describe(e)}`);
        }
        return undefined;
      }
      if (!session) {
        // Deleted between stat and read.
        this.forget(id);
        return undefined;
      }
      // Only remember what we know matches the identity we took; a concurrent replace retries.
      if ((await this.files.key(id)) === st.key || attempt >= 3) {
        const loaded = { key: st.key, session, bytes: st.size };
        this.remember(id, loaded, cache);
        return loaded;
      }
    }
  }

  /** The session with what its side record adds (a partial reply, appended messages); cached, for a write. */
  private async loadMerged(id: string): Promise<Loaded | undefined> {
    const rec = await this.live.read(id);
    const base = await this.loadBase(id, true);
    return base && merge(base, rec);
  }

  /** The summary entry of an existing session, read from its file only when the file changed. */
  private async entryFor(id: string, cache: boolean): Promise<SummaryEntry | undefined> {
    await this.entries.load();
    const st = await this.statFile(id);
    if (!st) return undefined;
    const known = this.entries.get(id);
    if (known && known.key === st.key) return known;
    return (await this.loadBase(id, cache)) ? this.entries.get(id) : undefined;
  }

  /** Every session's summary: identities checked (one stat each), only changed files read, a few at a time. */
  private async scan(): Promise<SummaryEntry[]> {
    await this.files.ensureDir();
    await this.entries.load();
    // The sessions known now too, not only the folder's names: a session created while the folder was
    // read is missing from them, and forgetting it would drop it from a later listing that overlaps
    // this one. Only a stat says a file is gone (statFile forgets it then).
    const ids = [...new Set([...(await this.files.ids()), ...this.entries.ids()])];
    const changed: string[] = [];
    await Promise.all(
      ids.map(async (id) => {
        const st = await this.statFile(id);
        if (st && this.entries.get(id)?.key !== st.key) changed.push(id);
      }),
    );
    await eachLimited(changed, READ_CONCURRENCY, (id) => this.loadBase(id, false));
    await this.entries.saveIfChanged();
    return this.entries.values();
  }

  /** Every session's summary as readers see it: with the messages appended in side records (read first: see the header). */
  private async summaries(): Promise<SessionSummary[]> {
    const records = new Map<string, LiveRecord>();
    for (const id of await this.live.ids()) {
      const rec = await this.live.read(id);
      if (rec?.appended) records.set(id, rec);
    }
    return (await this.scan()).map((e) => summaryWith(e.summary, appendedTo(e.key, records.get(e.summary.id))));
  }

  private async write(session: Session): Promise<void> {
    const written = await this.files.write(session);
    if (written) this.remember(written.session.id, written, true);
  }

  /** Read-modify-write under the session's lock: the only way a session file changes. */
  private async mutate(id: string, change: (s: Session) => void, claim = false): Promise<void> {
    if (!isValidSessionId(id)) throw new StoreError('session_not_found', 'session not found');
    await this.files.ensureDir();
    await this.locks.run(id, () => this.mutateLocked(id, change, claim));
  }

  private async mutateLocked(id: string, change: (s: Session) => void, claim: boolean): Promise<Session> {
    const cur = await this.loadMerged(id);
    if (!cur) throw new StoreError('session_not_found', `session ${id} not found`);
    const next = structuredClone(cur.session);
    change(next);
    next.updated_at = Math.max(this.now(), cur.session.updated_at);
    await this.writeWhole(next, claim);
    return next;
  }

  /** Writes the session whole (folding in its side record, which no longer matches it) and settles the side record. */
  private async writeWhole(next: Session, claim: boolean): Promise<void> {
    // The file first: a crash before the owner record is written leaves a reply with no owner, which recovery marks interrupted.
    await this.write(next);
    if (!isStreaming(next)) await this.live.remove(next.id);
    else if (claim) await this.live.write(next.id, this.owner.record(), false);
  }

  /**
   * Appends a message through the journal: the message goes durably into the
   * side record (its cost is the message's); the caller queues its fold. False when the
   * full write must do it: a reply streams (the side record is its owner's), or
   * folds have fallen behind.
   */
  private journal(id: string, message: ChatMessage): Promise<boolean> {
    return this.locks.run(id, async () => {
      const rec = await this.live.read(id);
      const base = await this.loadBase(id, true);
      if (!base) throw new StoreError('session_not_found', `session ${id} not found`);
      const cur = merge(base, rec);
      if (isStreaming(cur.session)) return false;
      if (cur.session.messages.some((m) => m.id === message.id)) {
        throw new StoreError('duplicate_message', `message ${message.id} already exists in session ${id}`);
      }
      const before = appendedTo(base.key, rec)?.messages ?? [];
      if (before.length >= MAX_APPENDED) return false;
      // Never write what we could not read back.
      const valid = chatMessageSchema.parse(message); // a copy
      const appended: Appended = { base: base.key, updated_at: Math.max(this.now(), cur.session.updated_at), messages: [...before, valid] };
      await this.live.write(id, { ...this.owner.record(), appended }, this.fsync);
      return true;
    });
  }

  /**
   * Queues the fold of an append for the next turn of the event loop: a write the
   * caller makes right away (the chat service's reply placeholder) is queued
   * first and folds the message itself. One fold folds everything appended before it runs.
   */
  private queueFold(id: string): void {
    if (this.foldsQueued.has(id)) return;
    this.foldsQueued.add(id);
    const done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(async () => {
        // From here an append queues its own fold: this one may not see it.
        this.foldsQueued.delete(id);
        // Most often the caller's next write has folded it already: then not even the lock is taken.
        if (!(await this.live.read(id))?.appended) return;
        await this.locks.run(id, () => this.foldLocked(id));
      })
      .catch((e: unknown) => {
        // Still durable in the side record: every read merges it, the next write folds it.
        this.log(`could not fold the messages appended to session ${id} (kept in ${this.live.fileOf(id)}): ${describe(e)}`);
      });
    this.folds.add(done);
    void done.then(() => this.folds.delete(done));
  }

  /** Under the session's lock: writes <id>.json with the messages its side record appends to it, if any. True when it wrote. */
  private async foldLocked(id: string): Promise<boolean> {
    const rec = await this.live.read(id);
    if (!rec?.appended) return false;
    const base = await this.loadBase(id, true);
    if (!base) return false; // the session is gone; delete removes its side record
    if (!appendedTo(base.key, rec)) {
      // Left over by a fold that wrote the file but could not remove the record: it no longer applies.
      if (!isStreaming(base.session)) await this.live.remove(id);
      return false;
    }
    await this.writeWhole(merge(base, rec).session, false);
    return true;
  }

  /** Resolves when the folds queued by appends so far have run (tests, benchmarks, a clean shutdown). */
  async folded(): Promise<void> {
    while (this.folds.size) await Promise.all([...this.folds]);
  }

  /**
   * A partial save of a streaming reply: only live/<id>.json is written, so the
   * cost is the reply's, not the session's. False when the full path must run
   * (the message is not streaming, or another reply's partial is pending).
   */
  private savePartial(id: string, messageId: string, fields: Pick<PartialReply, 'content' | 'thinking'>): Promise<boolean> {
    return this.locks.run(id, async () => {
      const entry = await this.entryFor(id, true);
      if (!entry || !entry.streaming.includes(messageId)) return false;
      const prev = (await this.live.read(id))?.partial;
      const pending = prev !== undefined && prev.base === entry.key;
      if (pending && prev.message_id !== messageId) return false;
      const partial: PartialReply = { ...(pending ? prev : {}), ...fields, message_id: messageId, base: entry.key };
      await this.live.write(id, { ...this.owner.record(), partial }, this.fsync);
      return true;
    });
  }

  /** Folds messages appended before a crash (whoever appended them), then marks a dead owner's reply interrupted. */
  private recoverOne(id: string): Promise<{ folded: boolean; replies: number }> {
    return this.locks.run(id, async () => {
      const folded = await this.foldLocked(id);
      const owner = await this.live.read(id);
      if (owner && this.owner.alive(owner)) return { folded, replies: 0 };
      const cur = await this.loadBase(id, true); // cached: the write below reads it again
      if (!cur || !isStreaming(cur.session)) {
        await this.live.remove(id);
        return { folded, replies: 0 };
      }
      let n = 0;
      await this.mutateLocked(
        id,
        (s) => {
          for (const m of s.messages) {
            if (m.status !== 'streaming') continue;
            Object.assign(m, interruptedPatch(this.opts.interruptedBy ?? 'gateway'));
            n++;
          }
        },
        false,
      );
      return { folded, replies: n };
    });
  }

  private async pruneAfterCreate(created: string): Promise<void> {
    try {
      await this.prune();
    } finally {
      this.unpruned.delete(created);
    }
  }

  /** Moves the least recently updated sessions beyond maxSessions to the trash; a failure is logged, never thrown at the create. */
  private async prune(): Promise<void> {
    const m = this.opts.maxSessions;
    const max = typeof m === 'function' ? m() : m;
    if (max === undefined) return;
    try {
      if ((await this.scan()).length <= max) return;
      // Side records are read only when some session must go (their appended messages move updated_at).
      const summaries = await this.summaries();
      const protectedIds = new Set([...this.unpruned, ...this.entries.values().filter((e) => e.streaming.length).map((e) => e.summary.id)]);
      let due = summaries.length - max;
      const moved: string[] = [];
      // Chosen from what was read before each session's lock: one found in use under it is passed over for the next.
      for (const s of pruneCandidates(summaries, protectedIds)) {
        if (due <= 0) break;
        let outcome: TrashOutcome;
        try {
          outcome = await this.moveToTrash(s.id, s.updated_at);
        } catch (e) {
          if (e instanceof TrashFolderError) break; // logged by the trash; every session stays
          this.log(`could not prune session ${s.id}: ${describe(e)}`);
          due--; // each slot is tried once: a folder that fails every move is not tried session by session
          continue;
        }
        switch (outcome) {
          case 'moved':
            moved.push(s.id);
            due--;
            break;
          case 'gone':
            due--;
            break;
          case 'in use':
            break;
          default: {
            const never: never = outcome;
            throw new Error(`unhandled prune outcome ${String(never)}`);
          }
        }
      }
      if (!moved.length) return;
      const days = Math.round(this.trash.keepMs / 86_400_000);
      this.log(
        `pruned ${moved.length} session${moved.length === 1 ? '' : 's'} beyond the limit of ${max} (least recently updated first); ` +
          `moved to ${this.trash.dir}, kept ${days} days: ${moved.join(' ')}`,
      );
      await this.trash.enforce();
      await this.opts.onPruned?.(moved);
      this.tell('deleted', moved);
    } catch (e) {
      this.log(`pruning failed (the new session is kept): ${describe(e)}`);
    }
  }

  /**
   * Moves a session pruning chose to the trash, unless under its lock it is no longer
   * what was chosen: a reply streams in it, or it was written since (updated_at past
   * `chosenAt`: a question, a reply started by this process or another window). Trashing
   * it then would take the reply being written.
   */
  private moveToTrash(id: string, chosenAt: number): Promise<TrashOutcome> {
    return this.locks.run(id, async (): Promise<TrashOutcome> => {
      const cur = await this.loadMerged(id);
      if (!cur) return 'gone';
      if (isStreaming(cur.session) || cur.session.updated_at > chosenAt) return 'in use';
      // The trash keeps the session whole, with what its journal holds.
      await this.foldLocked(id);
      const moved = await this.trash.put(this.files.fileOf(id), id);
      this.forget(id);
      if (!moved) return 'gone';
      await this.live.remove(id);
      return 'moved';
    });
  }
}
