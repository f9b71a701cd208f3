/**
 * An in-memory FileSource for the codebase index's tests: files by
 * workspace-relative path, symlinks to other paths (or outside), reads that
 * fail on demand, and a count of reads per path.
 */
import type { DirEntry, FileSource, FileStat } from '../../src/shared/codebase/codebaseIndex';

export class MemoryFileSource implements FileSource {
  readonly files = new Map<string, { bytes: Uint8Array; mtime: number }>();
  /** path → target path (workspace-relative) or null for a target outside the workspace. */
  readonly links = new Map<string, string | null>();
  readonly failing = new Set<string>();
  readonly reads = new Map<string, number>();
  private clock = 1;

  set(path: string, text: string | Uint8Array): this {
    this.files.set(path, { bytes: typeof text === 'string' ? new TextEncoder().encode(text) : text, mtime: this.clock++ });
    return this;
  }

  delete(path: string): this {
    this.files.delete(path);
    return this;
  }

  totalReads(): number {
    let n = 0;
    for (const v of this.reads.values()) n += v;
    return n;
  }

  async readDir(rel: string): Promise<DirEntry[]> {
    const prefix = rel ? rel + '/' : '';
    const out = new Map<string, DirEntry>();
    for (const p of [...this.files.keys(), ...this.links.keys()]) {
      if (!p.startsWith(prefix)) continue;
      const rest = p.slice(prefix.length);
      const slash = rest.indexOf('/');
      const name = slash < 0 ? rest : rest.slice(0, slash);
      if (slash >= 0) out.set(name, { name, type: 'dir' });
      else out.set(name, { name, type: this.links.has(p) ? 'symlink' : 'file' });
    }
    if (out.size === 0 && rel) throw Object.assign(new Error(`ENOENT: ${rel}`), { code: 'ENOENT' });
    return [...out.values()];
  }

  private resolve(rel: string): string | null {
    return this.links.has(rel) ? this.links.get(rel)! : rel;
  }

  async stat(rel: string): Promise<FileStat> {
    const target = this.resolve(rel);
    const f = target === null ? undefined : this.files.get(target);
    if (f) return { type: 'file', size: f.bytes.length, mtime: f.mtime };
    if (target !== null && [...this.files.keys()].some((p) => p.startsWith(target + '/'))) return { type: 'dir', size: 0, mtime: 0 };
    if (target === null) return { type: 'file', size: 10, mtime: 1 };
    throw Object.assign(new Error(`ENOENT: ${rel}`), { code: 'ENOENT' });
  }

  async read(rel: string): Promise<Uint8Array> {
    this.reads.set(rel, (this.reads.get(rel) ?? 0) + 1);
    if (this.failing.has(rel)) throw Object.assign(new Error(`EACCES: ${rel}`), { code: 'EACCES' });
    const target = this.resolve(rel);
    const f = target === null ? undefined : this.files.get(target);
    if (!f) throw Object.assign(new Error(`ENOENT: ${rel}`), { code: 'ENOENT' });
    return f.bytes;
  }

  async realPath(rel: string): Promise<string | null> {
    return this.resolve(rel);
  }
}

/** An IndexStorage (text) and IndexBlobStorage (bytes) in memory, with a count of writes. */
export class MemoryIndexStorage {
  data: string | undefined;
  bytes: Uint8Array | undefined;
  writes = 0;
  async read(): Promise<string | undefined> {
    return this.data;
  }
  async write(data: string): Promise<void> {
    this.writes++;
    this.data = data;
  }
  async readBytes(): Promise<Uint8Array | undefined> {
    return this.bytes;
  }
  async writeBytes(data: Uint8Array): Promise<void> {
    this.writes++;
    this.bytes = data;
  }
}
