import assert from 'node:assert/strict';
import { LexicalIndex, Names, type LexicalColumns } from '../../../src/shared/codebase/lexicalIndex';
import { decodeStored, encodeStored, INDEX_MAGIC, INDEX_VERSION, StoredIndexError } from '../../../src/shared/codebase/storedIndex';
import { queryTerms } from '../../../src/shared/codebase/terms';

/** Runs a generator of work steps to its end; returns its value and how many steps it took. */
function run<T>(g: Generator<void, T>): { value: T; steps: number } {
  let steps = 0;
  for (;;) {
    const r = g.next();
    if (r.done) return { value: r.value, steps };
    steps++;
  }
}

const fnLines = (name: string, body: string) => [`export function ${name}() {`, `  ${body}`, '}'];

function sample(): LexicalIndex {
  const lex = new LexicalIndex();
  lex.add('src/retry.ts', 'code', fnLines('retryWithBackoff', 'return wait(attempt * 2);'), [{ startLine: 1, endLine: 3, symbol: 'retryWithBackoff', container: null }]);
  lex.add('src/http/headers.ts', 'code', [...fnLines('parseHTTPHeader', 'return split(line);'), ...fnLines('formatHeader', 'return join(parts);')], [
    { startLine: 1, endLine: 3, symbol: 'parseHTTPHeader', container: 'Headers' },
    { startLine: 4, endLine: 6, symbol: 'formatHeader', container: 'Headers' },
  ]);
  lex.add('docs/über-retry.md', 'docs', ['# Retries', 'How retry with backoff works.'], [{ startLine: 1, endLine: 2, symbol: null, container: null }]);
  lex.add('test/retry.test.ts', 'test', fnLines('testsRetry', 'retryWithBackoff();'), [{ startLine: 1, endLine: 3, symbol: null, container: null }]);
  lex.add('src/gone.ts', 'code', fnLines('retryGone', 'return 0;'), [{ startLine: 1, endLine: 3, symbol: 'retryGone', container: null }]);
  lex.remove('src/gone.ts');
  return lex;
}

const QUESTIONS = ['where is retry with backoff done?', 'parse http header', 'format header', 'retries docs', 'test of retry', 'über'];

/** What a search says, by path and lines rather than ids (ids are renumbered by storing). */
function answers(lex: LexicalIndex): string[][] {
  return QUESTIONS.map((q) =>
    lex.search(queryTerms(q), 10).map((h) => {
      const c = lex.chunk(h.chunk)!;
      return `${lex.pathOf(h.file)}:${c.startLine}-${c.endLine}:${c.symbol}/${c.container}:${h.score.toFixed(6)}`;
    }),
  );
}

function stored(lex: LexicalIndex): Uint8Array {
  const cols = run(lex.encode()).value;
  return run(encodeStored(cols, (p) => ({ size: p.length * 10, mtime: 1_700_000_000_123 + p.length }))).value;
}

function restored(bytes: Uint8Array): LexicalIndex {
  const { cols } = run(decodeStored(bytes)).value;
  const lex = new LexicalIndex();
  run(lex.decode(cols));
  return lex;
}

describe('the stored codebase index (binary columns)', () => {
  it('round-trips: the same answers, paths (not ASCII too), symbols, containers and meta; removed files are not stored', () => {
    const lex = sample();
    const bytes = stored(lex);
    assert.equal(new Uint32Array(bytes.buffer, 0, 2)[0], INDEX_MAGIC);
    assert.equal(new Uint32Array(bytes.buffer, 0, 2)[1], INDEX_VERSION);
    const back = restored(bytes);
    assert.deepEqual(answers(back), answers(lex));
    assert.ok(answers(lex)[0]!.length > 0 && answers(lex).every((a) => a.length > 0), 'every question finds something');
    assert.deepEqual(back.paths().sort(), ['docs/über-retry.md', 'src/http/headers.ts', 'src/retry.ts', 'test/retry.test.ts']);
    assert.equal(back.chunkCount, 5);
    const { sizes, mtimes, cols } = run(decodeStored(bytes)).value;
    const i = cols.paths.indexOf('docs/über-retry.md');
    assert.equal(sizes[i], 'docs/über-retry.md'.length * 10);
    assert.equal(mtimes[i], 1_700_000_000_123 + 'docs/über-retry.md'.length);
  });

  it('reads a buffer that starts at an odd offset (a pooled Buffer)', () => {
    const bytes = stored(sample());
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    assert.deepEqual(answers(restored(shifted.subarray(3))), answers(sample()));
  });

  it('refuses what is not a whole index of this version, with the reason', () => {
    const bytes = stored(sample());
    const withWord = (i: number, v: number) => {
      const b = bytes.slice();
      new Uint32Array(b.buffer)[i] = v;
      return b;
    };
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(10), /too short/],
      [new TextEncoder().encode('{"format":"hearth-codebase-index","version":2,"meta":[],"lexical":{}}'.padEnd(80)), /not a stored index/],
      [withWord(1, INDEX_VERSION - 1), /version 2, not 3/],
      [bytes.slice(0, bytes.length - 4), /bytes where the header says/],
      [withWord(2, 1000), /bytes where the header says|past the end/], // the file count no longer fits
    ];
    for (const [b, why] of cases) assert.throws(() => run(decodeStored(b)), (e: unknown) => e instanceof StoredIndexError && why.test(e.message), String(why));
  });

  it('columns that do not fit together leave the index as it was', () => {
    const lex = sample();
    const good = run(lex.encode()).value;
    const before = answers(lex);
    const damaged: [string, (c: LexicalColumns) => LexicalColumns][] = [
      ['a posting naming a chunk that does not exist', (c) => ({ ...c, postings: c.postings.map((p, i) => (i === 0 ? 999 * 1024 : p)) })],
      ['a term twice', (c) => ({ ...c, terms: c.terms.map((t, i) => (i === 1 ? c.terms[0]! : t)) })],
      ['a chunk starting at line 0', (c) => ({ ...c, starts: c.starts.map((s, i) => (i === 0 ? 0 : s)) })],
      ['chunk counts that do not add up', (c) => ({ ...c, chunkCounts: c.chunkCounts.map((n, i) => (i === 0 ? n + 1 : n)) })],
      ['an unknown role', (c) => ({ ...c, roles: c.roles.map(() => 200) })],
    ];
    for (const [what, damage] of damaged) {
      assert.throws(() => run(lex.decode(damage(good))), RangeError, what);
      assert.deepEqual(answers(lex), before, `${what}: the index is unchanged`);
    }
  });

  it('is written and read in steps: a larger index takes more of them', () => {
    const small = sample();
    const large = new LexicalIndex();
    for (let f = 0; f < 1500; f++) {
      // 300 distinct words per file, half shared with the next file: ~450,000 postings.
      const words = Array.from({ length: 300 }, (_, i) => `word${(f * 150 + i).toString(36)}x`);
      large.add(`pkg/file${f}.ts`, 'code', [words.join(' ')], [{ startLine: 1, endLine: 1, symbol: `sym${f}`, container: null }]);
    }
    let loaded = new LexicalIndex();
    const steps = (lex: LexicalIndex) => {
      const enc = run(lex.encode());
      const bytes = run(encodeStored(enc.value, () => ({ size: 1, mtime: 1 })));
      const dec = run(decodeStored(bytes.value));
      loaded = new LexicalIndex();
      const load = run(loaded.decode(dec.value.cols));
      return enc.steps + bytes.steps + dec.steps + load.steps;
    };
    const few = steps(small);
    const many = steps(large);
    assert.ok(many >= few + 30, `steps: ${few} for a handful of files, ${many} for 1,500 files`);
    // Its string tables (225,000 terms) were written and read in parts: the answers are the same.
    for (const q of ['word1x', `word${(1499 * 150 + 299).toString(36)}x`, 'sym777']) {
      const hits = (lex: LexicalIndex) => lex.search(queryTerms(q), 5).map((h) => `${lex.pathOf(h.file)}:${h.score}`);
      assert.deepEqual(hits(loaded), hits(large), q);
      assert.ok(hits(large).length > 0, q);
    }
  });

  it('names kept as one text: each entry read back as it was, none as null, across steps', () => {
    const list = Array.from({ length: 45_000 }, (_, i) => (i % 3 === 0 ? null : i % 3 === 1 ? `sym${i}` : `Kläss·${i}`));
    const names = run(Names.from({ length: list.length, get: (i) => list[i]! }));
    assert.ok(names.steps >= 3, `steps: ${names.steps}`);
    assert.equal(names.value.length, list.length);
    for (const i of [0, 1, 2, 19_999, 20_000, 20_001, 44_998, 44_999]) assert.equal(names.value.get(i), list[i], `entry ${i}`);
    names.value.push('added');
    assert.equal(names.value.get(45_000), 'added');
  });

  it('compaction drops removed files and keeps the answers', () => {
    const lex = sample();
    for (let f = 0; f < 400; f++) lex.add(`old/f${f}.ts`, 'code', fnLines(`oldThing${f}`, 'return retry();'), [{ startLine: 1, endLine: 3, symbol: `oldThing${f}`, container: null }]);
    for (let f = 0; f < 400; f++) lex.remove(`old/f${f}.ts`);
    const before = answers(lex);
    const slots = lex.sizes().poolSlots;
    run(lex.compact());
    assert.deepEqual(answers(lex), before);
    assert.ok(lex.sizes().poolSlots < slots, `pool slots ${slots} → ${lex.sizes().poolSlots}`);
    assert.equal(lex.chunkCount, 5);
  });
});
