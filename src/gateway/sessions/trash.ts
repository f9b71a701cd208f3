/**
 * The trash: sessions pruned beyond maxSessions, as `trash/<id>.json`, kept for a
 * while in case a user wants one back. Bounded by age (30 days from when it was
 * trashed), by count and by bytes; the bounds are applied at start-up and each time
 * something is trashed, oldest first.
 *
 * Only what Hearth put there is ever removed: the folder must be a real folder
 * (not a symlink) owned by this user, and only regular files named `<id>.json` in
 * it are touched (lstat, no symlink followed, unlink, never a recursive remove).
 * A trash folder that is a symlink or someone else's is left alone and logged,
 * and nothing is moved into it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fsyncDir } from './atomicFile';
import { sessionIdOfFile } from './layout';

export const TRASH_KEEP_MS = 30 * 24 * 60 * 60 * 1000;
/** At most this many sessions in the trash (the oldest trashed go first). */
export const TRASH_MAX_SESSIONS = 200;
/** At most this many bytes of sessions in the trash. */
export const TRASH_MAX_BYTES = 100 * 1024 * 1024;

export interface TrashOptions {
  dir: string;
  keepMs?: number;
  maxSessions?: number;
  maxBytes?: number;
  fsync: boolean;
  log: (line: string) => void;
}

function errno(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

export class TrashFolderError extends Error {
  constructor(dir: string, why: string) {
    super(`the trash folder ${dir} ${why}; left alone, nothing moved into it or removed from it`);
    this.name = 'TrashFolderError';
  }
}

export class Trash {
  readonly dir: string;
  /** The reason the folder was last refused, so it is logged once, not at every prune. */
  private refused: string | undefined;

  constructor(private readonly opts: TrashOptions) {
    this.dir = path.resolve(opts.dir);
  }

  get keepMs(): number {
    return this.opts.keepMs ?? TRASH_KEEP_MS;
  }

  /**
   * Moves a session file into the trash (the caller holds the session's lock).
   * False when the file was gone already. Throws TrashFolderError when the folder is not ours.
   */
  async put(file: string, id: string): Promise<boolean> {
    await this.ready(true);
    const target = path.join(this.dir, `${id}.json`);
    try {
      await fs.rename(file, target);
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw e;
      return false;
    }
    // The trash keeps it for its time from now, not from its last update.
    const t = new Date();
    await fs.utimes(target, t, t).catch(() => {});
    if (this.opts.fsync) await Promise.all([fsyncDir(path.dirname(file)), fsyncDir(this.dir)]);
    return true;
  }

  /**
   * Removes what is beyond the bounds: older than keepMs, then the oldest beyond
   * the count and byte bounds. Never throws (failures are logged).
   */
  async enforce(): Promise<void> {
    try {
      if (!(await this.ready(false))) return;
      const entries = await this.sessionFiles();
      // Real time, not a store's clock: compared with file mtimes.
      const cutoff = Date.now() - this.keepMs;
      const maxCount = this.opts.maxSessions ?? TRASH_MAX_SESSIONS;
      const maxBytes = this.opts.maxBytes ?? TRASH_MAX_BYTES;
      // Newest first: what is kept is a prefix.
      entries.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.name < b.name ? -1 : 1));
      let count = 0;
      let bytes = 0;
      let old = 0;
      let over = 0;
      for (const e of entries) {
        const tooOld = e.mtimeMs < cutoff;
        const beyond = !tooOld && (count + 1 > maxCount || bytes + e.size > maxBytes);
        if (!tooOld && !beyond) {
          count++;
          bytes += e.size;
          continue;
        }
        if (!(await this.remove(e.name))) continue;
        if (tooOld) old++;
        else over++;
      }
      const s = (n: number) => `${n} session${n === 1 ? '' : 's'}`;
      if (old) this.opts.log(`removed ${s(old)} older than ${Math.round(this.keepMs / 86_400_000)} days from ${this.dir}`);
      if (over) this.opts.log(`removed the ${s(over)} trashed longest ago from ${this.dir}: it keeps at most ${maxCount} sessions and ${Math.round(maxBytes / 1048576)} MB`);
    } catch (e) {
      this.opts.log(`could not empty the trash ${this.dir}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** The regular files named <id>.json in the trash, by lstat (a symlink or a folder of that name is not ours). */
  private async sessionFiles(): Promise<{ name: string; mtimeMs: number; size: number }[]> {
    const out: { name: string; mtimeMs: number; size: number }[] = [];
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return out;
    }
    for (const name of names) {
      if (!sessionIdOfFile(name)) continue;
      try {
        const st = await fs.lstat(path.join(this.dir, name));
        if (st.isFile()) out.push({ name, mtimeMs: st.mtimeMs, size: st.size });
      } catch {
        // Gone already.
      }
    }
    return out;
  }

  /** unlink removes a name, never what a symlink points at, never a folder's content. */
  private async remove(name: string): Promise<boolean> {
    try {
      await fs.unlink(path.join(this.dir, name));
      return true;
    } catch {
      return false; // gone already, or replaced by a folder meanwhile: left alone
    }
  }

  /**
   * Whether the trash folder is ours to use: a real folder owned by this user.
   * `create`: make it when missing (else a missing trash is simply empty).
   * When it is not ours: logged once per reason, and TrashFolderError thrown if `create` is set.
   */
  private async ready(create: boolean): Promise<boolean> {
    let why: string | undefined;
    try {
      const st = await fs.lstat(this.dir);
      if (st.isSymbolicLink()) why = 'is a symbolic link';
      else if (!st.isDirectory()) why = 'is not a folder';
      else if (typeof process.getuid === 'function' && st.uid !== process.getuid()) why = `belongs to another user (uid ${st.uid})`;
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw e;
      if (!create) return false;
      await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
      return true;
    }
    if (!why) {
      this.refused = undefined;
      return true;
    }
    const err = new TrashFolderError(this.dir, why);
    if (this.refused !== why) {
      this.refused = why;
      this.opts.log(err.message);
    }
    if (create) throw err;
    return false;
  }
}
