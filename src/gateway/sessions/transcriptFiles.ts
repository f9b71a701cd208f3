/**
 * Transcript I/O: the `<id>.json` files of one session folder. Reads validate,
 * writes are whole and atomic (`WriteText`), and a file's identity (inode +
 * mtime + size) tells whether it changed since it was read. What to do with a
 * file that cannot be read (skip it, move it aside) is the store's decision.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { sessionSchema, type Session } from '../../shared/session';
import { quarantineFile, readJsonFile, type ReadText, type WriteOptions } from './atomicFile';
import { sessionIdOfFile } from './layout';
import type { Loaded } from './sideRecord';

/** Writes a file whole and atomically (writeFileAtomic's contract). */
export type WriteText = (file: string, text: string, opts: WriteOptions) => Promise<void>;

/** What a stat of `<id>.json` found: a regular file, nothing, or something that cannot be a session (with why). */
export type FileStat = { kind: 'file'; key: string; size: number } | { kind: 'gone' } | { kind: 'unusable'; key: string; reason: string };

export function errno(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

export function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class TranscriptFiles {
  private dirReady: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    private readonly io: { fsync: boolean; writeText: WriteText; readText?: ReadText },
  ) {}

  fileOf(id: string): string {
    // Ids are validated against SESSION_ID_RE before they get here: no separators, no dots.
    return path.join(this.dir, `${id}.json`);
  }

  ensureDir(): Promise<void> {
    this.dirReady ??= fs.mkdir(this.dir, { recursive: true, mode: 0o700 }).then(() => undefined);
    return this.dirReady;
  }

  /** Ids of the session files present (whether readable or not). */
  async ids(): Promise<string[]> {
    await this.ensureDir();
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw e;
      // The folder was deleted under us (a user cleaning up): start again empty.
      this.dirReady = undefined;
      await this.ensureDir();
      names = [];
    }
    return names.map(sessionIdOfFile).filter((x): x is string => x !== undefined);
  }

  async stat(id: string): Promise<FileStat> {
    try {
      const st = await fs.stat(this.fileOf(id), { bigint: true });
      const key = `${st.ino}:${st.mtimeNs}:${st.size}`;
      return st.isFile() ? { kind: 'file', key, size: Number(st.size) } : { kind: 'unusable', key, reason: 'not a regular file' };
    } catch (e) {
      return errno(e) === 'ENOENT' ? { kind: 'gone' } : { kind: 'unusable', key: `stat:${errno(e)}`, reason: describe(e) };
    }
  }

  /** The file's identity now, or undefined when it cannot be stat'ed. */
  async key(id: string): Promise<string | undefined> {
    try {
      const st = await fs.stat(this.fileOf(id), { bigint: true });
      return `${st.ino}:${st.mtimeNs}:${st.size}`;
    } catch {
      return undefined;
    }
  }

  async exists(id: string): Promise<boolean> {
    try {
      await fs.stat(this.fileOf(id));
      return true;
    } catch {
      return false;
    }
  }

  /** The session in `<id>.json`; undefined when it is gone. Throws CorruptFileError (not JSON, not a session, another id inside) or the I/O error. */
  read(id: string): Promise<Session | undefined> {
    return readJsonFile(
      this.fileOf(id),
      (v) => {
        const s = sessionSchema.parse(v);
        if (s.id !== id) throw new Error(`file name says ${id}, content says ${s.id}`);
        return s;
      },
      this.io.readText,
    );
  }

  /** Writes the session whole; returns it as written, with its new identity (undefined if it could not be stat'ed after). */
  async write(session: Session): Promise<Loaded | undefined> {
    // Never write what we could not read back.
    const valid = sessionSchema.parse(session);
    const text = JSON.stringify(valid);
    await this.io.writeText(this.fileOf(valid.id), text, { fsync: this.io.fsync });
    const key = await this.key(valid.id);
    return key ? { key, session: valid, bytes: Buffer.byteLength(text) } : undefined;
  }

  /** Moves a corrupt file aside; where to, if it was still there. */
  quarantine(id: string): Promise<string | undefined> {
    return quarantineFile(this.fileOf(id));
  }

  /** Deletes `<id>.json`; false when there was none. */
  async remove(id: string): Promise<boolean> {
    try {
      await fs.unlink(this.fileOf(id));
      return true;
    } catch (e) {
      if (errno(e) === 'ENOENT') return false;
      throw e;
    }
  }
}
