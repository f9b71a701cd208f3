/**
 * The workspace's codebase index: walks the workspace through a FileSource,
 * leaves out what the `@` picker leaves out (exclusion globs, .gitignore,
 * secret patterns, files whose real path is outside the workspace, binary and
 * oversized files), chunks and indexes the rest, keeps it fresh from pushed
 * changes, stores it through an IndexStorage and answers searches. No vscode,
 * no Node built-ins: the extension and the standalone gateway each plug in
 * their file system and storage. Work on the caller's thread is cut into
 * slices of at most `sliceMs` between yields. See README.md beside this file.
 */
import { DEFAULT_CONTEXT_EXCLUDE, decodeText } from '../contextRules';
import { Emitter } from '../emitter';
import { GitIgnore } from '../gitignore';
import { matchesAnyGlob } from '../glob';
import { chunkFile, type Chunk } from './chunker';
import { looksMinified, roleOfPath } from './fileRole';
import { DEFAULT_TUNING, LexicalIndex, type RankingTuning } from './lexicalIndex';
import { type IndexState, type IndexStatus, type SearchResult } from './schemas';
import { decodeStored, encodeStored } from './storedIndex';
import { queryTerms } from './terms';

export type EntryType = 'file' | 'dir' | 'symlink' | 'other';

export interface DirEntry {
  name: string;
  type: EntryType;
}

export interface FileStat {
  /** Of the file a symlink points to. */
  type: Exclude<EntryType, 'symlink'>;
  size: number;
  /** Modification time, ms. */
  mtime: number;
}

export interface Disposable {
  dispose(): void;
}

/** The workspace's files, by workspace-relative path with `/` ('' = the root). Every method may reject (a vanished or unreadable file). */
export interface FileSource {
  readDir(rel: string): Promise<DirEntry[]>;
  /** Follows symlinks. */
  stat(rel: string): Promise<FileStat>;
  read(rel: string): Promise<Uint8Array>;
  /** The file's real path (symlinks resolved) relative to the workspace root, or null when it lies outside the workspace. */
  realPath(rel: string): Promise<string | null>;
  /** Optional: calls back with paths that changed (created, saved, deleted, renamed; a folder for many). The index may also be told through `notify`. */
  watch?(onChange: (rels: string[]) => void): Disposable;
}

/** One text blob per workspace (the extension's workspace storage; a file under the gateway's data folder): the embeddings' store. */
export interface IndexStorage {
  read(): Promise<string | undefined>;
  write(data: string): Promise<void>;
}

/** One binary blob per workspace: the lexical index's store (storedIndex.ts). */
export interface IndexBlobStorage {
  readBytes(): Promise<Uint8Array | undefined>;
  writeBytes(data: Uint8Array): Promise<void>;
}

/** Files VS Code leaves out of search by default (files.exclude, search.exclude); the gateway uses them as its settings. */
export const DEFAULT_INDEX_EXCLUDE: readonly string[] = ['**/.git', '**/.svn', '**/.hg', '**/CVS', '**/.DS_Store', '**/Thumbs.db', '**/node_modules', '**/bower_components', '**/*.code-search'];

/** Files the index never reads: their extensions say they are not text. */
const BINARY_EXTENSIONS = /\.(?:png|jpe?g|gif|bmp|ico|icns|webp|avif|tiff?|psd|pdf|zip|gz|tgz|bz2|xz|7z|rar|jar|war|class|dll|exe|so|dylib|o|a|lib|obj|bin|dat|db|sqlite3?|wasm|woff2?|ttf|otf|eot|mp[34]|m4a|mov|avi|mkv|webm|ogg|wav|flac|pyc|pyo|node|vsix|iso|dmg|img|pack|idx|parquet|npy|pkl|pt|onnx|safetensors)$/i;

export interface CodebaseIndexOptions {
  source: FileSource;
  storage?: IndexBlobStorage;
  /** Globs of files never indexed (files.exclude, search.exclude, hearth.context.exclude). Default: DEFAULT_INDEX_EXCLUDE and DEFAULT_CONTEXT_EXCLUDE. */
  exclude?: readonly string[];
  /** Honour .gitignore files (default true). */
  gitignore?: boolean;
  /** The workspace's rule for files that may be read (the real path inside the workspace and allowed); called with the path and its real path. */
  mayIndex?: (rel: string, realRel: string) => boolean;
  /** At most this many files (default 50,000); more is said in the status. */
  maxFiles?: number;
  /** Larger files are skipped (default 1 MB). */
  maxFileBytes?: number;
  /** Longest stretch of work between yields to the caller's event loop (default 20 ms). */
  sliceMs?: number;
  /** Changes are gathered for this long before they are applied (default 100 ms). */
  debounceMs?: number;
  /** The stored index is written this long after the last change (default 2 s). */
  saveDelayMs?: number;
  tuning?: RankingTuning;
  /** Chunks by syntax (syntaxChunker.ts: tree-sitter); its undefined, or its absence, means the regex chunker (chunker.ts). */
  chunker?: { chunk(path: string, lines: readonly string[]): Promise<Chunk[] | undefined> };
  log?: (message: string) => void;
}

export interface SearchOptions {
  limit?: number;
  signal?: AbortSignal;
}

interface Meta {
  size: number;
  mtime: number;
}

type Skip = 'binary' | 'too_large' | 'unreadable' | 'outside';

/** Files stat'ed at once during a scan. */
const STAT_BATCH = 64;

/** Longest line a search result carries whole. */
const MAX_RESULT_LINE = 1000;

/** A chunk's lines as a result shows them: a minified line is cut (a result is for reading, and the model's window is small). */
function cutChunk(all: readonly string[], startLine: number, endLine: number): { end: number; text: string } {
  const end = Math.min(endLine, all.length);
  const text = all.slice(startLine - 1, end).map((l) => (l.length > MAX_RESULT_LINE ? `${l.slice(0, MAX_RESULT_LINE)}…` : l)).join('\n');
  return { end: Math.max(startLine, end), text };
}

const yieldToLoop = () => new Promise<void>((r) => setTimeout(r, 0));

export class CodebaseIndex implements Disposable {
  private readonly lexical: LexicalIndex;
  private readonly meta = new Map<string, Meta>();
  private readonly progressEmitter = new Emitter<IndexStatus>();
  private readonly opts: Required<Omit<CodebaseIndexOptions, 'storage' | 'mayIndex' | 'log' | 'tuning' | 'chunker'>> & Pick<CodebaseIndexOptions, 'storage' | 'mayIndex' | 'log' | 'chunker'>;
  private phase: IndexState = 'off';
  private found = 0;
  private capped = false;
  private readonly skipped = new Map<string, Skip>();
  private message: string | null = null;
  private gitignore = new GitIgnore();
  private readonly watcher: Disposable | undefined;
  private readonly pending = new Set<string>();
  private debounceTimer: ReturnType<typeof setTimeout> | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private work: Promise<void> = Promise.resolve();
  private readonly abort = new AbortController();
  private sliceStart = 0;
  private dirty = false;
  private disposed = false;

  constructor(options: CodebaseIndexOptions) {
    this.opts = {
      exclude: [...DEFAULT_INDEX_EXCLUDE, ...DEFAULT_CONTEXT_EXCLUDE],
      gitignore: true,
      maxFiles: 50_000,
      maxFileBytes: 1024 * 1024,
      sliceMs: 20,
      debounceMs: 100,
      saveDelayMs: 2000,
      ...options,
    };
    this.lexical = new LexicalIndex(options.tuning ?? DEFAULT_TUNING);
    this.watcher = options.source.watch?.((rels) => this.notify(rels));
  }

  /** Progress and state changes (at most one per slice). */
  onProgress(listener: (s: IndexStatus) => void): Disposable {
    return this.progressEmitter.on(listener);
  }

  state(): IndexStatus {
    const counts = { binary: 0, too_large: 0, unreadable: 0, outside: 0 };
    for (const why of this.skipped.values()) counts[why]++;
    return {
      state: this.phase,
      files: this.found,
      indexed_files: this.lexical.fileCount,
      chunks: this.lexical.chunkCount,
      embeddings: null,
      capped: this.capped,
      skipped: counts,
      message: this.message,
    };
  }

  /** Loads the stored index (if any and valid), then brings it up to date with the workspace. Resolves when the index is ready. */
  start(): Promise<void> {
    return this.enqueue(async () => {
      if (this.phase === 'off') await this.load();
      await this.scan();
    });
  }

  /** Forgets everything stored and indexes the workspace again. */
  rebuild(): Promise<void> {
    return this.enqueue(async () => {
      this.lexical.clear();
      this.meta.clear();
      this.skipped.clear();
      await this.scan();
    });
  }

  /** Paths that changed (files or folders; created, saved, deleted, renamed). Applied within `debounceMs`, in order with other work. */
  notify(rels: readonly string[]): void {
    if (this.disposed) return;
    for (const r of rels) this.pending.add(normalize(r));
    if (this.debounceTimer) return;
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined;
      const batch = [...this.pending];
      this.pending.clear();
      void this.enqueue(() => this.applyChanges(batch));
    }, this.opts.debounceMs);
  }

  /** Resolves once every change notified so far is searchable. */
  async settled(): Promise<void> {
    while (this.debounceTimer || this.pending.size) {
      await new Promise((r) => setTimeout(r, this.opts.debounceMs));
    }
    await this.work;
  }

  /** The best chunks for a question, best first (distinct files first). An index still building answers from what it has. */
  async search(query: string, options: SearchOptions = {}): Promise<SearchResult[]> {
    const limit = Math.max(1, Math.min(options.limit ?? 10, 50));
    // Ids are resolved before any await: a compaction finishing meanwhile renumbers them.
    const hits = this.lexical.search(queryTerms(query), limit).map((h) => ({ score: h.score, path: this.lexical.pathOf(h.file)!, chunk: this.lexical.chunk(h.chunk)! }));
    const texts = new Map<string, Promise<string[] | undefined>>();
    const results: SearchResult[] = [];
    for (const { path, chunk, score } of hits) {
      options.signal?.throwIfAborted();
      let lines = texts.get(path);
      if (!lines) {
        lines = this.readLines(path);
        texts.set(path, lines);
      }
      const all = await lines;
      if (!all) continue; // vanished since it was indexed; its removal is on the way
      const { end, text } = cutChunk(all, chunk.startLine, chunk.endLine);
      results.push({ path, start_line: chunk.startLine, end_line: end, symbol: chunk.symbol, score: Math.round(score * 1000) / 1000, text });
    }
    options.signal?.throwIfAborted();
    return results;
  }

  // ---- for the embedding index (embeddingIndex.ts: ChunkSource) ----

  /** Every indexed chunk with its text, file by file; files gone since they were indexed are left out. */
  async *chunks(signal?: AbortSignal): AsyncGenerator<Omit<SearchResult, 'score'>> {
    for (const path of this.lexical.paths()) {
      signal?.throwIfAborted();
      const all = await this.readLines(path);
      if (!all) continue;
      // Resolved before the first yield: the consumer's awaits may let a compaction renumber ids.
      const chunks = this.lexical.chunksOf(path).map((id) => this.lexical.chunk(id)!);
      for (const chunk of chunks) {
        const { end, text } = cutChunk(all, chunk.startLine, chunk.endLine);
        yield { path, start_line: chunk.startLine, end_line: end, symbol: chunk.symbol, text };
      }
    }
  }

  /** One chunk's current text, cut as search results are; undefined when its file is gone. */
  async chunkText(path: string, startLine: number, endLine: number): Promise<string | undefined> {
    const all = await this.readLines(path);
    return all && cutChunk(all, startLine, endLine).text;
  }

  /** Writes the index now if it changed. */
  async flush(): Promise<void> {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    await this.enqueue(() => this.save());
  }

  /** Stops work in progress at its next slice, stores what is indexed so far (a restart goes on from there), and disposes. */
  async close(): Promise<void> {
    if (this.disposed) return;
    this.abort.abort();
    await this.work;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    await this.save();
    this.dispose();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.abort.abort();
    this.watcher?.dispose();
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.progressEmitter.dispose();
    this.phase = 'off';
  }

  // ---- internals ----

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.work.then(async () => {
      if (this.disposed) return;
      try {
        await task();
      } catch (e) {
        if (!this.abort.signal.aborted) this.opts.log?.(`codebase index: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
    this.work = run;
    return run;
  }

  /** Yields to the event loop when the current slice has run for `sliceMs`; throws once the index is closing. */
  private async slice(): Promise<void> {
    this.abort.signal.throwIfAborted();
    await this.pace();
    this.abort.signal.throwIfAborted();
  }

  /** Yields to the event loop when the current slice has run for `sliceMs` (saving on close goes on after the abort). */
  private async pace(): Promise<void> {
    if (performance.now() - this.sliceStart < this.opts.sliceMs) return;
    await yieldToLoop();
    this.sliceStart = performance.now();
  }

  /** Runs a generator of work steps to its end, yielding to the event loop between steps as the slice runs out. */
  private async drive<T>(steps: Generator<void, T>, pace: () => Promise<void>): Promise<T> {
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      await pace();
    }
  }

  /** Drops removed chunks' postings when enough have gathered, in slices. */
  private async compactIfNeeded(): Promise<void> {
    if (this.lexical.needsCompaction) await this.drive(this.lexical.compact(), () => this.slice());
  }

  private emit(): void {
    this.progressEmitter.fire(this.state());
  }

  /** A file's lines for a result (it was judged text when indexed); undefined when it is gone or now too large. */
  private async readLines(rel: string): Promise<string[] | undefined> {
    try {
      const bytes = await this.opts.source.read(rel);
      if (bytes.length > this.opts.maxFileBytes) return undefined;
      let text = new TextDecoder('utf-8').decode(bytes);
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      return splitLines(text);
    } catch {
      return undefined;
    }
  }

  private excluded(rel: string, isDir: boolean): boolean {
    return matchesAnyGlob(rel, this.opts.exclude) || (this.opts.gitignore && this.gitignore.ignores(rel, isDir));
  }

  private async load(): Promise<void> {
    this.phase = 'indexing';
    const storage = this.opts.storage;
    if (!storage) return;
    this.sliceStart = performance.now();
    let raw: Uint8Array | undefined;
    try {
      raw = await storage.readBytes();
    } catch (e) {
      this.opts.log?.(`codebase index: the stored index could not be read (${e instanceof Error ? e.message : String(e)}); indexing anew`);
      return;
    }
    if (raw === undefined) return;
    try {
      const stored = await this.drive(decodeStored(raw), () => this.slice());
      raw = undefined;
      await this.drive(this.lexical.decode(stored.cols), () => this.slice());
      const { paths } = stored.cols;
      for (let f = 0; f < paths.length; f++) {
        this.meta.set(paths[f]!, { size: stored.sizes[f]!, mtime: stored.mtimes[f]! });
        if (f % 4096 === 4095) await this.slice();
      }
    } catch (e) {
      if (this.abort.signal.aborted) throw e;
      this.lexical.clear();
      this.meta.clear();
      this.opts.log?.(`codebase index: the stored index is of another version or damaged (${e instanceof Error ? e.message : String(e)}); indexing anew`);
      return;
    }
    this.emit();
  }

  /** Writes the index in slices (searches go on meanwhile; changes wait their turn in the queue). */
  private async save(): Promise<void> {
    const storage = this.opts.storage;
    if (!storage || !this.dirty || this.disposed) return;
    this.dirty = false;
    this.sliceStart = performance.now();
    try {
      const pace = () => this.pace();
      const cols = await this.drive(this.lexical.encode(), pace);
      const bytes = await this.drive(encodeStored(cols, (p) => this.meta.get(p)), pace);
      await storage.writeBytes(bytes);
    } catch (e) {
      this.dirty = true;
      this.message = `The codebase index could not be saved (${e instanceof Error ? e.message : String(e)}); it works, but will be rebuilt after a restart.`;
      this.emit();
    }
  }

  private scheduleSave(): void {
    this.dirty = true;
    if (!this.opts.storage || this.disposed) return;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.enqueue(() => this.save());
    }, this.opts.saveDelayMs);
  }

  /** Walks the workspace, then indexes what is new or changed and drops what is gone. */
  private async scan(): Promise<void> {
    this.phase = 'indexing';
    this.sliceStart = performance.now();
    this.gitignore = new GitIgnore();
    const files = await this.walk();
    this.found = files.length;
    this.emit();
    const present = new Set(files);
    for (const p of this.lexical.paths()) {
      if (!present.has(p)) {
        this.lexical.remove(p);
        this.meta.delete(p);
        this.dirty = true;
      }
    }
    for (const p of [...this.skipped.keys()]) if (!present.has(p)) this.skipped.delete(p);
    let lastEmit = performance.now();
    // Stats go out in batches (a restart mostly stats unchanged files; one at a time, their latency would add up).
    for (let i = 0; i < files.length; i += STAT_BATCH) {
      const batch = files.slice(i, i + STAT_BATCH);
      const stats = await Promise.all(batch.map((p) => this.opts.source.stat(p).catch(() => undefined)));
      for (let j = 0; j < batch.length; j++) {
        await this.slice();
        await this.indexFile(batch[j]!, stats[j] ?? null);
      }
      if (performance.now() - lastEmit > 250) {
        lastEmit = performance.now();
        this.emit();
      }
    }
    await this.compactIfNeeded();
    this.phase = 'ready';
    this.message = this.capped ? `The workspace has more than ${this.opts.maxFiles.toLocaleString('en-US')} files; only the first ${this.opts.maxFiles.toLocaleString('en-US')} are indexed.` : null;
    this.emit();
    if (this.dirty) this.scheduleSave();
  }

  /** Every file the index may hold, up to the cap; .gitignore files are read on the way down. */
  private async walk(): Promise<string[]> {
    const out: string[] = [];
    this.capped = false;
    const dirs = [''];
    while (dirs.length) {
      const dir = dirs.pop()!;
      let entries: DirEntry[];
      try {
        entries = await this.opts.source.readDir(dir);
      } catch {
        continue; // a folder that vanished or cannot be listed
      }
      await this.slice();
      if (this.opts.gitignore && entries.some((e) => e.name === '.gitignore' && e.type === 'file')) {
        try {
          const r = decodeText('.gitignore', await this.opts.source.read(join(dir, '.gitignore')), 1024);
          if (r.ok) this.gitignore.add(dir, r.text);
        } catch {
          // unreadable .gitignore: nothing more is ignored
        }
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const subdirs: string[] = [];
      for (const e of entries) {
        const rel = join(dir, e.name);
        // Symlinked folders are not followed: their contents, when inside the workspace, are indexed where they really are (and a loop cannot form).
        if (e.type === 'dir') {
          if (!this.excluded(rel, true)) subdirs.push(rel);
        } else if (e.type === 'file' || e.type === 'symlink') {
          if (this.excluded(rel, false)) continue;
          if (out.length >= this.opts.maxFiles) {
            this.capped = true;
            return out;
          }
          out.push(rel);
        }
      }
      // Depth-first in name order: pop takes the first name next.
      for (let i = subdirs.length - 1; i >= 0; i--) dirs.push(subdirs[i]!);
    }
    return out;
  }

  /** Indexes one file if new or changed; records why it was skipped otherwise. `stat`: already taken (null: it failed). Never throws. */
  private async indexFile(rel: string, stat?: FileStat | null): Promise<void> {
    const skip = (why: Skip | undefined) => {
      if (this.lexical.remove(rel)) this.dirty = true;
      this.meta.delete(rel);
      if (why) this.skipped.set(rel, why);
      else this.skipped.delete(rel);
    };
    let st: FileStat;
    try {
      if (stat === null) throw new Error('vanished');
      st = stat ?? (await this.opts.source.stat(rel));
    } catch {
      return skip(undefined); // vanished
    }
    if (st.type !== 'file') return skip(undefined);
    const known = this.meta.get(rel);
    if (known && known.size === st.size && known.mtime === st.mtime && (this.lexical.has(rel) || this.skipped.has(rel))) return;
    if (BINARY_EXTENSIONS.test(rel)) return skip('binary');
    if (st.size > this.opts.maxFileBytes) return skip('too_large');
    let real: string | null;
    try {
      real = await this.opts.source.realPath(rel);
    } catch {
      return skip('unreadable');
    }
    if (real === null || (real !== rel && this.excluded(real, false)) || (this.opts.mayIndex && !this.opts.mayIndex(rel, real))) return skip('outside');
    let bytes: Uint8Array;
    try {
      bytes = await this.opts.source.read(rel);
    } catch {
      return skip('unreadable');
    }
    const decoded = decodeText(rel, bytes, Math.ceil(this.opts.maxFileBytes / 1024));
    // Under the byte cap but over an attachment's character cap: machine-written text, findable by name.
    const overChars = !decoded.ok && decoded.reason === 'tooLarge';
    if (!decoded.ok && !overChars) return skip(decoded.reason === 'binary' ? 'binary' : 'unreadable');
    await this.slice();
    const text = decoded.ok ? decoded.text : '';
    this.skipped.delete(rel);
    if (overChars || looksMinified(text)) {
      // Findable by its name only: its text would flood the index with noise.
      this.lexical.add(rel, 'generated', [rel], [{ startLine: 1, endLine: 1, symbol: null, container: null }]);
    } else {
      const lines = splitLines(text);
      let chunks = await this.opts.chunker?.chunk(rel, lines);
      if (!chunks) {
        if (this.opts.chunker) await this.slice(); // a parse that gave up may have used this slice
        chunks = chunkFile(rel, lines);
      }
      this.lexical.add(rel, roleOfPath(rel), lines, chunks);
    }
    this.meta.set(rel, { size: st.size, mtime: st.mtime });
    this.dirty = true;
  }

  private async applyChanges(paths: string[]): Promise<void> {
    this.sliceStart = performance.now();
    if (paths.some((p) => p === '' || baseOf(p) === '.gitignore')) {
      await this.scan(); // which files are ignored may have changed anywhere below
      return;
    }
    const files: string[] = [];
    for (const p of paths) {
      let st: FileStat | undefined;
      try {
        st = await this.opts.source.stat(p);
      } catch {
        st = undefined;
      }
      if (st?.type === 'dir') {
        // A folder created, renamed or switched (a branch checkout): what lies under it now, and what the index had under it.
        const under = await this.walkUnder(p);
        for (const known of this.lexical.paths()) if (known.startsWith(p + '/') && !under.has(known)) files.push(known);
        files.push(...under);
      } else if (!st) {
        files.push(p);
        for (const known of this.lexical.paths()) if (known.startsWith(p + '/')) files.push(known); // a deleted folder
      } else files.push(p);
    }
    for (const f of files) {
      await this.slice();
      if (this.excluded(f, false)) {
        if (this.lexical.remove(f)) this.dirty = true;
        this.meta.delete(f);
        continue;
      }
      await this.indexFile(f);
      if (!this.lexical.has(f) && !this.skipped.has(f)) this.meta.delete(f);
    }
    await this.compactIfNeeded();
    this.found = this.lexical.fileCount + this.skipped.size;
    this.emit();
    if (this.dirty) this.scheduleSave();
  }

  private async walkUnder(dir: string): Promise<Set<string>> {
    const out = new Set<string>();
    const dirs = [dir];
    while (dirs.length) {
      const d = dirs.pop()!;
      if (this.excluded(d, true)) continue;
      let entries: DirEntry[];
      try {
        entries = await this.opts.source.readDir(d);
      } catch {
        continue;
      }
      for (const e of entries) {
        const rel = join(d, e.name);
        if (e.type === 'dir') dirs.push(rel);
        else if ((e.type === 'file' || e.type === 'symlink') && !this.excluded(rel, false)) out.add(rel);
      }
      await this.slice();
    }
    return out;
  }
}

/** A text's lines; a final newline does not start another line. */
function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function join(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}

function baseOf(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function normalize(rel: string): string {
  return rel.replace(/\\/g, '/').replace(/^\.?\/+/, '').replace(/\/+$/, '');
}
