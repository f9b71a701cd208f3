/**
 * The extension's SessionStore: transcripts are files under globalStorageUri
 * (the gateway's FileSessionStore: atomic writes, per-session cross-process
 * locks), and a compact index of summaries lives in globalState so history opens
 * without reading a file. The files are authoritative; the index is re-read
 * before every update and reconciled from the files when they disagree (two
 * windows share globalState, and their updates can race).
 *
 * Replies still "streaming" carry an owner record (pid + host) in a side folder,
 * so recoverInterrupted() in one window never marks another live window's turn.
 * No `vscode` import: the Memento is passed in, so tests use an in-memory one.
 */
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { ChatMessage, Session, SessionStore, SessionSummary } from '../../shared/session';
import { isValidSessionId, summarize, titleFrom } from '../../shared/session';
import { FileSessionStore } from '../../gateway/sessions/fileStore';
import { withLock } from '../../gateway/sessions/atomicFile';
import { isStoreError } from '../../gateway/sessions/errors';
import { decodeIndex, encodeIndex, INDEX_KEY, orderSummaries, reconcilePlan, summaryDiffers } from './sessionIndex';
import { sessionsToPrune } from '../../shared/session';

/** The part of vscode.Memento the store uses. */
export interface MementoLike {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

export interface ExtensionSessionStoreOptions {
  memento: MementoLike;
  /** A folder of our own (under globalStorageUri). */
  dir: string;
  /** The current window's workspace; its sessions are listed first and new ones belong to it. */
  workspace?: string;
  /** Read at each create, so the setting applies live. */
  maxSessions: () => number;
  now?: () => number;
  /** fsync writes (default true; benches may turn it off). */
  fsync?: boolean;
  /** Told about problems (never message content). */
  log?: (line: string) => void;
  /** Liveness check for an owner pid on this host (tests replace it). */
  isAlive?: (pid: number) => boolean;
}

interface OwnerRecord {
  pid: number;
  host: string;
}

const DEFAULT_TITLE = 'New chat';
const INTERRUPTED_MESSAGE = 'VS Code closed or the extension host stopped before this reply finished.';
const FILE_RE = /^([a-z0-9][a-z0-9-]{7,63})\.json$/;
/** Partial flushes move updated_at every second or so; the index only follows when something else changes or it drifts further. */
const UPDATED_AT_SLACK_MS = 10_000;

function defaultIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class ExtensionSessionStore implements SessionStore {
  private readonly files: FileSessionStore;
  private readonly transcripts: string;
  private readonly owners: string;
  private readonly indexLock: string;
  private readonly now: () => number;
  private readonly host = hostname();
  private dirsReady: Promise<void> | undefined;
  // Index writes of this process go one after another (each re-reads globalState first).
  private indexQueue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: ExtensionSessionStoreOptions) {
    this.transcripts = path.join(opts.dir, 'sessions');
    this.owners = path.join(opts.dir, 'live');
    this.indexLock = path.join(opts.dir, 'index.lock');
    this.now = opts.now ?? Date.now;
    this.files = new FileSessionStore({
      dir: this.transcripts,
      now: this.now,
      fsync: opts.fsync ?? true,
      onCorrupt: (_file, reason, movedTo) => opts.log?.(`session file was corrupt (${reason.slice(0, 120)}); moved aside to ${movedTo ?? '(gone)'}`),
    });
  }

  get workspace(): string | undefined {
    return this.opts.workspace;
  }

  /** Summaries from globalState (no transcript read), current workspace first. Files present but unindexed are added. */
  async list(): Promise<SessionSummary[]> {
    await this.ensureDirs();
    let index = this.readIndex();
    const fileIds = await this.fileIds();
    const plan = reconcilePlan(index.keys(), fileIds);
    if (plan.missingFromIndex.length || plan.orphanedEntries.length) {
      const found: SessionSummary[] = [];
      for (const id of plan.missingFromIndex) {
        const s = await this.files.get(id);
        if (s) found.push(summarize(s));
      }
      index = await this.updateIndex((idx) => {
        for (const id of plan.orphanedEntries) idx.delete(id);
        for (const s of found) idx.set(s.id, s);
      });
    }
    return orderSummaries(index.values(), this.opts.workspace);
  }

  /** Reads the transcript (authoritative) and repairs the index entry if it drifted. */
  async get(id: string): Promise<Session | undefined> {
    if (!isValidSessionId(id)) return undefined;
    await this.ensureDirs();
    const s = await this.files.get(id);
    const indexed = this.readIndex().get(id);
    if (s && summaryDiffers(indexed, summarize(s))) await this.syncIndex(s);
    else if (!s && indexed) await this.updateIndex((idx) => void idx.delete(id));
    return s;
  }

  async create(init: { title?: string; model?: string; workspace?: string; id?: string }): Promise<Session> {
    await this.ensureDirs();
    const workspace = init.workspace ?? this.opts.workspace;
    const s = await this.files.create({ ...init, ...(workspace ? { workspace } : {}) });
    await this.syncIndex(s);
    await this.prune(s.id);
    return s;
  }

  async appendMessage(sessionId: string, message: ChatMessage): Promise<void> {
    await this.ensureDirs();
    if (message.status === 'streaming') await this.claim(sessionId);
    await this.files.appendMessage(sessionId, message);
    const s = await this.files.get(sessionId);
    // A session created without a title takes it from its first question.
    if (s && message.role === 'user' && s.title === DEFAULT_TITLE && !s.messages.some((m) => m.role === 'user' && m.id !== message.id)) {
      await this.files.rename(sessionId, titleFrom(message.content));
    }
    await this.afterChange(sessionId);
  }

  async updateMessage(sessionId: string, messageId: string, patch: Partial<Omit<ChatMessage, 'id' | 'role'>>): Promise<void> {
    await this.ensureDirs();
    if (patch.status === 'streaming') await this.claim(sessionId);
    await this.files.updateMessage(sessionId, messageId, patch);
    await this.afterChange(sessionId);
  }

  async truncateFrom(sessionId: string, messageId: string): Promise<void> {
    await this.ensureDirs();
    await this.files.truncateFrom(sessionId, messageId);
    await this.afterChange(sessionId);
  }

  async rename(id: string, title: string): Promise<void> {
    await this.ensureDirs();
    await this.files.rename(id, title);
    await this.afterChange(id);
  }

  async setModel(id: string, model: string): Promise<void> {
    await this.ensureDirs();
    await this.files.setModel(id, model);
    await this.afterChange(id);
  }

  async delete(id: string): Promise<boolean> {
    if (!isValidSessionId(id)) return false;
    await this.ensureDirs();
    const existed = await this.files.delete(id);
    await fs.rm(this.ownerFile(id), { force: true });
    const indexed = this.readIndex().has(id);
    if (indexed) await this.updateIndex((idx) => void idx.delete(id));
    return existed || indexed;
  }

  /**
   * Marks replies left "streaming" by a process that is gone as "interrupted".
   * A reply whose owner is alive (another window streaming right now) is left alone.
   */
  async recoverInterrupted(): Promise<number> {
    await this.ensureDirs();
    await this.list(); // adds transcripts other windows (or a crashed process) wrote but never indexed
    const candidates = [...this.readIndex().values()].filter((s) => s.status === 'streaming').map((s) => s.id);
    // Owner records also point at sessions whose index entry lagged behind.
    for (const name of await fs.readdir(this.owners).catch(() => [] as string[])) {
      const id = FILE_RE.exec(name)?.[1];
      if (id && !candidates.includes(id)) candidates.push(id);
    }
    let count = 0;
    for (const id of candidates) {
      const owner = await this.readOwner(id);
      if (owner && owner.host === this.host && (owner.pid === process.pid || (this.opts.isAlive ?? defaultIsAlive)(owner.pid))) continue;
      if (owner && owner.host !== this.host) continue; // cannot judge another machine's process
      const s = await this.files.get(id);
      if (!s) {
        await fs.rm(this.ownerFile(id), { force: true });
        continue;
      }
      for (const m of s.messages) {
        if (m.status !== 'streaming') continue;
        await this.files.updateMessage(id, m.id, {
          status: 'interrupted',
          finish_reason: 'error',
          error: { code: 'interrupted', message: INTERRUPTED_MESSAGE },
        });
        count++;
      }
      await this.afterChange(id);
    }
    if (count) this.opts.log?.(`marked ${count} unfinished repl${count === 1 ? 'y' : 'ies'} as interrupted`);
    return count;
  }

  /** Full check of the index against every transcript (the index may have lost another window's update). Background work. */
  async reconcileAll(): Promise<number> {
    await this.ensureDirs();
    const ids = await this.fileIds();
    const index = this.readIndex();
    let fixed = 0;
    for (const id of ids) {
      const s = await this.files.get(id);
      if (s && summaryDiffers(index.get(id), summarize(s))) {
        await this.syncIndex(s);
        fixed++;
      }
    }
    await this.list();
    return fixed;
  }

  /** Bytes the index takes in globalState (JSON), for the benchmark and the test hook. */
  indexBytes(): number {
    return Buffer.byteLength(JSON.stringify(this.opts.memento.get(INDEX_KEY) ?? null));
  }

  // --- internals ---

  private ensureDirs(): Promise<void> {
    this.dirsReady ??= Promise.all([
      fs.mkdir(this.transcripts, { recursive: true, mode: 0o700 }),
      fs.mkdir(this.owners, { recursive: true, mode: 0o700 }),
    ]).then(() => undefined);
    return this.dirsReady;
  }

  private async fileIds(): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.transcripts);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      // The folder was deleted under us (a user cleaning up): start again empty.
      await fs.mkdir(this.transcripts, { recursive: true, mode: 0o700 });
      await fs.mkdir(this.owners, { recursive: true, mode: 0o700 });
      names = [];
    }
    return names.map((n) => FILE_RE.exec(n)?.[1]).filter((x): x is string => !!x);
  }

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

  private async syncIndex(s: Session): Promise<void> {
    const summary = summarize(s);
    await this.updateIndex((idx) => void idx.set(s.id, summary));
  }

  /** After a mutation: refresh the index entry when it matters, and drop the owner record once nothing streams. */
  private async afterChange(id: string): Promise<void> {
    const s = await this.files.get(id).catch((e) => {
      if (isStoreError(e)) return undefined;
      throw e;
    });
    if (!s) return;
    const summary = summarize(s);
    if (!s.messages.some((m) => m.status === 'streaming')) await fs.rm(this.ownerFile(id), { force: true });
    const indexed = this.readIndex().get(id);
    const onlyTimeMoved =
      indexed !== undefined &&
      !summaryDiffers(indexed, { ...summary, updated_at: indexed.updated_at }) &&
      summary.updated_at - indexed.updated_at < UPDATED_AT_SLACK_MS;
    if (!onlyTimeMoved && summaryDiffers(indexed, summary)) await this.syncIndex(s);
  }

  private async prune(keep: string): Promise<void> {
    const max = this.opts.maxSessions();
    const idx = this.readIndex();
    const protectedIds = new Set([keep, ...[...idx.values()].filter((s) => s.status === 'streaming').map((s) => s.id)]);
    for (const id of sessionsToPrune(idx.values(), max, protectedIds)) await this.delete(id);
  }

  private ownerFile(id: string): string {
    return path.join(this.owners, `${id}.json`);
  }

  private async claim(sessionId: string): Promise<void> {
    if (!isValidSessionId(sessionId)) return;
    const rec: OwnerRecord = { pid: process.pid, host: this.host };
    await fs.writeFile(this.ownerFile(sessionId), JSON.stringify(rec), { mode: 0o600 });
  }

  private async readOwner(id: string): Promise<OwnerRecord | undefined> {
    try {
      const v = JSON.parse(await fs.readFile(this.ownerFile(id), 'utf8')) as Partial<OwnerRecord>;
      return typeof v.pid === 'number' && typeof v.host === 'string' ? { pid: v.pid, host: v.host } : undefined;
    } catch {
      return undefined;
    }
  }
}
