/**
 * Optional meaning-based search beside the lexical index: chunk vectors from an
 * embedding model, stored per workspace keyed by a hash of the chunk's text (so
 * only changed chunks are embedded again), built in the background in batches,
 * resumable, and fused with the lexical results by reciprocal rank fusion.
 * Pure: the embedder (Ollama's /api/embed) and the storage are injected.
 */
import { z } from 'zod';
import { Emitter } from '../emitter';
import type { Disposable, IndexStorage } from './codebaseIndex';
import { embeddingStatusSchema, type SearchResult } from './schemas';

export type EmbeddingStatus = z.infer<typeof embeddingStatusSchema>;

/** Turns texts into vectors, one per text, in order. Rejects with the signal's reason when aborted. */
export type Embed = (texts: string[], signal: AbortSignal) => Promise<number[][]>;

/** A chunk as the embedding index sees it. */
export type ChunkText = Omit<SearchResult, 'score'>;

/** Where chunks come from: `CodebaseIndex` is one. */
export interface ChunkSource {
  /** Every indexed chunk with its text, file by file. */
  chunks(signal?: AbortSignal): AsyncIterable<ChunkText>;
  /** A chunk's current text (for a result found only by meaning), undefined when its file is gone. */
  chunkText(path: string, startLine: number, endLine: number): Promise<string | undefined>;
}

export interface EmbeddingIndexOptions {
  model: string;
  embed: Embed;
  source: ChunkSource;
  /** One blob per workspace, beside the lexical index's. */
  storage?: IndexStorage;
  /** Texts per /api/embed request. */
  batchSize?: number;
  /** Stored after this many batches (and when a build stops): a restart goes on from there. */
  saveEveryBatches?: number;
  /** After a failure (Ollama down, the model failing halfway), the build is tried again this much later. */
  retryMs?: number;
  /** Longest text sent, in characters (models truncate anyway; this bounds the request). */
  maxChars?: number;
  log?: (line: string) => void;
}

export const EMBEDDINGS_FORMAT = 'hearth-codebase-embeddings';
export const EMBEDDINGS_VERSION = 1;

const storedSchema = z.object({
  format: z.literal(EMBEDDINGS_FORMAT),
  version: z.literal(EMBEDDINGS_VERSION),
  model: z.string(),
  dims: z.number().int().positive(),
  /** Content hash → base64 of the little-endian float32 vector. */
  vectors: z.record(z.string(), z.string()),
});

/** A 53-bit hash of a chunk's text (cyrb53): a key that changes when the text does. */
export function contentKey(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36) + text.length.toString(36);
}

function normalized(v: readonly number[]): Float32Array {
  const out = Float32Array.from(v);
  let sum = 0;
  for (const x of out) sum += x * x;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i] /= norm;
  return out;
}

function toBase64(v: Float32Array): string {
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(s: string, dims: number): Float32Array | undefined {
  const bin = atob(s);
  if (bin.length !== dims * 4) return undefined;
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

interface Entry {
  path: string;
  start: number;
  end: number;
  symbol: string | null;
  key: string;
}

const yieldToLoop = () => new Promise<void>((r) => setTimeout(r, 0));

export class EmbeddingIndex implements Disposable {
  readonly model: string;
  private readonly opts: Required<Omit<EmbeddingIndexOptions, 'storage' | 'log'>> & Pick<EmbeddingIndexOptions, 'storage' | 'log'>;
  private vectors = new Map<string, Float32Array>();
  private dims = 0;
  private entries: Entry[] = [];
  private done = 0;
  private loaded = false;
  private running: Promise<void> | undefined;
  private again = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly abort = new AbortController();
  private readonly progressEmitter = new Emitter<EmbeddingStatus>();
  private disposed = false;
  /** The last failure, for the user; null while all is well. */
  error: string | null = null;

  constructor(options: EmbeddingIndexOptions) {
    this.model = options.model;
    this.opts = { batchSize: 32, saveEveryBatches: 8, retryMs: 60_000, maxChars: 8_000, ...options };
  }

  onProgress(listener: (s: EmbeddingStatus) => void): Disposable {
    return this.progressEmitter.on(listener);
  }

  /** `{model, done, total}`: chunks with a vector out of the chunks indexed (GET /index's `embeddings`). */
  status(): EmbeddingStatus {
    return { model: this.model, done: this.done, total: this.entries.length };
  }

  /** Every indexed chunk has a vector: only then does search fuse (before, the lexical index answers alone). */
  complete(): boolean {
    return this.loaded && this.entries.length > 0 && this.done === this.entries.length;
  }

  /**
   * Brings the vectors up to date with the source's chunks: embeds the chunks
   * whose text has no vector yet, in batches. Called again while running, it
   * runs once more after. Never rejects; a failure is kept in `error`, what is
   * done is stored, and it is tried again after `retryMs`.
   */
  sync(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const run = (async () => {
      do {
        this.again = false;
        try {
          await this.build();
          this.error = null;
        } catch (e) {
          if (this.abort.signal.aborted) return;
          this.error = `Embedding with '${this.model}' stopped: ${e instanceof Error ? e.message : String(e)}`;
          this.opts.log?.(`codebase embeddings: ${this.error}`);
          await this.save().catch(() => undefined);
          this.retryTimer = setTimeout(() => void this.sync(), this.opts.retryMs);
          return;
        }
      } while (this.again && !this.disposed);
    })().finally(() => {
      this.running = undefined;
      this.emit();
    });
    this.running = run;
    return run;
  }

  /**
   * The question's nearest chunks by cosine, best first, with their text; []
   * when embeddings are not complete. Rejects when the embedder does.
   */
  async nearest(query: string, limit: number, signal?: AbortSignal): Promise<SearchResult[]> {
    if (!this.complete()) return [];
    const [raw] = await this.opts.embed([query], signal ?? this.abort.signal);
    if (!raw || raw.length !== this.dims) return [];
    const q = normalized(raw);
    const top: { e: Entry; score: number }[] = [];
    const seen = new Set<string>();
    for (const e of this.entries) {
      const v = this.vectors.get(e.key);
      if (!v) continue;
      let dot = 0;
      for (let i = 0; i < v.length; i++) dot += v[i] * q[i];
      if (top.length < limit || dot > top[top.length - 1].score) {
        const id = `${e.path}:${e.start}`;
        if (seen.has(id)) continue;
        seen.add(id);
        top.push({ e, score: dot });
        top.sort((a, b) => b.score - a.score);
        if (top.length > limit) top.pop();
      }
    }
    const out: SearchResult[] = [];
    for (const { e, score } of top) {
      signal?.throwIfAborted();
      const text = await this.opts.source.chunkText(e.path, e.start, e.end);
      if (text === undefined) continue;
      out.push({ path: e.path, start_line: e.start, end_line: e.end, symbol: e.symbol, score: Math.round(score * 1000) / 1000, text });
    }
    return out;
  }

  /** Stops a build at its next batch and stores what is done (a restart goes on from there). */
  async close(): Promise<void> {
    if (this.disposed) return;
    this.abort.abort();
    await this.running;
    await this.save().catch(() => undefined);
    this.dispose();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.abort.abort();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.progressEmitter.dispose();
  }

  // ---- internals ----

  private emit(): void {
    if (!this.disposed) this.progressEmitter.fire(this.status());
  }

  private async load(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    const blob = await this.opts.storage?.read().catch(() => undefined);
    if (!blob) return;
    let parsed: z.infer<typeof storedSchema>;
    try {
      parsed = storedSchema.parse(JSON.parse(blob));
    } catch {
      this.opts.log?.('codebase embeddings: the stored vectors are damaged or of another version; embedding again');
      return;
    }
    // Another model's vectors mean nothing to this one: discarded.
    if (parsed.model !== this.model) return;
    this.dims = parsed.dims;
    for (const [key, b64] of Object.entries(parsed.vectors)) {
      const v = fromBase64(b64, parsed.dims);
      if (v) this.vectors.set(key, v);
    }
  }

  private async save(): Promise<void> {
    if (!this.opts.storage || !this.dims) return;
    const vectors: Record<string, string> = {};
    for (const [k, v] of this.vectors) vectors[k] = toBase64(v);
    await this.opts.storage.write(JSON.stringify({ format: EMBEDDINGS_FORMAT, version: EMBEDDINGS_VERSION, model: this.model, dims: this.dims, vectors }));
  }

  private async build(): Promise<void> {
    const signal = this.abort.signal;
    await this.load();
    const entries: Entry[] = [];
    const missing = new Map<string, string>();
    for await (const c of this.opts.source.chunks(signal)) {
      const key = contentKey(c.text);
      entries.push({ path: c.path, start: c.start_line, end: c.end_line, symbol: c.symbol, key });
      if (!this.vectors.has(key)) missing.set(key, c.text.slice(0, this.opts.maxChars));
    }
    signal.throwIfAborted();
    // Vectors of text no longer in the workspace are dropped.
    const live = new Set(entries.map((e) => e.key));
    for (const k of this.vectors.keys()) if (!live.has(k)) this.vectors.delete(k);
    this.entries = entries;
    this.done = entries.filter((e) => this.vectors.has(e.key)).length;
    this.emit();

    const todo = [...missing];
    let batches = 0;
    for (let i = 0; i < todo.length; i += this.opts.batchSize) {
      signal.throwIfAborted();
      const batch = todo.slice(i, i + this.opts.batchSize);
      const got = await this.opts.embed(
        batch.map(([, t]) => t),
        signal,
      );
      if (got.length !== batch.length) throw new Error(`the model answered ${got.length} vectors for ${batch.length} texts`);
      for (let j = 0; j < batch.length; j++) {
        const v = normalized(got[j]);
        if (!this.dims) this.dims = v.length;
        if (v.length !== this.dims) throw new Error(`the model answered vectors of ${v.length} dimensions after ${this.dims}`);
        this.vectors.set(batch[j][0], v);
      }
      this.done = this.entries.filter((e) => this.vectors.has(e.key)).length;
      this.emit();
      if (++batches % this.opts.saveEveryBatches === 0) await this.save();
      await yieldToLoop();
    }
    if (batches) await this.save();
  }
}

/** Reciprocal rank fusion's constant: ranks far down weigh little, the top few about alike. */
export const RRF_K = 60;

/**
 * Fuses ranked lists by reciprocal rank fusion (score = Σ 1 / (k + rank)); a
 * chunk is one path and start line. Ties keep the first list's order.
 */
export function fuseRanked(lists: readonly (readonly SearchResult[])[], limit: number, k = RRF_K): SearchResult[] {
  const fused = new Map<string, { r: SearchResult; score: number; first: number }>();
  let order = 0;
  for (const list of lists) {
    list.forEach((r, rank) => {
      const id = `${r.path}:${r.start_line}`;
      const cur = fused.get(id);
      const add = 1 / (k + rank + 1);
      if (cur) cur.score += add;
      else fused.set(id, { r, score: add, first: order++ });
    });
  }
  return [...fused.values()]
    .sort((a, b) => b.score - a.score || a.first - b.first)
    .slice(0, limit)
    .map(({ r, score }) => ({ ...r, score: Math.round(score * 100_000) / 100_000 }));
}

export interface Searchable {
  search(query: string, options?: { limit?: number; signal?: AbortSignal }): Promise<SearchResult[]>;
}

/**
 * Search over the lexical index, fused with meaning when embeddings are
 * complete. The lexical index answers alone while embeddings are missing,
 * incomplete, or the embedder fails (Ollama down).
 */
export class HybridSearch implements Searchable {
  constructor(
    private readonly lexical: Searchable,
    private embeddings: EmbeddingIndex | undefined,
    private readonly log?: (line: string) => void,
  ) {}

  /** Swaps the embedding index (a new model, or none). The caller disposes the old one. */
  setEmbeddings(e: EmbeddingIndex | undefined): void {
    this.embeddings = e;
  }

  async search(query: string, options: { limit?: number; signal?: AbortSignal } = {}): Promise<SearchResult[]> {
    const limit = Math.max(1, Math.min(options.limit ?? 10, 50));
    const e = this.embeddings;
    if (!e?.complete()) return this.lexical.search(query, { limit, signal: options.signal });
    const pool = Math.max(limit, 30);
    const lexical = await this.lexical.search(query, { limit: pool, signal: options.signal });
    let meaning: SearchResult[];
    try {
      meaning = await e.nearest(query, pool, options.signal);
    } catch (err) {
      if (options.signal?.aborted) throw err;
      this.log?.(`codebase embeddings: search by meaning failed, lexical only: ${err instanceof Error ? err.message : String(err)}`);
      return lexical.slice(0, limit);
    }
    if (!meaning.length) return lexical.slice(0, limit);
    return fuseRanked([lexical, meaning], limit);
  }
}
