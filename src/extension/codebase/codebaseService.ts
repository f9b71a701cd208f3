/**
 * The codebase index in VS Code: one CodebaseIndex per workspace folder (a
 * search asks them all and merges by score), fed by a file watcher and saves,
 * stored in the extension's workspace storage (nothing stored without one),
 * with the `@` picker's exclusions (files.exclude, search.exclude,
 * hearth.context.exclude, and .gitignore, which the index reads itself) plus
 * the secret patterns always. Its progress shows in the window's status area.
 * Part of the heavy bundle: activation never loads it; it starts a moment
 * after activation, only when a folder is open.
 */
import * as vscode from 'vscode';
import { CodebaseIndex } from '../../shared/codebase/codebaseIndex';
import type { SearchResult } from '../../shared/codebase/schemas';
import { DEFAULT_CONTEXT_EXCLUDE } from '../../shared/contextRules';
import { progressLabel, type CodebaseStatus } from './status';
import { folderRealPath } from '../context/realPath';
import { VsCodeFileSource, WorkspaceFsStorage } from './vscodeFileSource';
import type { CodebaseEmbeddings } from './embeddings';
import type { Searchable } from '../../shared/codebase/embeddingIndex';

/** A result with where it lives: the file's URI and the path a chip shows. */
export interface CodebaseHit extends SearchResult {
  uri: vscode.Uri;
  /** Workspace-relative; prefixed with the folder's name in a multi-root workspace. */
  displayPath: string;
}

interface FolderIndex {
  folder: vscode.WorkspaceFolder;
  index: CodebaseIndex;
  subs: vscode.Disposable[];
  /** The index fused with its embeddings (hearth.codebase.embeddingModel), when embeddings are wired. */
  search?: Searchable;
}

export class CodebaseService implements vscode.Disposable {
  private folders: FolderIndex[] = [];
  private started = false;
  private readonly listeners = new Set<(s: CodebaseStatus) => void>();
  private readonly subs: vscode.Disposable[] = [];
  private progressDone: (() => void) | undefined;

  constructor(
    /** The picker's exclusion globs in force (files.exclude, search.exclude, hearth.context.exclude). */
    private readonly globs: () => string[],
    private readonly storageUri: vscode.Uri | undefined,
    private readonly log: (line: string) => void,
    /** Search by meaning beside each folder's index (embeddings.ts); absent: lexical only. */
    private readonly embeddings?: CodebaseEmbeddings,
  ) {}

  /** Starts indexing every open folder in the background (once; again when folders or exclusions change). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.subs.push(
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.restart()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('files.exclude') || e.affectsConfiguration('search.exclude') || e.affectsConfiguration('hearth.context.exclude')) this.restart();
      }),
      // A save reaches the index at once (the watcher may lag or miss files outside its limits).
      vscode.workspace.onDidSaveTextDocument((d) => this.notify(d.uri)),
      vscode.workspace.onDidCreateFiles((e) => e.files.forEach((u) => this.notify(u))),
      vscode.workspace.onDidDeleteFiles((e) => e.files.forEach((u) => this.notify(u))),
      vscode.workspace.onDidRenameFiles((e) => e.files.forEach((f) => (this.notify(f.oldUri), this.notify(f.newUri)))),
    );
    this.restart();
  }

  status(): CodebaseStatus {
    const all = this.folders.map((f) => f.index.state());
    const state = all.length === 0 ? 'off' : all.some((s) => s.state === 'indexing') ? 'indexing' : all.every((s) => s.state === 'off') ? 'off' : 'ready';
    return {
      state,
      files: all.reduce((n, s) => n + s.files, 0),
      indexedFiles: all.reduce((n, s) => n + s.indexed_files, 0),
      messages: all.flatMap((s) => (s.message ? [s.message] : [])),
    };
  }

  onDidChangeStatus(listener: (s: CodebaseStatus) => void): vscode.Disposable {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  /** The best snippets over every folder, best first. An index still building answers from what it has. */
  async search(query: string, limit: number, signal?: AbortSignal): Promise<CodebaseHit[]> {
    this.start();
    const multi = this.folders.length > 1;
    const per = await Promise.all(
      this.folders.map(async (f) => {
        const hits = await (f.search ?? f.index).search(query, { limit, ...(signal ? { signal } : {}) });
        return hits.map((h) => ({ ...h, uri: vscode.Uri.joinPath(f.folder.uri, ...h.path.split('/')), displayPath: multi ? `${f.folder.name}/${h.path}` : h.path }));
      }),
    );
    return per
      .flat()
      .sort((a, b) => b.score - a.score)
      .slice(0, limit);
  }

  /** Resolves once every change notified so far is searchable (tests, and a search right after a save). */
  async settled(): Promise<void> {
    await Promise.all(this.folders.map((f) => f.index.settled()));
  }

  async rebuild(): Promise<void> {
    this.start();
    await Promise.all(this.folders.map((f) => f.index.rebuild()));
  }

  dispose(): void {
    this.stopAll();
    this.listeners.clear();
    for (const d of this.subs.splice(0)) d.dispose();
  }

  // --- internals ---

  private notify(uri: vscode.Uri): void {
    const f = this.folderOf(uri);
    if (f) f.index.notify([relativeTo(f.folder.uri, uri)]);
  }

  private folderOf(uri: vscode.Uri): FolderIndex | undefined {
    return this.folders.find((f) => f.folder.uri.scheme === uri.scheme && f.folder.uri.authority === uri.authority && (uri.path === f.folder.uri.path || uri.path.startsWith(f.folder.uri.path.replace(/\/+$/, '') + '/')));
  }

  private stopAll(): void {
    for (const f of this.folders.splice(0)) {
      // The last changes are written before the index goes (a reload must not re-read them).
      void f.index.flush().catch(() => {}).finally(() => f.index.dispose());
      for (const d of f.subs) d.dispose();
    }
    this.endProgress();
  }

  private restart(): void {
    this.stopAll();
    // The picker's globs (VS Code's files.exclude and search.exclude defaults included), and the secret patterns even when hearth.context.exclude was emptied.
    const exclude = [...this.globs(), ...DEFAULT_CONTEXT_EXCLUDE];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const root = folder.uri;
      const source = new VsCodeFileSource({
        fs: vscode.workspace.fs,
        uriOf: (rel) => (rel ? vscode.Uri.joinPath(root, ...rel.split('/')) : root),
        // The picker's, the reader's and Apply's rule (src/shared/realPathRule.ts).
        realPath: folderRealPath(root),
      });
      const dir = this.storageUri ? vscode.Uri.joinPath(this.storageUri, 'codebase') : undefined;
      const storage = dir ? new WorkspaceFsStorage(vscode.workspace.fs, dir, vscode.Uri.joinPath(dir, `${storageName(folder)}.json`)) : undefined;
      const index = new CodebaseIndex({ source, ...(storage ? { storage } : {}), exclude, log: (m) => this.log(`codebase index (${folder.name}): ${m}`) });
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '**/*'));
      const changed = (u: vscode.Uri) => index.notify([relativeTo(root, u)]);
      const fi: FolderIndex = { folder, index, subs: [watcher, watcher.onDidCreate(changed), watcher.onDidChange(changed), watcher.onDidDelete(changed), toDisposable(index.onProgress(() => this.emit()))] };
      // Embeddings beside the index, stored next to it (hearth.codebase.embeddingModel).
      const hybrid = this.embeddings?.attach(index, dir ? new WorkspaceFsStorage(vscode.workspace.fs, dir, vscode.Uri.joinPath(dir, `${storageName(folder)}.embeddings.json`)) : undefined);
      if (hybrid) {
        fi.subs.push(hybrid);
        fi.search = hybrid;
      }
      this.folders.push(fi);
      index.start().catch((e) => this.log(`codebase index (${folder.name}) failed: ${e instanceof Error ? e.message : String(e)}`));
    }
    this.emit();
  }

  private emit(): void {
    const s = this.status();
    if (s.state === 'indexing') this.showProgress();
    else this.endProgress();
    for (const l of [...this.listeners]) l(s);
  }

  /** "Indexing 1,204 / 2,355 files" in the window's status area while any folder indexes. */
  private showProgress(): void {
    if (this.progressDone) return;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Hearth' }, (progress) => {
      const update = () => {
        const s = this.status();
        progress.report({ message: progressLabel(s) });
      };
      update();
      const sub = this.onDidChangeStatus(update);
      return new Promise<void>((resolve) => {
        this.progressDone = () => {
          sub.dispose();
          resolve();
        };
      });
    });
  }

  private endProgress(): void {
    const done = this.progressDone;
    this.progressDone = undefined;
    done?.();
  }
}

function relativeTo(root: vscode.Uri, uri: vscode.Uri): string {
  const base = root.path.replace(/\/+$/, '');
  return uri.path === base ? '' : uri.path.slice(base.length + 1);
}

/** A stable file name per folder: its index (order) would move when folders are added. */
function storageName(folder: vscode.WorkspaceFolder): string {
  let h = 0;
  for (const ch of folder.uri.toString()) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return `${folder.name.replace(/[^\w.-]/g, '_').slice(0, 40)}-${(h >>> 0).toString(36)}`;
}

function toDisposable(d: { dispose(): void }): vscode.Disposable {
  return { dispose: () => d.dispose() };
}
