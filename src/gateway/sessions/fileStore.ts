/**
 * SessionStore on plain files: <dir>/<id>.json per session, written atomically,
 * every read-modify-write under a per-session cross-process lock, so two
 * processes (two gateways, or a gateway and a script) can share one folder.
 * Reads are cached in memory and revalidated by the file's identity
 * (inode + mtime + size): a rename by any process changes it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { sessionSchema } from '../../shared/session';
import {
  isValidSessionId,
  summarize,
  type ChatMessage,
  type Session,
  type SessionStore,
  type SessionSummary,
} from '../../shared/session';
import { newId } from '../ids';
import { CorruptFileError, isTempFileName, quarantineFile, readJsonFile, withLock, writeFileAtomic, type LockOptions } from './atomicFile';
import { StoreError } from './errors';

export interface FileSessionStoreOptions {
  dir: string;
  /** Keep at most this many sessions; the least recently updated are deleted on create. */
  maxSessions?: number;
  now?: () => number;
  lock?: LockOptions;
  /** fsync every write (default true). */
  fsync?: boolean;
  /** Told about files moved aside because they were corrupt. */
  onCorrupt?: (file: string, reason: string, movedTo: string | undefined) => void;
  newId?: () => string;
}

interface CacheEntry {
  key: string;
  session: Session;
}

const FILE_RE = /^([a-z0-9][a-z0-9-]{7,63})\.json$/;
const DEFAULT_TITLE = 'New chat';
const INTERRUPTED_MESSAGE = 'The gateway stopped before this reply finished.';

export class FileSessionStore implements SessionStore {
  private readonly dir: string;
  private readonly now: () => number;
  private readonly cache = new Map<string, CacheEntry>();
  private dirReady: Promise<void> | undefined;

  constructor(private readonly opts: FileSessionStoreOptions) {
    this.dir = path.resolve(opts.dir);
    this.now = opts.now ?? Date.now;
  }

  /** The folder holding the session files. */
  get directory(): string {
    return this.dir;
  }

  async list(): Promise<SessionSummary[]> {
    const sessions = await this.loadAll();
    return sessions.map(summarize).sort((a, b) => b.updated_at - a.updated_at || (a.id < b.id ? -1 : 1));
  }

  async get(id: string): Promise<Session | undefined> {
    if (!isValidSessionId(id)) return undefined;
    await this.ensureDir();
    const s = await this.load(id);
    return s && structuredClone(s);
  }

  async create(init: { title?: string; model?: string; workspace?: string; id?: string }): Promise<Session> {
    const id = init.id ?? (this.opts.newId ?? newId)();
    if (!isValidSessionId(id)) throw new StoreError('invalid_id', `invalid session id`);
    await this.ensureDir();
    const t = this.now();
    const session: Session = {
      id,
      title: init.title?.trim() || DEFAULT_TITLE,
      ...(init.model ? { model: init.model } : {}),
      ...(init.workspace ? { workspace: init.workspace } : {}),
      created_at: t,
      updated_at: t,
      messages: [],
    };
    await withLock(this.lockPath(id), async () => {
      if (await this.exists(id)) throw new StoreError('session_exists', `session ${id} already exists`);
      await this.write(session);
    }, this.opts.lock);
    if (this.opts.maxSessions !== undefined) await this.prune(this.opts.maxSessions, id);
    return structuredClone(session);
  }

  appendMessage(sessionId: string, message: ChatMessage): Promise<void> {
    return this.mutate(sessionId, (s) => {
      if (s.messages.some((m) => m.id === message.id)) {
        throw new StoreError('duplicate_message', `message ${message.id} already exists in session ${sessionId}`);
      }
      s.messages.push(structuredClone(message));
    });
  }

  updateMessage(sessionId: string, messageId: string, patch: Partial<Omit<ChatMessage, 'id' | 'role'>>): Promise<void> {
    return this.mutate(sessionId, (s) => {
      const m = s.messages.find((x) => x.id === messageId);
      if (!m) throw new StoreError('message_not_found', `message ${messageId} not found in session ${sessionId}`);
      Object.assign(m, structuredClone(patch));
    });
  }

  truncateFrom(sessionId: string, messageId: string): Promise<void> {
    return this.mutate(sessionId, (s) => {
      const i = s.messages.findIndex((x) => x.id === messageId);
      if (i < 0) throw new StoreError('message_not_found', `message ${messageId} not found in session ${sessionId}`);
      s.messages.splice(i);
    });
  }

  rename(id: string, title: string): Promise<void> {
    return this.mutate(id, (s) => {
      s.title = title.trim() || DEFAULT_TITLE;
    });
  }

  setModel(id: string, model: string): Promise<void> {
    return this.mutate(id, (s) => {
      s.model = model;
    });
  }

  async delete(id: string): Promise<boolean> {
    if (!isValidSessionId(id)) return false;
    await this.ensureDir();
    return withLock(this.lockPath(id), async () => {
      this.cache.delete(id);
      try {
        await fs.unlink(this.fileOf(id));
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw e;
      }
    }, this.opts.lock);
  }

  async recoverInterrupted(): Promise<number> {
    await this.ensureDir();
    await this.removeLeftovers();
    let count = 0;
    for (const s of await this.loadAll()) {
      if (!s.messages.some((m) => m.status === 'streaming')) continue;
      await this.mutate(s.id, (cur) => {
        for (const m of cur.messages) {
          if (m.status !== 'streaming') continue;
          m.status = 'interrupted';
          m.finish_reason = 'error';
          m.error = { code: 'interrupted', message: INTERRUPTED_MESSAGE };
          count++;
        }
      }).catch((e) => {
        if (!(e instanceof StoreError && e.code === 'session_not_found')) throw e;
      });
    }
    return count;
  }

  // --- internals ---

  private fileOf(id: string): string {
    // Ids are validated against SESSION_ID_RE before they get here: no separators, no dots.
    return path.join(this.dir, `${id}.json`);
  }

  private lockPath(id: string): string {
    return path.join(this.dir, `${id}.json.lock`);
  }

  private ensureDir(): Promise<void> {
    this.dirReady ??= fs.mkdir(this.dir, { recursive: true, mode: 0o700 }).then(() => undefined);
    return this.dirReady;
  }

  private async exists(id: string): Promise<boolean> {
    try {
      await fs.stat(this.fileOf(id));
      return true;
    } catch {
      return false;
    }
  }

  private async statKey(file: string): Promise<string | undefined> {
    try {
      const st = await fs.stat(file, { bigint: true });
      return `${st.ino}:${st.mtimeNs}:${st.size}`;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  /** The current session (cached while the file is unchanged); corrupt files are quarantined. */
  private async load(id: string): Promise<Session | undefined> {
    const file = this.fileOf(id);
    for (let attempt = 0; ; attempt++) {
      const key = await this.statKey(file);
      if (key === undefined) {
        this.cache.delete(id);
        return undefined;
      }
      const hit = this.cache.get(id);
      if (hit && hit.key === key) return hit.session;
      let session: Session | undefined;
      try {
        session = await readJsonFile(file, (v) => {
          const s = sessionSchema.parse(v) as Session;
          if (s.id !== id) throw new Error(`file name says ${id}, content says ${s.id}`);
          return s;
        });
      } catch (e) {
        if (!(e instanceof CorruptFileError)) throw e;
        const movedTo = await quarantineFile(file);
        this.opts.onCorrupt?.(file, e.reason, movedTo);
        this.cache.delete(id);
        return undefined;
      }
      if (!session) {
        // Deleted between stat and read.
        this.cache.delete(id);
        return undefined;
      }
      // Only cache what we know matches the stat we took; a concurrent replace retries.
      if ((await this.statKey(file)) === key) {
        this.cache.set(id, { key, session });
        return session;
      }
      if (attempt >= 3) return session;
    }
  }

  private async loadAll(): Promise<Session[]> {
    await this.ensureDir();
    const names = await fs.readdir(this.dir);
    const ids = names.map((n) => FILE_RE.exec(n)?.[1]).filter((x): x is string => !!x && isValidSessionId(x));
    const present = new Set(ids);
    for (const id of this.cache.keys()) if (!present.has(id)) this.cache.delete(id);
    const loaded = await Promise.all(ids.map((id) => this.load(id)));
    return loaded.filter((s): s is Session => !!s);
  }

  private async write(session: Session): Promise<void> {
    // Never write what we could not read back.
    const valid = sessionSchema.parse(session) as Session;
    const file = this.fileOf(valid.id);
    await writeFileAtomic(file, JSON.stringify(valid), { fsync: this.opts.fsync ?? true });
    const key = await this.statKey(file);
    if (key) this.cache.set(valid.id, { key, session: valid });
  }

  /** Read-modify-write under the session's lock: the only way a session file changes. */
  private async mutate(id: string, change: (s: Session) => void): Promise<void> {
    if (!isValidSessionId(id)) throw new StoreError('session_not_found', 'session not found');
    await this.ensureDir();
    await withLock(this.lockPath(id), async () => {
      const cur = await this.load(id);
      if (!cur) throw new StoreError('session_not_found', `session ${id} not found`);
      const next = structuredClone(cur);
      change(next);
      next.updated_at = Math.max(this.now(), cur.updated_at);
      await this.write(next);
    }, this.opts.lock);
  }

  /** Deletes the least recently updated sessions beyond `max`, never `keep` nor one still streaming. */
  private async prune(max: number, keep: string): Promise<void> {
    const all = await this.loadAll();
    if (all.length <= max) return;
    const candidates = all
      .filter((s) => s.id !== keep && !s.messages.some((m) => m.status === 'streaming'))
      .sort((a, b) => a.updated_at - b.updated_at);
    for (const s of candidates.slice(0, all.length - max)) await this.delete(s.id);
  }

  /** Temp files and stale-lock leftovers from a process that died mid-write. */
  private async removeLeftovers(): Promise<void> {
    // Real time, not this.now(): compared with file mtimes.
    const cutoff = Date.now() - 60_000;
    for (const name of await fs.readdir(this.dir)) {
      if (!isTempFileName(name) && !name.endsWith('.stale')) continue;
      const file = path.join(this.dir, name);
      try {
        if ((await fs.stat(file)).mtimeMs < cutoff) await fs.rm(file, { force: true });
      } catch {
        // Gone already.
      }
    }
  }
}
