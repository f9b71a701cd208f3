/**
 * The in-memory lexical index and its ranking: BM25F over chunks with a body
 * field and a symbol field (the name a chunk defines, and its container), plus a
 * BM25 path field per file; chunk scores are aggregated per file (best chunk,
 * some credit for a second, the share of the question's terms the file covers,
 * its role) so the top results name distinct files, best first, each with its
 * best chunk; further chunks follow.
 *
 * Written here rather than with a search library: the ranking needs per-file
 * aggregation and field weights over chunk postings, incremental removal of a
 * file's chunks, and a compact form to store and reload without re-reading
 * the workspace; with a general-purpose library (minisearch was the candidate)
 * these would be layered on top of its own document model at more memory and
 * about as much code.
 *
 * Memory is laid out for the garbage collector: chunks and files are columns
 * of typed arrays, and every posting list lives in one typed pool (see
 * `Postings`), so a 10,000-file index is a few hundred thousand strings (terms,
 * paths, symbols) and a handful of large buffers the collector never scans,
 * instead of millions of array slots; a stored index's symbols stay one text
 * until a result asks for one (`Names`). A posting is one number, id × 1024 + term
 * frequencies (chunks: body tf ≤ 63 × 16 + symbol tf ≤ 15; paths: tf ≤ 1023);
 * BM25 saturates long before a capped frequency would matter.
 *
 * The stored form (`encode` / `decode`) is those columns written as they are
 * (see storedIndex.ts); both are generators that yield every few milliseconds
 * of work so the caller can give its event loop a turn. Pure.
 */
import type { QueryTerms } from './terms';
import { termCounts } from './terms';
import type { Chunk } from './chunker';
import { FILE_ROLES, type FileRole } from './fileRole';

/** How much each role's files count, relative to code, unless the question asks for that role. */
export const ROLE_WEIGHT: Record<FileRole, number> = { code: 1, types: 0.75, config: 0.55, docs: 0.45, test: 0.45, generated: 0.3 };

/** Ranking parameters; the defaults are tuned on the evaluation in bench/index-quality.bench.ts. */
export interface RankingTuning {
  k1: number;
  b: number;
  symbolWeight: number;
  pathWeight: number;
  secondChunk: number;
  coveragePower: number;
  /** Chunks with scores below this share of the best file's are not returned. */
  minShare: number;
}

export const DEFAULT_TUNING: RankingTuning = { k1: 1.2, b: 0.6, symbolWeight: 3, pathWeight: 2, secondChunk: 0.6, coveragePower: 1, minShare: 0 };

/** A posting: id × TF_SPACE + frequencies. */
const TF_SPACE = 1024;
/** Ids must stay below this for a posting to fit 32 bits. */
export const MAX_ID = Math.floor(0xffffffff / TF_SPACE);
const packChunk = (id: number, body: number, sym: number) => id * TF_SPACE + Math.min(body, 63) * 16 + Math.min(sym, 15);
const idOf = (posting: number) => Math.floor(posting / TF_SPACE);
const tfOf = (posting: number) => posting % TF_SPACE;

/** Marks a removed chunk's file. */
const DEAD = 0xffffffff;
/** Work between two yields of `encode` / `decode` / `compact`: about this many array elements (a few ms). */
const STEP = 20_000;

export interface ChunkInfo {
  file: number;
  startLine: number;
  endLine: number;
  symbol: string | null;
  container: string | null;
}

export interface Hit {
  file: number;
  chunk: number;
  score: number;
}

/** A typed column that grows (by half) as values are pushed. */
class Column<T extends Uint32Array | Float64Array | Uint8Array> {
  n = 0;
  constructor(
    public a: T,
    private readonly make: (size: number) => T,
  ) {}

  push(v: number): void {
    if (this.n === this.a.length) this.reserve(this.n + 1);
    this.a[this.n++] = v;
  }

  reserve(min: number): void {
    if (min <= this.a.length) return;
    const b = this.make(Math.max(min, Math.ceil(this.a.length * 1.5) + 16));
    b.set(this.a.subarray(0, this.n));
    this.a = b;
  }
}

const u32 = (n = 0) => new Column(new Uint32Array(n), (s) => new Uint32Array(s));
const u8 = (n = 0) => new Column(new Uint8Array(n), (s) => new Uint8Array(s));

/** A list of names (or none) by index: what a string table is written from. */
export interface NameList {
  readonly length: number;
  get(i: number): string | null;
}

/**
 * Chunks' symbols or containers by chunk id: those of a stored index kept as
 * one text and the offsets where each entry ends (an entry is cut out when a
 * result asks for it — loading makes no string per chunk, which the collector
 * would have to copy and promote), those added since as strings.
 */
export class Names implements NameList {
  private readonly base: number;
  private readonly extra: (string | null)[] = [];

  constructor(
    private readonly text = '',
    /** Per stored entry, the offset just past it in `text` (entries are separated by one NUL). */
    private readonly ends = new Uint32Array(0),
  ) {
    this.base = ends.length;
  }

  get length(): number {
    return this.base + this.extra.length;
  }

  get(i: number): string | null {
    if (i < this.base) {
      const from = i === 0 ? 0 : this.ends[i - 1]! + 1;
      const to = this.ends[i]!;
      return to > from ? this.text.slice(from, to) : null;
    }
    return this.extra[i - this.base] ?? null;
  }

  push(name: string | null): void {
    this.extra.push(name);
  }

  /** Lets go of a removed chunk's name. */
  drop(i: number): void {
    if (i >= this.base) this.extra[i - this.base] = null;
  }

  /** The entries of a list as one Names, in steps. */
  static *from(list: NameList): Generator<void, Names> {
    const parts: string[] = [];
    const ends = new Uint32Array(list.length);
    let at = 0;
    for (let i = 0; i < list.length; i += NAMES_PER_STEP) {
      const part: string[] = [];
      for (let j = i; j < Math.min(list.length, i + NAMES_PER_STEP); j++) {
        const name = list.get(j) ?? '';
        part.push(name);
        at += name.length;
        ends[j] = at;
        at++;
      }
      parts.push(part.join('\0'));
      yield;
    }
    return new Names(parts.join('\0'), ends);
  }
}

/** Names handled between two yields. */
const NAMES_PER_STEP = 20_000;

/** Largest block of one term's chain. */
const MAX_BLOCK = 1024;

/**
 * Posting lists of many terms in one Uint32Array: each term has a chain of
 * blocks `[next, capacity, used, …postings]` (block sizes double up to
 * MAX_BLOCK; offset 0 ends a chain), so adding a posting never allocates a JS
 * object and the collector sees one buffer.
 */
export class Postings {
  readonly ids = new Map<string, number>();
  readonly names: string[] = [];
  private readonly head = u32();
  private readonly tail = u32();
  pool: Uint32Array;
  private used = 1;

  constructor(capacity = 1 << 16) {
    this.pool = new Uint32Array(Math.max(capacity, 16));
  }

  get termCount(): number {
    return this.names.length;
  }

  /** Pool slots in use (for the memory figures). */
  get size(): number {
    return this.used;
  }

  term(name: string): number | undefined {
    return this.ids.get(name);
  }

  add(name: string, posting: number): void {
    let t = this.ids.get(name);
    if (t === undefined) t = this.newTerm(own(name), 1);
    let b = this.tail.a[t]!;
    if (this.pool[b + 2] === this.pool[b + 1]) {
      const nb = this.block(Math.min(this.pool[b + 1]! * 2, MAX_BLOCK));
      this.pool[b] = nb;
      this.tail.a[t] = nb;
      b = nb;
    }
    this.pool[b + 3 + this.pool[b + 2]!++] = posting;
  }

  /** A new term with room for `capacity` postings (its name already owned). */
  newTerm(name: string, capacity: number): number {
    const t = this.names.length;
    this.ids.set(name, t);
    this.names.push(name);
    const b = this.block(Math.max(1, capacity));
    this.head.push(b);
    this.tail.push(b);
    return t;
  }

  /** Appends postings to a term made by `newTerm` with that much room (decoding). */
  fill(t: number, from: Uint32Array, start: number, end: number): void {
    const b = this.tail.a[t]!;
    const pool = this.pool;
    let at = b + 3 + pool[b + 2]!;
    for (let i = start; i < end; i++) pool[at++] = from[i]!;
    pool[b + 2] = at - b - 3;
  }

  /** Calls `fn` with every posting of term `t`, in the order added. */
  forEach(t: number, fn: (posting: number) => void): void {
    const pool = this.pool;
    for (let b = this.head.a[t]!; b !== 0; b = pool[b]!) {
      const end = b + 3 + pool[b + 2]!;
      for (let i = b + 3; i < end; i++) fn(pool[i]!);
    }
  }

  private block(capacity: number): number {
    const need = 3 + capacity;
    if (this.used + need > this.pool.length) {
      const grown = new Uint32Array(Math.max(this.used + need, Math.ceil(this.pool.length * 1.5)));
      grown.set(this.pool.subarray(0, this.used));
      this.pool = grown;
    }
    const b = this.used;
    this.pool[b] = 0;
    this.pool[b + 1] = capacity;
    this.pool[b + 2] = 0;
    this.used += need;
    return b;
  }
}

/** Everything the index holds; replaced whole by `decode` and `compact` (searches meanwhile read the old one). */
class State {
  readonly byPath = new Map<string, number>();
  /** Per file id: its path (undefined once removed), role, first chunk id and chunk count (a file's chunks are consecutive ids). */
  readonly paths: (string | undefined)[] = [];
  readonly roles = u8();
  readonly firstChunk = u32();
  readonly chunkCount = u32();
  /** Per chunk id: its file (DEAD once removed), lines, body length in terms, symbol and container. */
  readonly chunkFile = u32();
  readonly start = u32();
  readonly end = u32();
  readonly bodyLen = u32();
  symbols = new Names();
  containers = new Names();
  readonly postings: Postings;
  readonly pathPostings: Postings;
  liveChunks = 0;
  liveFiles = 0;
  totalBody = 0;
  deadChunks = 0;

  constructor(postingCapacity?: number, pathPostingCapacity?: number) {
    this.postings = new Postings(postingCapacity);
    this.pathPostings = new Postings(pathPostingCapacity);
  }
}

/** The index's columns as they are stored (storedIndex.ts writes and reads them). */
export interface LexicalColumns {
  /** Per file. */
  paths: string[];
  roles: Uint8Array;
  chunkCounts: Uint32Array;
  /** Per chunk, files' chunks in file order. */
  starts: Uint32Array;
  ends: Uint32Array;
  bodyLens: Uint32Array;
  symbols: NameList;
  containers: NameList;
  /** Per term: its name and how many of `postings` are its (in order). */
  terms: string[];
  termCounts: Uint32Array;
  postings: Uint32Array;
  pathTerms: string[];
  pathTermCounts: Uint32Array;
  pathPostings: Uint32Array;
}

function pathTerms(path: string): Map<string, number> {
  const counts = new Map<string, number>();
  const parts = path.split('/');
  parts.forEach((seg, i) => {
    const name = i === parts.length - 1 ? seg.replace(/\.[^.]*$/, '') : seg;
    // The file's own name counts double: it says most about what the file holds.
    const m = termCounts(name);
    for (const [t, n] of m) counts.set(t, (counts.get(t) ?? 0) + n * (i === parts.length - 1 ? 2 : 1));
  });
  return counts;
}

export class LexicalIndex {
  private s = new State();

  /** Mutable for the evaluation's parameter sweep; production keeps the defaults. */
  constructor(public tuning: RankingTuning = DEFAULT_TUNING) {}

  get fileCount(): number {
    return this.s.liveFiles;
  }

  get chunkCount(): number {
    return this.s.liveChunks;
  }

  /** Removed chunks still in the columns: `compact` drops them. */
  get needsCompaction(): boolean {
    const s = this.s;
    return (s.deadChunks > 1000 && s.deadChunks > s.liveChunks / 3) || s.chunkFile.n > MAX_ID / 2 || s.paths.length > MAX_ID / 2;
  }

  has(path: string): boolean {
    return this.s.byPath.has(path);
  }

  paths(): string[] {
    return [...this.s.byPath.keys()];
  }

  /** The file's path; undefined once removed. */
  pathOf(file: number): string | undefined {
    return this.s.paths[file];
  }

  /** The chunk ids of a file, in line order; empty when it is not indexed. */
  chunksOf(path: string): number[] {
    const s = this.s;
    const f = s.byPath.get(path);
    if (f === undefined) return [];
    const first = s.firstChunk.a[f]!;
    return Array.from({ length: s.chunkCount.a[f]! }, (_, i) => first + i);
  }

  chunk(id: number): ChunkInfo | undefined {
    const s = this.s;
    if (id >= s.chunkFile.n || s.chunkFile.a[id] === DEAD) return undefined;
    return { file: s.chunkFile.a[id]!, startLine: s.start.a[id]!, endLine: s.end.a[id]!, symbol: s.symbols.get(id), container: s.containers.get(id) };
  }

  /** Postings and pool slots (for the bench's figures). */
  sizes(): { terms: number; poolSlots: number } {
    return { terms: this.s.postings.termCount, poolSlots: this.s.postings.size + this.s.pathPostings.size };
  }

  /** Adds (or replaces) a file: its chunks over its lines. */
  add(path: string, role: FileRole, lines: string[], chunks: Chunk[]): void {
    this.remove(path);
    const s = this.s;
    const fileId = s.paths.length;
    path = own(path);
    s.paths.push(path);
    s.roles.push(FILE_ROLES.indexOf(role));
    s.firstChunk.push(s.chunkFile.n);
    s.chunkCount.push(chunks.length);
    s.byPath.set(path, fileId);
    s.liveFiles++;
    for (const [t, n] of pathTerms(path)) s.pathPostings.add(t, fileId * TF_SPACE + Math.min(n, TF_SPACE - 1));
    const body = new Map<string, number>();
    const sym = new Map<string, number>();
    for (const c of chunks) {
      const id = s.chunkFile.n;
      s.chunkFile.push(fileId);
      s.start.push(c.startLine);
      s.end.push(c.endLine);
      s.symbols.push(own(c.symbol));
      s.containers.push(own(c.container));
      body.clear();
      sym.clear();
      let len = 0;
      for (let l = c.startLine - 1; l < c.endLine && l < lines.length; l++) termCounts(lines[l]!, body);
      for (const n of body.values()) len += n;
      if (c.symbol) {
        termCounts(c.symbol, sym);
        for (const [t, n] of sym) sym.set(t, n * 2);
      }
      if (c.container) termCounts(c.container, sym);
      for (const [t, n] of body) s.postings.add(t, packChunk(id, n, sym.get(t) ?? 0));
      for (const [t, n] of sym) if (!body.has(t)) s.postings.add(t, packChunk(id, 0, n));
      s.bodyLen.push(len);
      s.totalBody += len;
      s.liveChunks++;
    }
  }

  /** Removes a file's chunks (their postings are skipped until the next `compact`). */
  remove(path: string): boolean {
    const s = this.s;
    const f = s.byPath.get(path);
    if (f === undefined) return false;
    const first = s.firstChunk.a[f]!;
    const end = first + s.chunkCount.a[f]!;
    for (let c = first; c < end; c++) {
      s.chunkFile.a[c] = DEAD;
      s.symbols.drop(c);
      s.containers.drop(c);
      s.totalBody -= s.bodyLen.a[c]!;
      s.liveChunks--;
      s.deadChunks++;
    }
    s.paths[f] = undefined;
    s.byPath.delete(path);
    s.liveFiles--;
    return true;
  }

  /** Forgets everything. */
  clear(): void {
    this.s = new State();
  }

  /** Drops the postings of removed chunks and files, renumbering what is left; yields between steps (the index answers from the old state meanwhile). */
  *compact(): Generator<void, void> {
    const cols = yield* this.encode();
    yield* this.decode(cols);
  }

  /** The live part of the index as columns, renumbered (chunks in file order). Yields between steps. */
  *encode(): Generator<void, LexicalColumns> {
    const s = this.s;
    const fileMap = new Uint32Array(s.paths.length).fill(DEAD);
    const chunkMap = new Uint32Array(s.chunkFile.n).fill(DEAD);
    const paths: string[] = [];
    const liveFiles: number[] = [];
    let nChunks = 0;
    for (let f = 0; f < s.paths.length; f++) {
      if (s.paths[f] === undefined) continue;
      fileMap[f] = paths.length;
      paths.push(s.paths[f]!);
      liveFiles.push(f);
      nChunks += s.chunkCount.a[f]!;
    }
    const roles = new Uint8Array(paths.length);
    const chunkCounts = new Uint32Array(paths.length);
    const starts = new Uint32Array(nChunks);
    const ends = new Uint32Array(nChunks);
    const bodyLens = new Uint32Array(nChunks);
    // New chunk id → old: the names are read through it when written, not copied here.
    const fromOf = new Uint32Array(nChunks);
    let c = 0;
    let work = 0;
    for (let i = 0; i < liveFiles.length; i++) {
      const f = liveFiles[i]!;
      roles[i] = s.roles.a[f]!;
      const n = s.chunkCount.a[f]!;
      chunkCounts[i] = n;
      const first = s.firstChunk.a[f]!;
      for (let k = 0; k < n; k++, c++) {
        const from = first + k;
        chunkMap[from] = c;
        starts[c] = s.start.a[from]!;
        ends[c] = s.end.a[from]!;
        bodyLens[c] = s.bodyLen.a[from]!;
        fromOf[c] = from;
      }
      if ((work += n + 1) > STEP) {
        work = 0;
        yield;
      }
    }
    const chunkLists = yield* encodePostings(s.postings, chunkMap);
    const pathLists = yield* encodePostings(s.pathPostings, fileMap);
    return {
      paths,
      roles,
      chunkCounts,
      starts,
      ends,
      bodyLens,
      symbols: { length: nChunks, get: (c) => s.symbols.get(fromOf[c]!) },
      containers: { length: nChunks, get: (c) => s.containers.get(fromOf[c]!) },
      terms: chunkLists.terms,
      termCounts: chunkLists.counts,
      postings: chunkLists.postings,
      pathTerms: pathLists.terms,
      pathTermCounts: pathLists.counts,
      pathPostings: pathLists.postings,
    };
  }

  /**
   * Replaces the index with stored columns, once they are all read (searches
   * meanwhile answer from what was there). Columns that do not fit together
   * (a damaged file) throw a RangeError and leave the index as it was.
   */
  *decode(cols: LexicalColumns): Generator<void, void> {
    const nFiles = cols.paths.length;
    const nChunks = cols.starts.length;
    if (cols.roles.length !== nFiles || cols.chunkCounts.length !== nFiles) throw new RangeError('file columns differ in length');
    if (cols.ends.length !== nChunks || cols.bodyLens.length !== nChunks || cols.symbols.length !== nChunks || cols.containers.length !== nChunks) throw new RangeError('chunk columns differ in length');
    if (cols.terms.length !== cols.termCounts.length || cols.pathTerms.length !== cols.pathTermCounts.length) throw new RangeError('term columns differ in length');
    const s = new State(cols.postings.length + 4 * cols.terms.length + 1024, cols.pathPostings.length + 4 * cols.pathTerms.length + 1024);
    s.roles.reserve(nFiles);
    s.firstChunk.reserve(nFiles);
    s.chunkCount.reserve(nFiles);
    let c = 0;
    for (let f = 0; f < nFiles; f++) {
      const path = cols.paths[f]!;
      if (cols.roles[f]! >= FILE_ROLES.length || s.byPath.has(path)) throw new RangeError(`file ${f} is damaged`);
      s.paths.push(path);
      s.byPath.set(path, f);
      s.roles.push(cols.roles[f]!);
      s.firstChunk.push(c);
      s.chunkCount.push(cols.chunkCounts[f]!);
      c += cols.chunkCounts[f]!;
    }
    if (c !== nChunks) throw new RangeError('chunk counts do not add up');
    yield;
    s.chunkFile.reserve(nChunks);
    s.start.reserve(nChunks);
    s.end.reserve(nChunks);
    s.bodyLen.reserve(nChunks);
    let f = 0;
    for (let id = 0; id < nChunks; id++) {
      while (id >= s.firstChunk.a[f]! + s.chunkCount.a[f]!) f++;
      const start = cols.starts[id]!;
      const end = cols.ends[id]!;
      if (start < 1 || end < start) throw new RangeError(`chunk ${id} is damaged`);
      s.chunkFile.push(f);
      s.start.push(start);
      s.end.push(end);
      s.bodyLen.push(cols.bodyLens[id]!);
      s.totalBody += cols.bodyLens[id]!;
      if (id % STEP === STEP - 1) yield;
    }
    s.symbols = cols.symbols instanceof Names ? cols.symbols : yield* Names.from(cols.symbols);
    s.containers = cols.containers instanceof Names ? cols.containers : yield* Names.from(cols.containers);
    s.liveFiles = nFiles;
    s.liveChunks = nChunks;
    yield* decodePostings(s.postings, cols.terms, cols.termCounts, cols.postings, nChunks);
    yield* decodePostings(s.pathPostings, cols.pathTerms, cols.pathTermCounts, cols.pathPostings, nFiles);
    this.s = s;
  }

  /**
   * Ranks chunks for a question: files by aggregated score, each file's best
   * chunk first (so the first `limit` results name distinct files when there are
   * enough), then the other chunks that matched, by score.
   */
  search(q: QueryTerms, limit: number): Hit[] {
    const s = this.s;
    const terms = q.terms.slice(0, 30);
    if (terms.length === 0 || s.liveChunks === 0) return [];
    const { k1, b, symbolWeight, pathWeight } = this.tuning;
    const chunkFile = s.chunkFile.a;
    const bodyLen = s.bodyLen.a;
    const n = s.liveChunks;
    const avg = s.totalBody / n || 1;
    const chunkScore = new Map<number, number>();
    const fileMask = new Map<number, number>();
    const termWeight: number[] = [];
    const live = (p: number) => chunkFile[idOf(p)] !== DEAD;
    const liveFile = (p: number) => s.paths[idOf(p)] !== undefined;
    terms.forEach((t, ti) => {
      const list = s.postings.term(t);
      const pathList = s.pathPostings.term(t);
      let df = 0;
      if (list !== undefined) s.postings.forEach(list, (p) => void (live(p) && df++));
      let pdf = 0;
      if (pathList !== undefined) s.pathPostings.forEach(pathList, (p) => void (liveFile(p) && pdf++));
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      // A term that appears nowhere but in paths still discriminates; one that is everywhere barely counts.
      termWeight[ti] = df === 0 && pdf === 0 ? 0 : idf;
      const bit = 1 << ti;
      if (list !== undefined) {
        s.postings.forEach(list, (posting) => {
          const c = idOf(posting);
          const file = chunkFile[c]!;
          if (file === DEAD) return;
          const tfs = tfOf(posting);
          const tf = (tfs >> 4) / (1 - b + (b * bodyLen[c]!) / avg) + symbolWeight * (tfs & 15);
          chunkScore.set(c, (chunkScore.get(c) ?? 0) + (idf * tf * (k1 + 1)) / (k1 + tf));
          fileMask.set(file, (fileMask.get(file) ?? 0) | bit);
        });
      }
      if (pathList !== undefined) {
        s.pathPostings.forEach(pathList, (posting) => {
          if (!liveFile(posting)) return;
          const f = idOf(posting);
          fileMask.set(f, (fileMask.get(f) ?? 0) | bit);
        });
      }
    });
    // Path score per file: BM25 over the path's words (no length normalisation: paths are short).
    const pathScore = new Map<number, number>();
    const nf = s.liveFiles;
    for (const t of terms) {
      const list = s.pathPostings.term(t);
      if (list === undefined) continue;
      let pdf = 0;
      s.pathPostings.forEach(list, (p) => void (liveFile(p) && pdf++));
      const idf = Math.log(1 + (nf - pdf + 0.5) / (pdf + 0.5));
      s.pathPostings.forEach(list, (posting) => {
        if (!liveFile(posting)) return;
        const f = idOf(posting);
        const tf = tfOf(posting);
        pathScore.set(f, (pathScore.get(f) ?? 0) + (idf * tf * (k1 + 1)) / (k1 + tf));
      });
    }
    // Per file: best and second-best chunk.
    const best = new Map<number, [number, number, number]>(); // file -> [bestChunk, bestScore, secondScore]
    for (const [c, sc] of chunkScore) {
      const f = chunkFile[c]!;
      const cur = best.get(f);
      if (!cur) best.set(f, [c, sc, 0]);
      else if (sc > cur[1]) best.set(f, [c, sc, cur[1]]);
      else if (sc > cur[2]) cur[2] = sc;
    }
    for (const f of pathScore.keys()) if (!best.has(f) && s.chunkCount.a[f]! > 0) best.set(f, [s.firstChunk.a[f]!, 0, 0]);
    const totalWeight = termWeight.reduce((a, w) => a + w, 0) || 1;
    const fileScores: { file: number; chunk: number; score: number }[] = [];
    for (const [f, [c, s1, s2]] of best) {
      const mask = fileMask.get(f) ?? 0;
      let covered = 0;
      for (let ti = 0; ti < terms.length; ti++) if (mask & (1 << ti)) covered += termWeight[ti]!;
      const coverage = covered / totalWeight;
      const fileRole = FILE_ROLES[s.roles.a[f]!]!;
      let role = ROLE_WEIGHT[fileRole];
      if ((fileRole === 'test' && q.wantsTests) || (fileRole === 'docs' && q.wantsDocs)) role = 1;
      const score = (s1 + this.tuning.secondChunk * s2 + pathWeight * (pathScore.get(f) ?? 0)) * coverage ** this.tuning.coveragePower * role;
      if (score > 0) fileScores.push({ file: f, chunk: c, score });
    }
    fileScores.sort((x, y) => y.score - x.score || (s.paths[x.file]! < s.paths[y.file]! ? -1 : 1));
    const out: Hit[] = [];
    const taken = new Set<number>();
    for (const h of fileScores) {
      if (out.length >= limit) return out;
      out.push(h);
      taken.add(h.chunk);
    }
    // Then more chunks of the files found, ranked by file score times the chunk's share of its file's best.
    const rank = new Map(fileScores.map((h) => [h.file, h]));
    const extra: Hit[] = [];
    for (const [c, sc] of chunkScore) {
      if (taken.has(c)) continue;
      const f = chunkFile[c]!;
      const h = rank.get(f);
      const top = best.get(f)![1];
      if (h && top > 0) extra.push({ file: f, chunk: c, score: (h.score * sc) / top });
    }
    extra.sort((x, y) => y.score - x.score);
    for (const h of extra) {
      if (out.length >= limit) break;
      out.push(h);
    }
    return out;
  }
}

/** A store's live postings, renumbered through `map` (DEAD: dropped); terms left with none are dropped. */
function* encodePostings(store: Postings, map: Uint32Array): Generator<void, { terms: string[]; counts: Uint32Array; postings: Uint32Array }> {
  const terms: string[] = [];
  const counts = u32();
  const out = u32(store.size);
  let work = 0;
  for (let t = 0; t < store.termCount; t++) {
    const before = out.n;
    store.forEach(t, (p) => {
      const to = map[idOf(p)];
      if (to !== undefined && to !== DEAD) out.push(to * TF_SPACE + tfOf(p));
    });
    if (out.n > before) {
      terms.push(store.names[t]!);
      counts.push(out.n - before);
    }
    if ((work += out.n - before + 8) > STEP) {
      work = 0;
      yield;
    }
  }
  return { terms, counts: counts.a.subarray(0, counts.n), postings: out.a.subarray(0, out.n) };
}

/** Fills a fresh store from stored lists, checking that every posting names an id below `bound` and no term repeats. */
function* decodePostings(store: Postings, terms: string[], counts: Uint32Array, postings: Uint32Array, bound: number): Generator<void, void> {
  let at = 0;
  let work = 0;
  for (let t = 0; t < terms.length; t++) {
    const n = counts[t]!;
    const end = at + n;
    if (n === 0 || end > postings.length || store.ids.has(terms[t]!)) throw new RangeError(`term ${t} is damaged`);
    for (let i = at; i < end; i++) if (idOf(postings[i]!) >= bound) throw new RangeError(`a posting of term ${t} names ${idOf(postings[i]!)} of ${bound}`);
    const id = store.newTerm(terms[t]!, n);
    store.fill(id, postings, at, end);
    at = end;
    if ((work += n + 8) > STEP) {
      work = 0;
      yield;
    }
  }
  if (at !== postings.length) throw new RangeError('postings left over');
}

/**
 * A copy of a string that holds no reference to the text it was cut from: V8
 * keeps a substring as a view of its whole parent, so a term or symbol kept in
 * the index would otherwise keep its file's entire text in memory.
 */
function own(s: string): string;
function own(s: string | null): string | null;
function own(s: string | null): string | null {
  return s === null ? null : (' ' + s).slice(1);
}
