/**
 * The stored codebase index: one binary blob of the index's typed columns as
 * they are in memory, so loading is copying buffers and decoding a few string
 * tables, not parsing JSON (a 10,000-file index was ~50 MB of JSON and most of
 * a second of parsing in one step). Both directions are generators that yield
 * every few milliseconds of work: the caller gives its event loop a turn
 * between steps.
 *
 * Layout (native byte order, which is little-endian wherever Node runs; a
 * header that does not read back is "another version", and rebuilt):
 *   header       16 × u32: magic, version, counts and string-table sizes, total bytes
 *   sizes        f64 × files   (file size, for the restart's stat check)
 *   mtimes       f64 × files
 *   roles        u8 × files, padded to 4 bytes
 *   chunkCounts  u32 × files   (a file's chunks are the next ones, in order)
 *   starts, ends, bodyLens     u32 × chunks each
 *   termCounts   u32 × terms, postings u32 × postings
 *   pathTermCounts, pathPostings
 *   strings      UTF-8, NUL-separated, each table padded to 4 bytes: paths,
 *                symbols, containers ('' = none), terms, path terms
 * Pure.
 */
import { z } from 'zod';
import { Names, type LexicalColumns, type NameList } from './lexicalIndex';

/** "HCIX" read as a little-endian u32. */
export const INDEX_MAGIC = 0x58494348;
/** 3: the binary columns (2 was JSON; an older store is rebuilt). */
export const INDEX_VERSION = 3; // 3: binary columns; chunks by tree-sitter where a grammar knows the language

const HEADER_WORDS = 16;
const HEADER_BYTES = HEADER_WORDS * 4;

const count = z.number().int().nonnegative();
/** The header, checked before any section is read. */
export const storedHeaderSchema = z.object({
  magic: z.literal(INDEX_MAGIC),
  version: z.literal(INDEX_VERSION),
  files: count,
  chunks: count,
  terms: count,
  postings: count,
  pathTerms: count,
  pathPostings: count,
  pathsBytes: count,
  symbolsBytes: count,
  containersBytes: count,
  termsBytes: count,
  pathTermsBytes: count,
  totalBytes: count,
});
export type StoredHeader = z.infer<typeof storedHeaderSchema>;
const HEADER_FIELDS = Object.keys(storedHeaderSchema.shape) as (keyof StoredHeader)[];

export interface StoredIndex {
  cols: LexicalColumns;
  /** Per file, as in `cols.paths`. */
  sizes: Float64Array;
  mtimes: Float64Array;
}

/** A stored index that is not ours, of another version, or damaged. */
export class StoredIndexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoredIndexError';
  }
}

const pad4 = (n: number) => (n + 3) & ~3;

/** Strings handled between two yields when joining or splitting a table (a 50,000-file index has ~650,000 symbols). */
const STRINGS_PER_STEP = 20_000;

/** A string table's UTF-8 bytes: the entries joined by NUL (null as ''), in steps. */
function* encodeTable(list: NameList | readonly string[], enc: TextEncoder): Generator<void, Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  const get = Array.isArray(list) ? (i: number) => (list as readonly string[])[i]! : (i: number) => (list as NameList).get(i) ?? '';
  for (let i = 0; i < list.length; i += STRINGS_PER_STEP) {
    const entries: string[] = [];
    for (let j = i; j < Math.min(list.length, i + STRINGS_PER_STEP); j++) entries.push(get(j));
    const part = enc.encode(entries.join('\0'));
    parts.push(part);
    length += part.length;
    yield;
  }
  const out = new Uint8Array(length + Math.max(0, parts.length - 1)); // the NULs between parts are the zeros left
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length + 1;
  }
  return out;
}

/** A string table kept whole, with where each of its `n` entries ends (no string per entry); a StoredIndexError if it holds another number. */
function* namesTable(text: string, n: number): Generator<void, Names> {
  const ends = new Uint32Array(n);
  if (n === 0) {
    if (text.length) throw new StoredIndexError('a string table holds entries, not 0');
    return new Names();
  }
  let at = 0;
  for (let i = 0; i < n - 1; i++) {
    const end = text.indexOf('\0', at);
    if (end < 0) throw new StoredIndexError(`a string table holds ${i + 1} entries, not ${n}`);
    ends[i] = end;
    at = end + 1;
    if (i % STRINGS_PER_STEP === STRINGS_PER_STEP - 1) yield;
  }
  if (text.indexOf('\0', at) >= 0) throw new StoredIndexError(`a string table holds more than ${n} entries`);
  ends[n - 1] = text.length;
  return new Names(text, ends);
}

/** A string table's entries, split in steps; `n` entries or a StoredIndexError. */
function* splitTable<T>(text: string, n: number, map: (entry: string) => T): Generator<void, T[]> {
  const out: T[] = [];
  if (n === 0) {
    if (text.length) throw new StoredIndexError('a string table holds entries, not 0');
    return out;
  }
  let at = 0;
  for (;;) {
    const end = text.indexOf('\0', at);
    out.push(map(end < 0 ? text.slice(at) : text.slice(at, end)));
    if (end < 0) break;
    at = end + 1;
    if (out.length % STRINGS_PER_STEP === 0) yield;
  }
  if (out.length !== n) throw new StoredIndexError(`a string table holds ${out.length} entries, not ${n}`);
  return out;
}

/** The stored bytes of an index; `meta` gives each file's size and mtime. Yields between steps. */
export function* encodeStored(cols: LexicalColumns, meta: (path: string) => { size: number; mtime: number } | undefined): Generator<void, Uint8Array> {
  const nFiles = cols.paths.length;
  const sizes = new Float64Array(nFiles);
  const mtimes = new Float64Array(nFiles);
  for (let f = 0; f < nFiles; f++) {
    const m = meta(cols.paths[f]!);
    // A file without meta is re-read at the next start (size -1 never matches).
    sizes[f] = m ? m.size : -1;
    mtimes[f] = m ? m.mtime : -1;
  }
  yield;
  const enc = new TextEncoder();
  const tables: Uint8Array[] = [];
  for (const list of [cols.paths, cols.symbols, cols.containers, cols.terms, cols.pathTerms]) tables.push(yield* encodeTable(list, enc));
  const u32s = [cols.chunkCounts, cols.starts, cols.ends, cols.bodyLens, cols.termCounts, cols.postings, cols.pathTermCounts, cols.pathPostings];
  let total = HEADER_BYTES + 16 * nFiles + pad4(nFiles);
  for (const a of u32s) total += a.byteLength;
  for (const t of tables) total += pad4(t.length);
  const header: StoredHeader = {
    magic: INDEX_MAGIC,
    version: INDEX_VERSION,
    files: nFiles,
    chunks: cols.starts.length,
    terms: cols.terms.length,
    postings: cols.postings.length,
    pathTerms: cols.pathTerms.length,
    pathPostings: cols.pathPostings.length,
    pathsBytes: tables[0]!.length,
    symbolsBytes: tables[1]!.length,
    containersBytes: tables[2]!.length,
    termsBytes: tables[3]!.length,
    pathTermsBytes: tables[4]!.length,
    totalBytes: total,
  };
  const out = new Uint8Array(total);
  const words = new Uint32Array(out.buffer, 0, HEADER_WORDS);
  HEADER_FIELDS.forEach((k, i) => (words[i] = header[k]));
  let at = HEADER_BYTES;
  const put = (a: ArrayBufferView, padded: number) => {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += padded;
  };
  put(sizes, sizes.byteLength);
  put(mtimes, mtimes.byteLength);
  put(cols.roles, pad4(nFiles));
  for (const a of u32s) {
    put(a, a.byteLength);
    yield;
  }
  for (const t of tables) put(t, pad4(t.length));
  return out;
}

/** Reads stored bytes back; throws StoredIndexError when they are not a whole index of this version. Yields between steps. */
export function* decodeStored(input: Uint8Array): Generator<void, StoredIndex> {
  if (input.length < HEADER_BYTES) throw new StoredIndexError('too short for a header');
  // Typed views need aligned offsets: a buffer from a pool may start anywhere.
  const bytes = input.byteOffset % 8 === 0 ? input : input.slice();
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, HEADER_WORDS);
  const raw = Object.fromEntries(HEADER_FIELDS.map((k, i) => [k, words[i]]));
  const parsed = storedHeaderSchema.safeParse(raw);
  if (!parsed.success) throw new StoredIndexError(raw.magic === INDEX_MAGIC ? `version ${raw.version}, not ${INDEX_VERSION}` : 'not a stored index');
  const h = parsed.data;
  if (h.totalBytes !== bytes.length) throw new StoredIndexError(`${bytes.length} bytes where the header says ${h.totalBytes}`);
  let at = HEADER_BYTES;
  const take = (n: number): number => {
    const from = at;
    at += n;
    if (at > bytes.length) throw new StoredIndexError('a section runs past the end');
    return bytes.byteOffset + from;
  };
  const f64 = (n: number) => new Float64Array(bytes.buffer, take(n * 8), n);
  const u32 = (n: number) => new Uint32Array(bytes.buffer, take(n * 4), n);
  const sizes = f64(h.files);
  const mtimes = f64(h.files);
  const roles = new Uint8Array(bytes.buffer, take(pad4(h.files)), h.files);
  const chunkCounts = u32(h.files);
  const starts = u32(h.chunks);
  const ends = u32(h.chunks);
  const bodyLens = u32(h.chunks);
  const termCounts = u32(h.terms);
  const postings = u32(h.postings);
  const pathTermCounts = u32(h.pathTerms);
  const pathPostings = u32(h.pathPostings);
  const dec = new TextDecoder('utf-8', { fatal: true });
  const text = (byteLength: number): string => {
    const view = new Uint8Array(bytes.buffer, take(pad4(byteLength)), byteLength);
    try {
      return dec.decode(view);
    } catch {
      throw new StoredIndexError('a string table is not UTF-8');
    }
  };
  const same = (x: string) => x;
  const paths = yield* splitTable(text(h.pathsBytes), h.files, same);
  const symbols = yield* namesTable(text(h.symbolsBytes), h.chunks);
  const containers = yield* namesTable(text(h.containersBytes), h.chunks);
  const terms = yield* splitTable(text(h.termsBytes), h.terms, same);
  const pathTerms = yield* splitTable(text(h.pathTermsBytes), h.pathTerms, same);
  if (at !== bytes.length) throw new StoredIndexError('bytes left over');
  return {
    cols: { paths, roles, chunkCounts, starts, ends, bodyLens, symbols, containers, terms, termCounts, postings, pathTerms, pathTermCounts, pathPostings },
    sizes,
    mtimes,
  };
}
