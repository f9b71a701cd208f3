/**
 * Crash-safe file primitives shared by the file session store and the
 * extension's transcript files:
 *  - writeFileAtomic: temp file in the same folder + fsync + rename, so a reader
 *    (or a restart after SIGKILL / power loss) sees the old or the new file, never half;
 *  - readJsonFile: missing -> undefined, unreadable/invalid -> CorruptFileError
 *    (callers may quarantineFile it), never an unhandled crash;
 *  - withLock: a cross-process lock (O_EXCL lock file) with stale-lock recovery,
 *    for read-modify-write cycles on a file two processes share.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { MAX_SESSION_FILE_BYTES, MAX_SMALL_FILE_BYTES, readRegularFile } from './regularFile';

export class CorruptFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`corrupt file ${file}: ${reason}`);
    this.name = 'CorruptFileError';
  }
}

export class LockTimeoutError extends Error {
  constructor(readonly lockPath: string, timeoutMs: number) {
    super(`could not lock ${lockPath} within ${timeoutMs} ms`);
    this.name = 'LockTimeoutError';
  }
}

function errno(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

/** Temp names start with a dot and end in .tmp so folder listings can skip them. */
export function isTempFileName(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}

export interface WriteOptions {
  /** fsync the file and its folder (default true): durable when the promise resolves. */
  fsync?: boolean;
}

export async function writeFileAtomic(file: string, data: string | Uint8Array, opts: WriteOptions = {}): Promise<void> {
  const durable = opts.fsync ?? true;
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    if (durable) await handle.sync();
  } catch (e) {
    await handle.close().catch(() => {});
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
  await handle.close();
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
  if (durable) await fsyncDir(dir);
}

/** Makes a rename durable; not possible on every platform (Windows), so best effort. */
export async function fsyncDir(dir: string): Promise<void> {
  let h: fs.FileHandle | undefined;
  try {
    h = await fs.open(dir, 'r');
    await h.sync();
  } catch {
    // EISDIR / EPERM on some platforms: the rename itself is still atomic.
  } finally {
    await h?.close().catch(() => {});
  }
}

/** Reads a file as text; the seam through which tests inject I/O faults (EACCES, EIO). */
export type ReadText = (file: string) => Promise<string>;
const readUtf8: ReadText = (file) => readRegularFile(file, MAX_SESSION_FILE_BYTES);

/**
 * Reads and validates a JSON file. Missing -> undefined. Not JSON, or rejected by
 * `validate` (which should throw) -> CorruptFileError. Other I/O errors propagate.
 */
export async function readJsonFile<T>(file: string, validate: (value: unknown) => T, read: ReadText = readUtf8): Promise<T | undefined> {
  let text: string;
  try {
    text = await read(file);
  } catch (e) {
    if (errno(e) === 'ENOENT') return undefined;
    throw e;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CorruptFileError(file, `not JSON (${(e as Error).message})`);
  }
  try {
    return validate(value);
  } catch (e) {
    throw new CorruptFileError(file, `invalid content (${(e as Error).message.slice(0, 500)})`);
  }
}

/** Moves a corrupt file aside (<file>.corrupt-<time>) so it is kept for inspection but no longer read. */
export async function quarantineFile(file: string): Promise<string | undefined> {
  const target = `${file}.corrupt-${Date.now()}-${randomBytes(3).toString('hex')}`;
  try {
    await fs.rename(file, target);
    return target;
  } catch (e) {
    if (errno(e) === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Creates `file` holding `content` only if it does not exist yet (false if it does).
 * The content is written to a temp file first and hard-linked into place, so a
 * process killed at any moment never leaves an empty or half-written file behind
 * (an empty lock file would look alive until it is old). Where hard links are not
 * supported it falls back to an exclusive create.
 */
export async function createExclusive(file: string, content: string): Promise<boolean> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  await fs.writeFile(tmp, content, { mode: 0o600, flag: 'wx' });
  try {
    await fs.link(tmp, file);
    return true;
  } catch (e) {
    const code = errno(e);
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
  } finally {
    await fs.rm(tmp, { force: true }).catch(() => {});
  }
  try {
    await fs.writeFile(file, content, { mode: 0o600, flag: 'wx' });
    return true;
  } catch (e) {
    if (errno(e) === 'EEXIST') return false;
    throw e;
  }
}

export interface LockOptions {
  /** A lock file older than this is taken over even if its owner seems alive (default 30 s). */
  staleMs?: number;
  /** Give up (LockTimeoutError) after this long (default 15 s). */
  timeoutMs?: number;
  /**
   * This process owns the whole folder (the standalone gateway holds its data
   * folder's lock): callers are only queued in process, no lock file is made.
   * Saves a file create, link and two removals on every write.
   */
  processOwnsFolder?: boolean;
}

// Same-process callers queue here instead of polling the lock file.
const localQueues = new Map<string, Promise<unknown>>();

/**
 * Runs fn while holding `lockPath` (created with O_EXCL, removed afterwards).
 * A lock left by a dead process (same host, pid gone) or older than staleMs is
 * recovered. Callers in the same process are queued in order.
 */
export async function withLock<T>(lockPath: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const key = path.resolve(lockPath);
  const prev = localQueues.get(key) ?? Promise.resolve();
  const hold = () => (opts.processOwnsFolder ? fn() : holdLock(key, fn, opts));
  const run = prev.then(hold, hold);
  const tail = run.catch(() => {});
  localQueues.set(key, tail);
  void tail.then(() => {
    if (localQueues.get(key) === tail) localQueues.delete(key);
  });
  return run;
}

async function holdLock<T>(lockPath: string, fn: () => Promise<T>, opts: LockOptions): Promise<T> {
  await acquire(lockPath, opts.staleMs ?? 30_000, opts.timeoutMs ?? 15_000);
  try {
    return await fn();
  } finally {
    await fs.rm(lockPath, { force: true }).catch(() => {});
  }
}

export const HOST = hostname();

async function acquire(lockPath: string, staleMs: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const content = `${process.pid}\n${HOST}\n${Date.now()}\n${randomBytes(4).toString('hex')}\n`;
  let delay = 2;
  for (;;) {
    if (await createExclusive(lockPath, content)) return;
    if (await isStale(lockPath, staleMs)) {
      await breakLock(lockPath);
      continue;
    }
    if (Date.now() > deadline) throw new LockTimeoutError(lockPath, timeoutMs);
    await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
    delay = Math.min(delay * 2, 50);
  }
}

/**
 * Whether a process with this pid runs on this host (EPERM: it exists, owned by
 * someone else). A zombie (killed, not yet reaped by its parent: a supervisor
 * restarting right after `kill -9`) still answers kill(pid, 0) but holds nothing,
 * so it counts as dead; Linux tells it in /proc/<pid>/stat.
 */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if (errno(e) !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

/** The state letter of /proc/<pid>/stat is Z. False where there is no /proc (macOS, Windows): kill(pid, 0) is all we have there. */
export function isZombie(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // "pid (comm) S ...": comm may hold spaces and parentheses, so the state follows the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 1).trimStart().startsWith('Z');
}

async function readLock(lockPath: string): Promise<{ text: string; mtimeMs: number } | undefined> {
  try {
    const [text, st] = await Promise.all([readRegularFile(lockPath, MAX_SMALL_FILE_BYTES), fs.stat(lockPath)]);
    return { text, mtimeMs: st.mtimeMs };
  } catch {
    return undefined;
  }
}

async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  const lock = await readLock(lockPath);
  if (!lock) return false; // vanished (or half-written): just retry
  if (Date.now() - lock.mtimeMs > staleMs) return true;
  const [pidText, host] = lock.text.split('\n');
  const pid = Number(pidText);
  // Only judge liveness on this host; a lock written a moment ago may still lack its content.
  return host === HOST && Number.isInteger(pid) && pid > 0 && !pidAlive(pid);
}

/**
 * Removes a stale lock without clobbering a fresh one another process may have
 * created meanwhile: rename it aside, and if what we moved is not what we judged
 * stale, put it back (link fails rather than overwrite).
 */
async function breakLock(lockPath: string): Promise<void> {
  const seen = await readLock(lockPath);
  if (!seen) return;
  await breakStaleLock(lockPath, seen.text);
}

/** breakLock for a lock file whose content `seenText` the caller judged stale (also used by the data-folder lock). */
export async function breakStaleLock(lockPath: string, seenText: string): Promise<void> {
  const aside = `${lockPath}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await fs.rename(lockPath, aside);
  } catch {
    return;
  }
  const moved = await readLock(aside);
  if (moved && moved.text !== seenText) {
    await fs.link(aside, lockPath).catch(() => {});
  }
  await fs.rm(aside, { force: true }).catch(() => {});
}
