/**
 * The standalone gateway's small preferences (the chosen model, the last open
 * chat) in one JSON file in its data folder, written atomically. Read once at
 * start; a missing or unreadable file means "no preferences yet", never a failure.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { KeyValueStore } from '../core/platform';
import { writeFileAtomic } from '../gateway/sessions/atomicFile';
import { MAX_SMALL_FILE_BYTES, readRegularFile } from '../gateway/sessions/regularFile';

export class PrefsFile implements KeyValueStore {
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly values: Record<string, unknown>,
  ) {}

  static async open(dir: string, log: (m: string) => void = () => {}): Promise<PrefsFile> {
    const file = path.join(dir, 'prefs.json');
    let values: Record<string, unknown> = {};
    try {
      const v = JSON.parse(await readRegularFile(file, MAX_SMALL_FILE_BYTES)) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) values = v as Record<string, unknown>;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log(`ignored unreadable preferences ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return new PrefsFile(file, values);
  }

  get<T>(key: string): T | undefined {
    return Object.hasOwn(this.values, key) ? (structuredClone(this.values[key]) as T) : undefined;
  }

  update(key: string, value: unknown): Promise<void> {
    if (value === undefined) delete this.values[key];
    else this.values[key] = structuredClone(value);
    const text = JSON.stringify(this.values);
    // One write at a time, each with the latest values.
    this.writes = this.writes.catch(() => {}).then(async () => {
      await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      await writeFileAtomic(this.file, text, { fsync: true });
    });
    return this.writes;
  }
}
