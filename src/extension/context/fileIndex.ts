/**
 * The workspace's files the `@` picker may offer: found with findFiles (so it
 * works in remote and virtual workspaces), minus files.exclude, search.exclude,
 * hearth.context.exclude and what .gitignore files ignore, and minus links
 * whose real path leaves the workspace or is excluded there (the real-path
 * rule, `src/shared/realPathRule.ts`). Built on the first
 * search, kept until files are created or deleted, an exclusion setting or a
 * .gitignore changes; then built again on the next search.
 */
import * as vscode from 'vscode';
import { GitIgnore } from '../../shared/gitignore';
import { compileGlob, enabledGlobs, matchesAnyGlob } from '../../shared/glob';
import { displayPath, matchPath } from './fileReader';
import { checkRealPath, foldersFor, type LinkCache, type VsFolderPaths } from './realPath';
import type { RealPathVerdict } from '../../shared/realPathRule';

/** Enough for large repositories; beyond it the picker offers the first ones found. */
export const MAX_INDEXED_FILES = 20_000;
const MAX_GITIGNORE_BYTES = 256 * 1024;
/** Real paths resolved at once while indexing (each is one realpath call or a few stats). */
const RESOLVE_CONCURRENCY = 32;

export interface IndexedFile {
  uri: vscode.Uri;
  /** What the picker shows and matches against (workspace-relative). */
  path: string;
}

export class FileIndex implements vscode.Disposable {
  private files: Promise<IndexedFile[]> | undefined;
  /** The .gitignore rules of each workspace folder, read with the index and dropped with it. */
  private ignores: Promise<Map<string, GitIgnore>> | undefined;
  private readonly subs: vscode.Disposable[] = [];
  /** Invalid patterns already logged (by where they came from), so each is logged once. */
  private readonly reported = new Set<string>();

  constructor(
    /** hearth.context.exclude, read when the index is built. */
    private readonly contextExclude: () => readonly string[],
    private readonly log: (line: string) => void,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*', false, true, false);
    const gitignores = vscode.workspace.createFileSystemWatcher('**/.gitignore', true, false, true);
    this.subs.push(
      watcher,
      gitignores,
      watcher.onDidCreate(() => this.invalidate()),
      watcher.onDidDelete(() => this.invalidate()),
      gitignores.onDidChange(() => this.invalidate()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.invalidate()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('files.exclude') || e.affectsConfiguration('search.exclude') || e.affectsConfiguration('hearth.context.exclude')) this.invalidate();
      }),
    );
  }

  /** Every offerable file, sorted by path. */
  list(): Promise<IndexedFile[]> {
    if (!this.files) {
      const p = this.build();
      this.files = p;
      // A failed build is not kept: the next search tries again.
      p.catch(() => {
        if (this.files === p) this.files = undefined;
      });
    }
    return this.files;
  }

  /** The exclusion globs in force: VS Code's own, then Hearth's. Invalid ones are left out (they match nothing) and logged once. */
  globs(): string[] {
    const cfg = vscode.workspace.getConfiguration();
    return [...this.valid('files.exclude', enabledGlobs(cfg.get('files.exclude'))), ...this.valid('search.exclude', enabledGlobs(cfg.get('search.exclude'))), ...this.contextGlobs()];
  }

  /** hearth.context.exclude, without invalid patterns (logged once). */
  contextGlobs(): string[] {
    return this.valid('hearth.context.exclude', this.contextExclude());
  }

  /**
   * Whether the picker may offer this file — the one rule for the index and for
   * reading a chip again at send time: inside a workspace folder, matched by no
   * exclusion glob (files.exclude, search.exclude, hearth.context.exclude), not
   * ignored by a .gitignore — and the real-path rule.
   */
  async mayOffer(uri: vscode.Uri): Promise<boolean> {
    if (!vscode.workspace.getWorkspaceFolder(uri)) return false;
    const globs = this.globs();
    const ignore = await this.gitignoreRules(findExclude(globs));
    return this.allowed(uri, globs, ignore) && (await this.realPathCheck(uri, globs, ignore)).ok;
  }

  /** The real-path rule with this index's exclusions (globs, .gitignore) applied to the real path. */
  async realPath(uri: vscode.Uri): Promise<RealPathVerdict> {
    const globs = this.globs();
    return this.realPathCheck(uri, globs, await this.gitignoreRules(findExclude(globs)));
  }

  invalidate(): void {
    this.files = undefined;
    this.ignores = undefined;
  }

  dispose(): void {
    this.invalidate();
    for (const d of this.subs.splice(0)) d.dispose();
  }

  private valid(source: string, globs: readonly string[]): string[] {
    return globs.filter((g) => {
      const { error } = compileGlob(g);
      if (error) this.reportInvalid(source, g, error);
      return !error;
    });
  }

  private reportInvalid(where: string, pattern: string, error: string): void {
    const key = `${where}\n${pattern}`;
    if (this.reported.has(key)) return;
    if (this.reported.size > 200) this.reported.clear();
    this.reported.add(key);
    this.log(`context: ignoring the invalid pattern "${pattern.slice(0, 200)}" in ${where} (${error}); it matches nothing`);
  }

  private realPathCheck(uri: vscode.Uri, globs: readonly string[], ignore: Map<string, GitIgnore>, opts?: { folders?: VsFolderPaths[]; cache?: LinkCache }): Promise<RealPathVerdict> {
    return checkRealPath(uri, (rel, folder) => matchesAnyGlob(rel, globs) || !!(folder && ignore.get(folder)?.ignores(rel)), opts);
  }

  /** The files that pass the real-path rule, in their order (resolved a few at a time). */
  private async realPathFilter(uris: readonly vscode.Uri[], globs: readonly string[], ignore: Map<string, GitIgnore>): Promise<vscode.Uri[]> {
    const folders = new Map<string, Promise<VsFolderPaths[]>>();
    const cache: LinkCache = new Map();
    const keep = new Array<boolean>(uris.length).fill(false);
    let next = 0;
    const worker = async () => {
      while (next < uris.length) {
        const i = next++;
        const uri = uris[i]!;
        const fsKey = `${uri.scheme}://${uri.authority}`;
        let f = folders.get(fsKey);
        if (!f) folders.set(fsKey, (f = foldersFor(uri)));
        keep[i] = (await this.realPathCheck(uri, globs, ignore, { folders: await f, cache })).ok;
      }
    };
    await Promise.all(Array.from({ length: Math.min(RESOLVE_CONCURRENCY, uris.length) }, worker));
    return uris.filter((_, i) => keep[i]);
  }

  private allowed(uri: vscode.Uri, globs: readonly string[], ignore: Map<string, GitIgnore>): boolean {
    const rel = matchPath(uri);
    if (matchesAnyGlob(rel, globs)) return false;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return !(folder && ignore.get(folder.uri.toString())?.ignores(rel));
  }

  private async build(): Promise<IndexedFile[]> {
    const started = Date.now();
    const globs = this.globs();
    const exclude = findExclude(globs);
    const [uris, ignore] = await Promise.all([vscode.workspace.findFiles('**/*', exclude, MAX_INDEXED_FILES), this.gitignoreRules(exclude)]);
    const lexical = uris.filter((uri) => this.allowed(uri, globs, ignore));
    const real = await this.realPathFilter(lexical, globs, ignore);
    const out: IndexedFile[] = real.map((uri) => ({ uri, path: displayPath(uri) }));
    out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const links = lexical.length - real.length;
    this.log(`context: indexed ${out.length} files of ${uris.length} found${uris.length >= MAX_INDEXED_FILES ? ' (the cap)' : ''}${links ? `, ${links} link${links === 1 ? '' : 's'} leaving the workspace or excluded there left out` : ''} in ${Date.now() - started} ms`);
    return out;
  }

  /** The .gitignore rules, read once per index; a failed read is not kept. */
  private gitignoreRules(exclude: string | null): Promise<Map<string, GitIgnore>> {
    if (!this.ignores) {
      const p = this.gitignores(exclude);
      this.ignores = p;
      p.catch(() => {
        if (this.ignores === p) this.ignores = undefined;
      });
    }
    return this.ignores;
  }

  /** The .gitignore rules of each workspace folder. */
  private async gitignores(exclude: string | null): Promise<Map<string, GitIgnore>> {
    const found = await vscode.workspace.findFiles('**/.gitignore', exclude, 1000);
    const byFolder = new Map<string, GitIgnore>();
    await Promise.all(
      found.map(async (uri) => {
        const folder = vscode.workspace.getWorkspaceFolder(uri);
        if (!folder) return;
        let text: string;
        try {
          const stat = await vscode.workspace.fs.stat(uri);
          if (stat.size > MAX_GITIGNORE_BYTES) return;
          text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
        } catch {
          return; // an unreadable .gitignore ignores nothing
        }
        const key = folder.uri.toString();
        let g = byFolder.get(key);
        if (!g) byFolder.set(key, (g = new GitIgnore()));
        const rel = matchPath(uri);
        for (const bad of g.add(rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '', text)) this.reportInvalid(displayPath(uri), bad.line, bad.error);
      }),
    );
    return byFolder;
  }
}

/** findFiles takes one exclude glob; patterns with braces of their own are checked afterwards instead (nested braces are not portable). */
function findExclude(globs: readonly string[]): string | null {
  const simple = globs.filter((g) => !/[{}]/.test(g));
  return simple.length ? `{${simple.join(',')}}` : null;
}
