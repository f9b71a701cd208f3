/**
 * `hearth.codebase.embeddingModel` in VS Code: search by meaning beside each
 * folder's lexical index. Per folder an EmbeddingIndex (src/shared/codebase/
 * embeddingIndex.ts) embeds the index's chunks in the background, in batches
 * through Ollama's /api/embed, stored beside the index (resumable: a reload goes
 * on from the last stored batch), synced again whenever the index settles; a
 * HybridSearch answers lexically until every chunk has a vector, then fuses the
 * two by reciprocal rank. Ollama down or a model failing halfway: the lexical
 * index answers alone, what was embedded is kept, and it is tried again later.
 * Changing the model (or the server) starts over with the new one; emptying it
 * goes back to lexical only. No runtime `vscode`: its unit tests run in Node.
 */
import type { CodebaseIndex, Disposable, IndexStorage } from '../../shared/codebase/codebaseIndex';
import { EmbeddingIndex, HybridSearch, type Embed, type Searchable } from '../../shared/codebase/embeddingIndex';
import { Emitter } from '../../shared/emitter';

/** What embeds: Ollama's /api/embed for one model (src/gateway/codebase/ollamaEmbedder.ts), or a test's. */
export interface Embedder {
  embed: Embed;
  close(): Promise<void>;
}

export interface CodebaseEmbeddingsOptions {
  /**
   * The model and the server to embed with, as the settings say now; undefined
   * for lexical only (no model, or a provider that cannot embed). `key` changes
   * exactly when the embedder must be made again (model, URL, headers).
   */
  target(): { model: string; key: string; create(): Embedder } | undefined;
  log(line: string): void;
  /** EmbeddingIndex tuning (tests shorten the retry). */
  retryMs?: number;
  batchSize?: number;
  /** A burst of index changes is embedded once, this long after the index settles. */
  syncDelayMs?: number;
}

/** Progress over every folder, and the last failure (said in the window's progress and the log). */
export interface EmbeddingsProgress {
  model: string;
  done: number;
  total: number;
  /** Some folder is embedding right now. */
  running: boolean;
  /** The last failure, while it stands (the build is tried again later). */
  error: string | null;
}

/** What the window's progress says while embedding. */
export function embeddingLabel(p: Pick<EmbeddingsProgress, 'model' | 'done' | 'total'>): string {
  return `Embedding ${p.done.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')} chunks (${p.model})`;
}

class FolderEmbeddings implements Disposable {
  readonly hybrid: HybridSearch;
  embeddings: EmbeddingIndex | undefined;
  running = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly subs: Disposable[] = [];
  /** Index changes seen, and how many of them the last finished sync covered: vectors of an index that changed since are not "complete". */
  private changes = 0;
  private synced = -1;

  constructor(
    readonly index: CodebaseIndex,
    readonly storage: IndexStorage | undefined,
    private readonly owner: CodebaseEmbeddings,
    private readonly syncDelayMs: number,
  ) {
    this.hybrid = new HybridSearch(index, undefined, (m) => owner.log(m));
    this.subs.push(
      index.onProgress((s) => {
        this.changes++;
        if (s.state === 'ready') this.syncSoon();
      }),
    );
  }

  /** Every chunk of the index as it is now has a vector. */
  complete(): boolean {
    const e = this.embeddings;
    if (!e || this.synced !== this.changes) return false;
    // A folder with nothing to embed (empty) does not hold the others back.
    return e.complete() || (e.status().total === 0 && e.error === null);
  }

  search(query: string, options: { limit?: number; signal?: AbortSignal } | undefined, fuse: boolean) {
    return fuse ? this.hybrid.search(query, options) : this.index.search(query, options);
  }

  /** The new model's index (or none); the old one stops at its next batch and stores what it did. */
  use(next: EmbeddingIndex | undefined): void {
    const old = this.embeddings;
    this.embeddings = next;
    this.hybrid.setEmbeddings(next);
    // The old one stores what it did before the new one (same storage) starts, so the last write is the new model's.
    const closed = old ? old.close() : Promise.resolve();
    if (next) {
      this.subs.push(next.onProgress(() => this.owner.changed()));
      void closed.then(() => this.embeddings === next && this.index.state().state === 'ready' && this.sync());
    }
    this.owner.changed();
  }

  private syncSoon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sync();
    }, this.syncDelayMs);
  }

  private sync(): void {
    const e = this.embeddings;
    if (!e) return;
    this.running = true;
    const at = this.changes;
    this.owner.changed();
    void e.sync().finally(() => {
      if (this.embeddings !== e) return;
      this.synced = at;
      this.running = false;
      this.owner.changed();
    });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.subs.splice(0)) d.dispose();
    // Stored as far as it got: the next start goes on from there.
    void this.embeddings?.close();
    this.embeddings = undefined;
  }
}

export class CodebaseEmbeddings implements Disposable {
  private readonly folders = new Set<FolderEmbeddings>();
  private embedder: { key: string; model: string; embedder: Embedder } | undefined;
  private readonly changes = new Emitter<EmbeddingsProgress | undefined>();
  private disposed = false;

  constructor(private readonly o: CodebaseEmbeddingsOptions) {}

  log(line: string): void {
    this.o.log(line);
  }

  /** A folder's index: its search is fused with meaning once its chunks are embedded. Disposing it stops its embedding. */
  attach(index: CodebaseIndex, storage: IndexStorage | undefined): Searchable & Disposable {
    const f = new FolderEmbeddings(index, storage, this, this.o.syncDelayMs ?? 1_000);
    this.folders.add(f);
    const target = this.current();
    if (target) f.use(this.indexFor(f, target.model, target.embedder));
    return {
      // Fused only when every folder is complete: a multi-root search merges folders by score, and fused and lexical scores do not compare.
      // A folder changed since its last sync (a new file's chunks have no vector yet) is not complete: lexical alone until then, so a new file is not outranked by old ones found by meaning too.
      search: (q, opts) => f.search(q, opts, this.complete()),
      dispose: () => {
        this.folders.delete(f);
        f.dispose();
        this.changed();
      },
    };
  }

  /** The settings changed: a new model or server starts over (each folder's vectors of another model are discarded); none goes back to lexical only. */
  settingsChanged(): void {
    const t = this.o.target();
    if (t?.key === this.embedder?.key) return;
    const old = this.embedder;
    this.embedder = undefined;
    const next = this.current();
    for (const f of this.folders) f.use(next ? this.indexFor(f, next.model, next.embedder) : undefined);
    // After the folders let go of it (their builds stop at the next batch).
    if (old) void old.embedder.close().catch(() => undefined);
    this.o.log(next ? `codebase embeddings: embedding with '${next.model}'` : 'codebase embeddings: off (lexical search only)');
  }

  /** Over every folder; undefined when no model is chosen. */
  progress(): EmbeddingsProgress | undefined {
    const e = this.embedder;
    if (!e) return undefined;
    let done = 0;
    let total = 0;
    let running = false;
    let error: string | null = null;
    for (const f of this.folders) {
      const s = f.embeddings?.status();
      done += s?.done ?? 0;
      total += s?.total ?? 0;
      // Its own retry (after a failure) runs without us: an unfinished index that has not failed is at work.
      running ||= f.running || (!!s && s.done < s.total && !f.embeddings?.error);
      error ??= f.embeddings?.error ?? null;
    }
    return { model: e.model, done, total, running, error };
  }

  /** Every folder's chunks have vectors: searches are fused. */
  complete(): boolean {
    return this.folders.size > 0 && [...this.folders].every((f) => f.complete());
  }

  onDidChange(listener: (p: EmbeddingsProgress | undefined) => void): Disposable {
    return this.changes.on(listener);
  }

  /** For the folders: something moved. */
  changed(): void {
    if (!this.disposed) this.changes.fire(this.progress());
  }

  dispose(): void {
    if (this.disposed) return;
    for (const f of [...this.folders]) f.dispose();
    this.folders.clear();
    this.disposed = true;
    this.changes.dispose();
    const e = this.embedder;
    this.embedder = undefined;
    if (e) void e.embedder.close().catch(() => undefined);
  }

  private current(): { model: string; embedder: Embedder } | undefined {
    if (this.embedder) return this.embedder;
    const t = this.o.target();
    if (!t) return undefined;
    this.embedder = { key: t.key, model: t.model, embedder: t.create() };
    return this.embedder;
  }

  private indexFor(f: FolderEmbeddings, model: string, embedder: Embedder): EmbeddingIndex {
    return new EmbeddingIndex({
      model,
      embed: (texts, signal) => embedder.embed(texts, signal),
      source: f.index,
      ...(f.storage ? { storage: f.storage } : {}),
      log: (m) => this.o.log(m),
      ...(this.o.retryMs !== undefined ? { retryMs: this.o.retryMs } : {}),
      ...(this.o.batchSize !== undefined ? { batchSize: this.o.batchSize } : {}),
    });
  }
}
