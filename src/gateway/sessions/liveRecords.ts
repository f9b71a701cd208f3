/**
 * The side records `live/<id>.json` on disk (their shape and merge rules are in
 * sideRecord.ts): read leniently (a record that is missing, unreadable or not
 * one counts as none), written whole and atomically, the folder made on the
 * first write that needs it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fsyncDir } from './atomicFile';
import { sessionIdOfFile } from './layout';
import { MAX_RECORD_FILE_BYTES, readRegularFile } from './regularFile';
import { liveSchema, type LiveRecord } from './sideRecord';
import { errno, type WriteText } from './transcriptFiles';

export class LiveRecords {
  constructor(
    readonly dir: string,
    private readonly writeText: WriteText,
  ) {}

  fileOf(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }

  /** Ids that have a side record (or a file named like one). */
  async ids(): Promise<string[]> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    return names.map(sessionIdOfFile).filter((x): x is string => x !== undefined);
  }

  async read(id: string): Promise<LiveRecord | undefined> {
    try {
      const r = liveSchema.safeParse(JSON.parse(await readRegularFile(this.fileOf(id), MAX_RECORD_FILE_BYTES)));
      return r.success ? r.data : undefined;
    } catch {
      return undefined;
    }
  }

  async write(id: string, rec: LiveRecord, fsync: boolean): Promise<void> {
    const text = JSON.stringify(rec);
    try {
      await this.writeText(this.fileOf(id), text, { fsync });
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw e;
      await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
      // A durable record needs a durable folder to be in.
      if (fsync) await fsyncDir(path.dirname(this.dir));
      await this.writeText(this.fileOf(id), text, { fsync });
    }
  }

  async remove(id: string): Promise<void> {
    await fs.rm(this.fileOf(id), { force: true });
  }
}
