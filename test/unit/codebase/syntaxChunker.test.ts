/**
 * The tree-sitter chunker (src/shared/codebase/syntaxChunker.ts) with the real
 * grammars of @vscode/tree-sitter-wasm: per language, a small file → the
 * symbols it defines and their lines; large definitions split into members;
 * every way it gives up (a broken grammar, a runtime that does not start, out
 * of time, too large, not code) answers undefined, and the index then chunks
 * by definition lines without an exception; a parse cut into slices gives the
 * same chunks as one in a single call.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CodebaseIndex } from '../../../src/shared/codebase/codebaseIndex';
import { chunkFile } from '../../../src/shared/codebase/chunker';
import { SyntaxChunker, TREE_SITTER_FILES, grammarFor, type TreeSitterRuntime } from '../../../src/shared/codebase/syntaxChunker';
import { createNodeSyntaxChunker, treeSitterDir, treeSitterRuntime } from '../../../src/gateway/codebase/treeSitter';
import { FIXTURES, linesOf } from './syntaxFixtures';
import { MemoryFileSource } from '../../support/memoryFileSource';

type Row = [symbol: string | null, start: number, end: number, container: string | null];
const rows = (chunks: { symbol: string | null; startLine: number; endLine: number; container: string | null }[] | undefined): Row[] | undefined =>
  chunks?.map((c) => [c.symbol, c.startLine, c.endLine, c.container]);

/** What each fixture defines, members split (splitLines 0), read off the fixture by hand. */
const EXPECTED: Record<string, Row[]> = {
  'src/retry.ts': [[null, 1, 1, null], ['parseHeader', 3, 6, null], ['RetryOptions', 8, 10, null], ['Backoff', 12, 12, null], ['RetryHandler', 14, 16, null], ['constructor', 17, 19, 'RetryHandler'], ['onError', 20, 24, 'RetryHandler'], ['backoff', 27, 29, null]],
  'web/App.tsx': [[null, 1, 1, null], ['Greeting', 3, 5, null], ['App', 7, 9, null]],
  'lib/router.js': [[null, 1, 3, null], ['Router', 5, 7, null], ['route', 9, 11, 'Router'], ['createRouter', 13, 15, null]],
  'app/views.py': [[null, 1, 1, null], ['render', 4, 6, null], ['View', 9, 12, null], ['as_view', 14, 16, 'View'], ['dispatch_request', 18, 19, 'View']],
  'server/engine.go': [[null, 1, 3, null], ['Engine', 5, 8, null], ['ServeHTTP', 10, 13, 'Engine'], ['New', 15, 17, null]],
  'src/parser.rs': [[null, 1, 1, null], ['Header', 3, 7, null], ['Header', 9, 9, 'Display'], ['fmt', 10, 12, 'Header'], ['parse_header', 15, 17, null]],
  'src/main/java/app/Cache.java': [[null, 1, 3, null], ['Cache', 5, 7, null], ['Cache', 9, 11, 'Cache'], ['toString', 13, 16, 'Cache']],
  'src/buffer.c': [[null, 1, 1, null], ['buffer_t', 3, 7, null], ['grow', 9, 9, null], ['buffer_append', 11, 14, null]],
  'src/widget.cpp': [[null, 1, 1, null], ['ui', 3, 3, null], ['Widget', 5, 6, 'ui'], ['draw', 7, 7, 'Widget'], ['draw', 10, 12, 'Widget'], [null, 14, 14, null]],
  'src/Services/Mailer.cs': [[null, 1, 1, null], ['Services', 3, 4, null], ['Mailer', 5, 7, 'Services'], ['Host', 8, 8, 'Mailer'], ['Send', 10, 13, 'Mailer']],
  'lib/greeter.rb': [['Greeter', 1, 2, null], ['initialize', 3, 5, 'Greeter'], ['greet', 7, 9, 'Greeter']],
  'src/Repo.php': [[null, 1, 1, null], ['App', 2, 2, null], ['UserRepository', 4, 6, null], ['find', 7, 10, 'UserRepository'], ['helper', 13, 15, null]],
};

describe('tree-sitter chunker', function () {
  this.timeout(20_000); // the first parse of each grammar loads its .wasm

  const split = createNodeSyntaxChunker({ splitLines: 0 });
  const chunker = createNodeSyntaxChunker();
  after(() => {
    split.dispose();
    chunker.dispose();
  });

  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(`chunks ${file} (${grammarFor(file)}) by its definitions, with their comments, decorators and containers`, async () => {
      assert.deepEqual(rows(await split.chunk(file, linesOf(FIXTURES[file]!))), expected);
    });
  }

  it('keeps a small class whole and splits a large one into its methods (the header keeps the fields)', async () => {
    const small = rows(await chunker.chunk('src/retry.ts', linesOf(FIXTURES['src/retry.ts']!)));
    assert.deepEqual(small?.find((r) => r[0] === 'RetryHandler'), ['RetryHandler', 14, 25, null]);
    assert.equal(small?.some((r) => r[0] === 'onError'), false);
    const methods = Array.from({ length: 8 }, (_, i) => `  method${i}(x: number): number {\n    const y = x + ${i};\n    return y * 2;\n  }\n`).join('\n');
    const big = `export class Big {\n  private a = 1;\n\n${methods}}\n`;
    const r = rows(await chunker.chunk('src/big.ts', linesOf(big)))!;
    assert.deepEqual(r[0], ['Big', 1, 2, null]); // the blank line after the field belongs to no one
    assert.deepEqual(r.slice(1).map((x) => [x[0], x[3]]), Array.from({ length: 8 }, (_, i) => [`method${i}`, 'Big']));
    assert.deepEqual(r[1]!.slice(1, 3), [4, 7]);
  });

  it('cuts a long function without members into windows that keep its name', async () => {
    const body = Array.from({ length: 200 }, (_, i) => `  total += ${i};`).join('\n');
    const r = rows(await chunker.chunk('src/long.js', linesOf(`function sum() {\n  let total = 0;\n${body}\n  return total;\n}\n`)))!;
    assert.ok(r.length >= 3);
    assert.ok(r.every((x) => x[0] === 'sum'));
    assert.equal(r[0]![1], 1);
    assert.equal(r[r.length - 1]![2], 204);
  });

  it('names an anonymous default export after its module', async () => {
    const r = rows(await chunker.chunk('lib/options.js', ['module.exports = function () {', '  return 1;', '};']));
    assert.deepEqual(r, [['options', 1, 3, null]]);
    const d = rows(await chunker.chunk('src/cli/index.ts', ['export default function () {', '  return 1;', '}']));
    assert.deepEqual(d, [['cli', 1, 3, null]]);
  });

  it('gives the same chunks when the parse is cut into slices and resumed, also with two files in turn', async () => {
    const text = await readFile(path.resolve(__dirname, '../../../src/shared/codebase/codebaseIndex.ts'), 'utf8');
    const other = linesOf(FIXTURES['app/views.py']!.repeat(40));
    const whole = [await chunker.chunk('codebaseIndex.ts', linesOf(text)), await chunker.chunk('views.py', other)];
    // sliceMs -1: every progress check cancels, so the parse is resumed as often as it can be.
    const sliced = createNodeSyntaxChunker({ sliceMs: -1 });
    try {
      // Both at once: each parse is resumed only with its own text.
      assert.deepEqual(await Promise.all([sliced.chunk('codebaseIndex.ts', linesOf(text)), sliced.chunk('views.py', other)]), whole);
      assert.ok(whole[0]!.length > 20);
    } finally {
      sliced.dispose();
    }
  });

  it('leaves to the regex chunker: other languages, too large, out of time, too many nodes, text that is not code', async () => {
    assert.equal(await chunker.chunk('README.md', ['# Title', 'text']), undefined);
    assert.equal(await chunker.chunk('notes.txt', ['a']), undefined);
    assert.equal(await chunker.chunk('dist/app.min.js', ['function a(){}']), undefined);
    const small = createNodeSyntaxChunker({ maxChars: 10 });
    assert.equal(await small.chunk('a.ts', ['export function longerThanTen() {}']), undefined);
    small.dispose();
    const hurried = createNodeSyntaxChunker({ sliceMs: -1, deadlineMs: 0 });
    const text = await readFile(path.resolve(__dirname, '../../../src/shared/codebase/codebaseIndex.ts'), 'utf8');
    assert.equal(await hurried.chunk('codebaseIndex.ts', linesOf(text)), undefined);
    hurried.dispose();
    // After an abandoned parse the next file starts afresh (not resumed with the old text).
    const patient = createNodeSyntaxChunker({ sliceMs: -1, deadlineMs: 5 });
    await patient.chunk('codebaseIndex.ts', linesOf(text));
    assert.deepEqual(rows(await patient.chunk('a.ts', ['function a() {}'])), [['a', 1, 1, null]]);
    patient.dispose();
    // More nodes than one walk may look at (it cannot yield): 3,000 one-line functions.
    assert.equal(await chunker.chunk('many.js', Array.from({ length: 3000 }, (_, i) => `function f${i}() {}`)), undefined);
    assert.equal((await chunker.chunk('some.js', Array.from({ length: 300 }, (_, i) => `function f${i}() {}`)))?.length, 300);
    const garbage = Array.from({ length: 100 }, (_, i) => `this is not code {{{ ]]] (( ${i} ' " \``);
    assert.equal(await chunker.chunk('x.ts', garbage), undefined);
  });

  it('answers undefined, logs once, and never throws when a grammar is broken or the runtime does not start', async () => {
    const logs: string[] = [];
    const dir = treeSitterDir()!;
    const broken = new SyntaxChunker({
      runtime: treeSitterRuntime,
      loadWasm: async (f) => (f === 'tree-sitter-python.wasm' ? new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 9, 9, 9]) : readFile(path.join(dir, f))),
      log: (m) => logs.push(m),
    });
    assert.equal(await broken.chunk('a.py', ['def f():', '    pass']), undefined);
    assert.equal(await broken.chunk('b.py', ['def g():', '    pass']), undefined);
    assert.equal(logs.filter((l) => l.includes('python')).length, 1, logs.join('\n'));
    assert.ok((await broken.chunk('a.go', ['package a', 'func F() {}']))?.some((c) => c.symbol === 'F'), 'other grammars still load');
    broken.dispose();

    const dead: TreeSitterRuntime = {
      Parser: Object.assign(function () {} as unknown as TreeSitterRuntime['Parser'], { init: () => Promise.reject(new Error('no wasm here')) }),
      Language: { load: () => Promise.reject(new Error('unreachable')) },
    };
    const noRuntime = new SyntaxChunker({ runtime: dead, loadWasm: async () => new Uint8Array(), log: (m) => logs.push(m) });
    assert.equal(await noRuntime.chunk('a.ts', ['function a() {}']), undefined);
    assert.ok(logs.some((l) => l.includes('no wasm here')));
    noRuntime.dispose();
  });

  it('in the index: a broken grammar falls back to definition lines; Markdown stays chunked by heading', async () => {
    const py = 'import os\n\n\ndef load_settings(path):\n    return open(path).read()\n\n\nclass Store:\n    def save_record(self, r):\n        pass\n';
    const md = '# Intro\n\nSome words.\n\n## Retry policy\n\nHow retries back off.\n';
    const source = new MemoryFileSource().set('app/settings.py', py).set('docs/guide.md', md);
    const dir = treeSitterDir()!;
    const broken = new SyntaxChunker({ runtime: treeSitterRuntime, loadWasm: async (f) => (f.includes('python') ? new Uint8Array([1, 2, 3]) : readFile(path.join(dir, f))) });
    const index = new CodebaseIndex({ source, chunker: broken });
    try {
      await index.start();
      const hits = await index.search('save record', { limit: 10 });
      const regex = chunkFile('app/settings.py', linesOf(py)).find((c) => c.symbol === 'save_record')!;
      const hit = hits.find((h) => h.symbol === 'save_record');
      assert.deepEqual(hit && [hit.path, hit.start_line, hit.end_line], ['app/settings.py', regex.startLine, regex.endLine]);
      const doc = (await index.search('retry policy back off', { limit: 10 })).find((h) => h.path === 'docs/guide.md');
      assert.deepEqual(doc && [doc.symbol, doc.start_line, doc.end_line], ['Retry policy', 5, 7]);
    } finally {
      index.dispose();
      broken.dispose();
    }
  });

  it('lists the same .wasm files as esbuild.mjs copies into dist/tree-sitter', async () => {
    const src = await readFile(path.resolve(__dirname, '../../../esbuild.mjs'), 'utf8');
    const list = /export const TREE_SITTER_FILES = (\[[^\]]*\])/.exec(src)?.[1];
    assert.ok(list, 'esbuild.mjs has TREE_SITTER_FILES');
    assert.deepEqual(JSON.parse(list.replace(/'/g, '"')), [...TREE_SITTER_FILES]);
  });
});
