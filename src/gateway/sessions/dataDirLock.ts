/**
 * One standalone gateway per data folder. Two gateways on one folder would each
 * mark the other's live replies interrupted at start and write turns into the same
 * session, so the second one refuses to start, naming the folder and the other
 * process.
 *
 * The lock is `<dir>/gateway.lock`, created with O_EXCL and holding the owner's
 * pid, host and start time. A crashed owner never leaves it stuck: on the same host
 * a dead pid (or our own pid without our token: a restarted container reuses pids)
 * frees it; from another host (a shared network folder) a lock whose heartbeat
 * (mtime, refreshed every 15 s) is older than a minute does. VS Code windows share
 * the extension's folder on purpose and do not take this lock; owner records of
 * streaming replies protect them (FileSessionStore).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs, rmSync } from 'node:fs';
import path from 'node:path';
import { breakStaleLock, createExclusive, HOST, pidAlive } from './atomicFile';
import { MAX_SMALL_FILE_BYTES, NotRegularFileError, readRegularFile, readRegularFileSync } from './regularFile';

export const DATA_DIR_LOCK_FILE = 'gateway.lock';

export interface DataDirLockOptions {
  /** How often the owner refreshes the lock's mtime (default 15 s). */
  refreshMs?: number;
  /** A lock from another host not refreshed for this long is stale (default 60 s). */
  staleMs?: number;
  /** Whether a pid on this host is alive (tests replace it). */
  isAlive?: (pid: number) => boolean;
}

interface Owner {
  pid: number;
  host: string;
  token: string;
  started_at: number;
}

export class DataDirInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly owner: { pid: number; host: string; started_at?: number },
    readonly lockFile: string,
  ) {
    const where = owner.host === HOST ? `pid ${owner.pid}` : `pid ${owner.pid} on ${owner.host}`;
    const since = owner.started_at ? ` since ${new Date(owner.started_at).toISOString()}` : '';
    super(
      `the data folder ${dir} is in use by another Hearth gateway (${where}${since}). ` +
        `Stop that one, or set HEARTH_DATA_DIR to another folder. If no gateway is running, delete ${lockFile}.`,
    );
    this.name = 'DataDirInUseError';
  }
}

export interface DataDirLock {
  readonly file: string;
  /** Removes the lock if it is still ours. Also done on process exit. */
  release(): Promise<void>;
}

function parseOwner(text: string): Owner | undefined {
  try {
    const v = JSON.parse(text) as Partial<Owner>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.token === 'string') {
      return { pid: v.pid, host: v.host, token: v.token, started_at: typeof v.started_at === 'number' ? v.started_at : 0 };
    }
  } catch {
    // Half-written by an owner that died while creating it.
  }
  return undefined;
}

// Locks held by this process, by token: our own pid in a lock file is only alive if it is one of these.
const heldTokens = new Set<string>();

/** Takes the data folder for this process, or throws DataDirInUseError. */
export async function lockDataDir(dir: string, opts: DataDirLockOptions = {}): Promise<DataDirLock> {
  const root = path.resolve(dir);
  const file = path.join(root, DATA_DIR_LOCK_FILE);
  const staleMs = opts.staleMs ?? 60_000;
  const isAlive = opts.isAlive ?? pidAlive;
  await fs.mkdir(root, { recursive: true, mode: 0o700 });
  const me: Owner = { pid: process.pid, host: HOST, token: randomBytes(8).toString('hex'), started_at: Date.now() };
  const text = JSON.stringify(me);

  for (let attempt = 0; ; attempt++) {
    if (await createExclusive(file, text)) break;
    let seen: { text: string; mtimeMs: number };
    try {
      const [t, st] = await Promise.all([readRegularFile(file, MAX_SMALL_FILE_BYTES), fs.stat(file)]);
      seen = { text: t, mtimeMs: st.mtimeMs };
    } catch (e) {
      // Something else sits at the lock's name (a named pipe, a folder): no gateway made it, and waiting will not change it.
      if (e instanceof NotRegularFileError || (e as NodeJS.ErrnoException).code === 'EISDIR') {
        throw new Error(`the data folder's lock ${file} is not a regular file; remove it if no Hearth gateway is running`);
      }
      continue; // released meanwhile: try again
    }
    const owner = parseOwner(seen.text);
    const age = Date.now() - seen.mtimeMs;
    let stale: boolean;
    // Without valid content: made by hand, or by a crash where hard links are not supported.
    if (!owner) stale = age > 2_000;
    else if (owner.host !== HOST) stale = age > staleMs;
    else if (owner.pid === process.pid) stale = !heldTokens.has(owner.token);
    else stale = !isAlive(owner.pid);
    if (!stale && owner) throw new DataDirInUseError(root, owner, file);
    if (!stale && attempt < 100) {
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    await breakStaleLock(file, seen.text);
  }

  heldTokens.add(me.token);
  // The heartbeat tells a gateway on another host that this one is alive.
  const heartbeat = setInterval(() => {
    const t = new Date();
    void fs.utimes(file, t, t).catch(() => {});
  }, opts.refreshMs ?? 15_000);
  heartbeat.unref();
  // Synchronous: 'exit' listeners cannot wait for promises.
  const releaseSync = (): void => {
    clearInterval(heartbeat);
    heldTokens.delete(me.token);
    try {
      if (parseOwner(readRegularFileSync(file, MAX_SMALL_FILE_BYTES))?.token === me.token) rmSync(file, { force: true });
    } catch {
      // Gone already.
    }
  };
  process.once('exit', releaseSync);
  return {
    file,
    async release() {
      process.removeListener('exit', releaseSync);
      clearInterval(heartbeat);
      heldTokens.delete(me.token);
      const cur = await readRegularFile(file, MAX_SMALL_FILE_BYTES).catch(() => '');
      if (parseOwner(cur)?.token === me.token) await fs.rm(file, { force: true });
    },
  };
}
