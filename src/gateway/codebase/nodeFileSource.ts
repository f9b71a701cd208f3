/**
 * The codebase index's file system and storage in Node (the standalone
 * gateway, benchmarks, tests): a folder read with `fs`, watched recursively,
 * and the index stored as one file replaced whole (text for the embeddings,
 * bytes for the lexical index).
 */
import { watch as fsWatch, promises as fs, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { DirEntry, Disposable, FileSource, FileStat, IndexBlobStorage, IndexStorage } from '../../shared/codebase/codebaseIndex';
import { realRelative } from '../../shared/realPathRule';
import { writeFileAtomic } from '../sessions/atomicFile';

export class NodeFileSource implements FileSource {
  private readonly root: string;
  private realRoot: string | undefined;

  constructor(
    root: string,
    private readonly log?: (message: string) => void,
  ) {
    this.root = path.resolve(root);
  }

  private abs(rel: string): string {
    return rel ? path.join(this.root, ...rel.split('/')) : this.root;
  }

  async readDir(rel: string): Promise<DirEntry[]> {
    const entries = await fs.readdir(this.abs(rel), { withFileTypes: true });
    return entries.map((e) => ({ name: e.name, type: e.isSymbolicLink() ? 'symlink' : e.isDirectory() ? 'dir' : e.isFile() ? 'file' : 'other' }));
  }

  async stat(rel: string): Promise<FileStat> {
    const s = await fs.stat(this.abs(rel));
    return { type: s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'other', size: s.size, mtime: Math.floor(s.mtimeMs) };
  }

  async read(rel: string): Promise<Uint8Array> {
    return fs.readFile(this.abs(rel));
  }

  /** The workspace's one real-path rule (src/shared/realPathRule.ts), as the VS Code side applies it. */
  async realPath(rel: string): Promise<string | null> {
    this.realRoot ??= await fs.realpath(this.root);
    return realRelative(await fs.realpath(this.abs(rel)), this.realRoot);
  }

  /** Recursive fs.watch (Linux, macOS and Windows on Node 20). A watcher that fails (too many watches) is logged and the index goes on without it. */
  watch(onChange: (rels: string[]) => void): Disposable {
    const log = this.log;
    let w: FSWatcher | undefined;
    try {
      w = fsWatch(this.root, { recursive: true }, (_event, name) => {
        if (name) onChange([name.toString().split(path.sep).join('/')]);
        else onChange(['']);
      });
      w.on('error', (e) => log?.(`codebase index: watching ${this.root} stopped (${e.message})`));
    } catch (e) {
      log?.(`codebase index: cannot watch ${this.root} (${e instanceof Error ? e.message : String(e)}); changes are picked up at the next start`);
    }
    return { dispose: () => w?.close() };
  }
}

/** The index stored as one file, written whole (temporary file + rename). */
export class FileIndexStorage implements IndexStorage, IndexBlobStorage {
  constructor(private readonly file: string) {}

  readBytes(): Promise<Uint8Array | undefined> {
    return this.readIfThere(() => fs.readFile(this.file));
  }

  writeBytes(data: Uint8Array): Promise<void> {
    return this.put(data);
  }

  read(): Promise<string | undefined> {
    return this.readIfThere(() => fs.readFile(this.file, 'utf8'));
  }

  write(data: string): Promise<void> {
    return this.put(data);
  }

  /** No file yet is no stored index (undefined); any other failure is the caller's to see. */
  private async readIfThere<T>(read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  private async put(data: string | Uint8Array): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    await writeFileAtomic(this.file, data);
  }
}
