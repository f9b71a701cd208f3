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
 * about as much code. A posting is one number, id × 1024 + term frequencies
 * (chunks: body tf ≤ 63 × 16 + symbol tf ≤ 15; paths: tf ≤ 1023) — one array
 * element per posting keeps a 10,000-file index small; BM25 saturates long
 * before a capped frequency would matter.
 * Pure.
 */
import type { QueryTerms } from './terms';
import { termCounts } from './terms';
import type { Chunk } from './chunker';
import type { FileRole } from './fileRole';

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
const packChunk = (id: number, body: number, sym: number) => id * TF_SPACE + Math.min(body, 63) * 16 + Math.min(sym, 15);
const idOf = (posting: number) => Math.floor(posting / TF_SPACE);
const tfOf = (posting: number) => posting % TF_SPACE;

export interface IndexedChunk extends Chunk {
  file: number;
}

export interface IndexedFile {
  path: string;
  role: FileRole;
  /** Chunk ids, in line order; empty once removed. */
  chunks: number[];
}

export interface Hit {
  file: number;
  chunk: number;
  score: number;
}

/** What is stored to disk: everything needed to search without reading a file. */
export interface LexicalSnapshot {
  files: { path: string; role: FileRole; chunks: number[] }[];
  /** Per chunk: file, start, end, body length, symbol, container. */
  chunks: [number, number, number, number, string | null, string | null][];
  postings: Record<string, number[]>;
  paths: Record<string, number[]>;
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
  private files: (IndexedFile | undefined)[] = [];
  private readonly byPath = new Map<string, number>();
  private chunks: (IndexedChunk | undefined)[] = [];
  private bodyLen: number[] = [];
  private postings = new Map<string, number[]>();
  private pathPostings = new Map<string, number[]>();
  private liveChunks = 0;
  private liveFiles = 0;
  private totalBody = 0;
  private deadChunks = 0;

  /** Mutable for the evaluation's parameter sweep; production keeps the defaults. */
  constructor(public tuning: RankingTuning = DEFAULT_TUNING) {}

  get fileCount(): number {
    return this.liveFiles;
  }

  get chunkCount(): number {
    return this.liveChunks;
  }

  has(path: string): boolean {
    return this.byPath.has(path);
  }

  paths(): string[] {
    return [...this.byPath.keys()];
  }

  fileByPath(path: string): IndexedFile | undefined {
    const id = this.byPath.get(path);
    return id === undefined ? undefined : this.files[id];
  }

  file(id: number): IndexedFile | undefined {
    return this.files[id];
  }

  chunk(id: number): IndexedChunk | undefined {
    return this.chunks[id];
  }

  /** Adds (or replaces) a file: its chunks over its lines. `bodyText` is false for a file indexed by its path only. */
  add(path: string, role: FileRole, lines: string[], chunks: Chunk[]): void {
    this.remove(path);
    const fileId = this.files.length;
    const file: IndexedFile = { path, role, chunks: [] };
    this.files.push(file);
    this.byPath.set(path, fileId);
    this.liveFiles++;
    for (const [t, n] of pathTerms(path)) push(this.pathPostings, t, fileId * TF_SPACE + Math.min(n, TF_SPACE - 1));
    for (const c of chunks) {
      const id = this.chunks.length;
      this.chunks.push({ startLine: c.startLine, endLine: c.endLine, symbol: own(c.symbol), container: own(c.container), file: fileId });
      file.chunks.push(id);
      const body = new Map<string, number>();
      let len = 0;
      for (let l = c.startLine - 1; l < c.endLine && l < lines.length; l++) termCounts(lines[l]!, body);
      for (const n of body.values()) len += n;
      const sym = new Map<string, number>();
      if (c.symbol) {
        termCounts(c.symbol, sym);
        for (const [t, n] of sym) sym.set(t, n * 2);
      }
      if (c.container) termCounts(c.container, sym);
      for (const [t, n] of body) push(this.postings, t, packChunk(id, n, sym.get(t) ?? 0));
      for (const [t, n] of sym) if (!body.has(t)) push(this.postings, t, packChunk(id, 0, n));
      this.bodyLen[id] = len;
      this.totalBody += len;
      this.liveChunks++;
    }
  }

  /** Removes a file's chunks (their postings are skipped until the next compaction). */
  remove(path: string): boolean {
    const id = this.byPath.get(path);
    if (id === undefined) return false;
    const f = this.files[id]!;
    for (const c of f.chunks) {
      this.chunks[c] = undefined;
      this.totalBody -= this.bodyLen[c] ?? 0;
      this.liveChunks--;
      this.deadChunks++;
    }
    this.files[id] = undefined;
    this.byPath.delete(path);
    this.liveFiles--;
    if (this.deadChunks > 1000 && this.deadChunks > this.liveChunks / 3) this.compact();
    return true;
  }

  /** Drops the postings of removed chunks and files, renumbering what is left. */
  compact(): void {
    this.restore(this.snapshot());
  }

  snapshot(): LexicalSnapshot {
    const fileMap = new Map<number, number>();
    const chunkMap = new Map<number, number>();
    const files: LexicalSnapshot['files'] = [];
    const chunks: LexicalSnapshot['chunks'] = [];
    this.files.forEach((f, i) => {
      if (!f) return;
      fileMap.set(i, files.length);
      const ids: number[] = [];
      for (const c of f.chunks) {
        const ch = this.chunks[c]!;
        chunkMap.set(c, chunks.length);
        ids.push(chunks.length);
        chunks.push([files.length, ch.startLine, ch.endLine, this.bodyLen[c] ?? 0, ch.symbol, ch.container]);
      }
      files.push({ path: f.path, role: f.role, chunks: ids });
    });
    const remap = (m: Map<string, number[]>, ids: Map<number, number>) => {
      const out: Record<string, number[]> = {};
      for (const [t, list] of m) {
        const kept: number[] = [];
        for (const posting of list) {
          const to = ids.get(idOf(posting));
          if (to !== undefined) kept.push(to * TF_SPACE + tfOf(posting));
        }
        if (kept.length) out[t] = kept;
      }
      return out;
    };
    return { files, chunks, postings: remap(this.postings, chunkMap), paths: remap(this.pathPostings, fileMap) };
  }

  restore(s: LexicalSnapshot): void {
    this.files = s.files.map((f) => ({ path: f.path, role: f.role, chunks: f.chunks }));
    this.byPath.clear();
    this.files.forEach((f, i) => this.byPath.set(f!.path, i));
    this.chunks = s.chunks.map(([file, startLine, endLine, , symbol, container]) => ({ file, startLine, endLine, symbol, container }));
    this.bodyLen = s.chunks.map((c) => c[3]);
    this.postings = new Map(Object.entries(s.postings));
    this.pathPostings = new Map(Object.entries(s.paths));
    this.liveFiles = this.files.length;
    this.liveChunks = this.chunks.length;
    this.totalBody = this.bodyLen.reduce((a, b) => a + b, 0);
    this.deadChunks = 0;
  }

  /**
   * Ranks chunks for a question: files by aggregated score, each file's best
   * chunk first (so the first `limit` results name distinct files when there are
   * enough), then the other chunks that matched, by score.
   */
  search(q: QueryTerms, limit: number): Hit[] {
    const terms = q.terms.slice(0, 30);
    if (terms.length === 0 || this.liveChunks === 0) return [];
    const { k1, b, symbolWeight, pathWeight } = this.tuning;
    const n = this.liveChunks;
    const avg = this.totalBody / n || 1;
    const chunkScore = new Map<number, number>();
    const fileMask = new Map<number, number>();
    const termWeight: number[] = [];
    terms.forEach((t, ti) => {
      const list = this.postings.get(t);
      let df = 0;
      if (list) for (const p of list) if (this.chunks[idOf(p)]) df++;
      const pathList = this.pathPostings.get(t);
      let pdf = 0;
      if (pathList) for (const p of pathList) if (this.files[idOf(p)]) pdf++;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      // A term that appears nowhere but in paths still discriminates; one that is everywhere barely counts.
      termWeight[ti] = df === 0 && pdf === 0 ? 0 : idf;
      if (list) {
        for (const posting of list) {
          const c = idOf(posting);
          const ch = this.chunks[c];
          if (!ch) continue;
          const tfs = tfOf(posting);
          const body = tfs >> 4;
          const sym = tfs & 15;
          const tf = body / (1 - b + (b * (this.bodyLen[c] ?? 0)) / avg) + symbolWeight * sym;
          chunkScore.set(c, (chunkScore.get(c) ?? 0) + (idf * tf * (k1 + 1)) / (k1 + tf));
          fileMask.set(ch.file, (fileMask.get(ch.file) ?? 0) | (1 << ti));
        }
      }
      if (pathList) {
        for (const posting of pathList) {
          const f = idOf(posting);
          if (!this.files[f]) continue;
          fileMask.set(f, (fileMask.get(f) ?? 0) | (1 << ti));
        }
      }
    });
    // Path score per file: BM25 over the path's words (no length normalisation: paths are short).
    const pathScore = new Map<number, number>();
    const nf = this.liveFiles;
    for (const t of terms) {
      const list = this.pathPostings.get(t);
      if (!list) continue;
      let pdf = 0;
      for (const p of list) if (this.files[idOf(p)]) pdf++;
      const idf = Math.log(1 + (nf - pdf + 0.5) / (pdf + 0.5));
      for (const posting of list) {
        const f = idOf(posting);
        if (!this.files[f]) continue;
        const tf = tfOf(posting);
        pathScore.set(f, (pathScore.get(f) ?? 0) + (idf * tf * (k1 + 1)) / (k1 + tf));
      }
    }
    // Per file: best and second-best chunk.
    const best = new Map<number, [number, number, number]>(); // file -> [bestChunk, bestScore, secondScore]
    for (const [c, s] of chunkScore) {
      const f = this.chunks[c]!.file;
      const cur = best.get(f);
      if (!cur) best.set(f, [c, s, 0]);
      else if (s > cur[1]) best.set(f, [c, s, cur[1]]);
      else if (s > cur[2]) cur[2] = s;
    }
    for (const f of pathScore.keys()) if (!best.has(f)) best.set(f, [this.files[f]!.chunks[0]!, 0, 0]);
    const totalWeight = termWeight.reduce((a, w) => a + w, 0) || 1;
    const fileScores: { file: number; chunk: number; score: number }[] = [];
    for (const [f, [c, s1, s2]] of best) {
      const file = this.files[f]!;
      const mask = fileMask.get(f) ?? 0;
      let covered = 0;
      for (let ti = 0; ti < terms.length; ti++) if (mask & (1 << ti)) covered += termWeight[ti]!;
      const coverage = covered / totalWeight;
      let role = ROLE_WEIGHT[file.role];
      if ((file.role === 'test' && q.wantsTests) || (file.role === 'docs' && q.wantsDocs)) role = 1;
      const score = (s1 + this.tuning.secondChunk * s2 + pathWeight * (pathScore.get(f) ?? 0)) * coverage ** this.tuning.coveragePower * role;
      if (score > 0) fileScores.push({ file: f, chunk: c, score });
    }
    fileScores.sort((x, y) => y.score - x.score || (this.files[x.file]!.path < this.files[y.file]!.path ? -1 : 1));
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
    for (const [c, s] of chunkScore) {
      if (taken.has(c)) continue;
      const f = this.chunks[c]!.file;
      const h = rank.get(f);
      const top = best.get(f)![1];
      if (h && top > 0) extra.push({ file: f, chunk: c, score: (h.score * s) / top });
    }
    extra.sort((x, y) => y.score - x.score);
    for (const h of extra) {
      if (out.length >= limit) break;
      out.push(h);
    }
    return out;
  }
}

function push(m: Map<string, number[]>, term: string, posting: number): void {
  const list = m.get(term);
  if (list) list.push(posting);
  else m.set(own(term), [posting]);
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

/** Whether every posting of the stored lists names an id below `bound` (a damaged file does not). */
export function postingsValid(lists: Record<string, unknown>, bound: number): boolean {
  for (const key in lists) {
    const l = lists[key];
    if (!Array.isArray(l)) return false;
    for (const p of l) if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || idOf(p) >= bound) return false;
  }
  return true;
}
