/**
 * The codebase index's file system in VS Code: one workspace folder read
 * through `vscode.workspace.fs` (so remote and virtual workspaces work), and
 * the index stored as one file in the extension's workspace storage. Runtime
 * `vscode` is not imported here: the caller passes the file system, the URI of
 * a path and the real-path rule, so unit tests run it over a fake.
 */
import type * as vscode from 'vscode';
import type { DirEntry, FileSource, FileStat, IndexBlobStorage, IndexStorage } from '../../shared/codebase/codebaseIndex';

/** vscode.FileType's values (stable API numbers; flags: a symlink is 64 | its target's type). */
const FILE = 1;
const DIRECTORY = 2;
const SYMBOLIC_LINK = 64;

export type WorkspaceFs = Pick<vscode.FileSystem, 'readDirectory' | 'stat' | 'readFile' | 'writeFile' | 'createDirectory'>;

export interface VsCodeFileSourceOptions {
  fs: WorkspaceFs;
  /** The URI of a folder-relative path ('' = the folder itself). */
  uriOf(rel: string): vscode.Uri;
  /**
   * The real path (symlinks resolved) relative to the folder, or null when it
   * lies outside: the extension passes the one real-path rule
   * (`folderRealPath` in src/extension/context/realPath.ts).
   */
  realPath(rel: string): Promise<string | null>;
}

function typeOf(t: number): DirEntry['type'] {
  if (t & SYMBOLIC_LINK) return 'symlink';
  if (t & DIRECTORY) return 'dir';
  if (t & FILE) return 'file';
  return 'other';
}

export class VsCodeFileSource implements FileSource {
  constructor(private readonly o: VsCodeFileSourceOptions) {}

  async readDir(rel: string): Promise<DirEntry[]> {
    const entries = await this.o.fs.readDirectory(this.o.uriOf(rel));
    return entries.map(([name, type]) => ({ name, type: typeOf(type) }));
  }

  /** vscode.workspace.fs.stat follows links (its type keeps the link flag beside the target's). */
  async stat(rel: string): Promise<FileStat> {
    const s = await this.o.fs.stat(this.o.uriOf(rel));
    const type = s.type & DIRECTORY ? 'dir' : s.type & FILE ? 'file' : 'other';
    return { type, size: s.size, mtime: s.mtime };
  }

  read(rel: string): Promise<Uint8Array> {
    return Promise.resolve(this.o.fs.readFile(this.o.uriOf(rel)));
  }

  realPath(rel: string): Promise<string | null> {
    return this.o.realPath(rel);
  }
}

/** The index as one file under the extension's workspace storage, written whole (text for the embeddings, bytes for the lexical index). */
export class WorkspaceFsStorage implements IndexStorage, IndexBlobStorage {
  constructor(
    private readonly fs: WorkspaceFs,
    private readonly dir: vscode.Uri,
    private readonly file: vscode.Uri,
  ) {}

  async read(): Promise<string | undefined> {
    const bytes = await this.readBytes();
    return bytes && new TextDecoder().decode(bytes);
  }

  async write(data: string): Promise<void> {
    await this.writeBytes(new TextEncoder().encode(data));
  }

  async readBytes(): Promise<Uint8Array | undefined> {
    try {
      return await this.fs.readFile(this.file);
    } catch (e) {
      // No stored index yet (FileNotFound) is the normal first start; anything else is rebuilt from the files too.
      if ((e as { code?: string }).code === 'FileNotFound' || (e as { code?: string }).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async writeBytes(data: Uint8Array): Promise<void> {
    await this.fs.createDirectory(this.dir);
    await this.fs.writeFile(this.file, data);
  }
}
