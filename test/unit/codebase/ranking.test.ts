import assert from 'node:assert/strict';
import { CodebaseIndex } from '../../../src/shared/codebase/codebaseIndex';
import { MemoryFileSource } from '../../support/memoryFileSource';

async function indexOf(files: Record<string, string>): Promise<CodebaseIndex> {
  const src = new MemoryFileSource();
  for (const [p, t] of Object.entries(files)) src.set(p, t);
  const index = new CodebaseIndex({ source: src });
  await index.start();
  return index;
}

const code = (name: string, body: string) => `export function ${name}(x: number) {\n${body}\n  return x;\n}\n`;

describe('codebase ranking', () => {
  it('ranks the code that implements something above the docs and tests that talk about it', async () => {
    const index = await indexOf({
      'src/retry.ts': code('retryWithBackoff', '  const delay = backoff(attempt);\n  schedule(delay);'),
      'docs/retries.md': '# Retries\nRetries use exponential backoff. Retries with backoff are done by the retry handler.\nBackoff retries retry.',
      'test/retry.test.ts': "it('retries with backoff', () => { retryWithBackoff(1); retryWithBackoff(2); });",
      'src/other.ts': code('unrelated', '  log(x);'),
    });
    const r = await index.search('how are retries with backoff done?');
    assert.equal(r[0]?.path, 'src/retry.ts');
    assert.deepEqual(new Set(r.map((x) => x.path)), new Set(['src/retry.ts', 'docs/retries.md', 'test/retry.test.ts']));
    // Asking for tests ranks them as code.
    assert.equal((await index.search('which test covers retryWithBackoff?'))[0]?.path, 'test/retry.test.ts');
  });

  it('weights a symbol and a path above the same word in a body', async () => {
    const index = await indexOf({
      'src/a.ts': code('misc', '  // mentions the parser once\n  callParser();'),
      'src/b.ts': code('parseHeader', '  split(x);'),
      'src/parser/index.ts': 'export const x = 1;\n',
    });
    const r = await index.search('parser');
    assert.notEqual(r[0]?.path, 'src/a.ts', JSON.stringify(r.map((x) => x.path)));
    assert.equal(r[r.length - 1]?.path, 'src/a.ts');
  });

  it('returns distinct files first, each with its best chunk, and the lines of the chunk', async () => {
    const big = Array.from({ length: 5 }, (_, i) => code(`tokenize${i}`, '  scanToken(x);\n  tokenizeMore(x);')).join('\n');
    const index = await indexOf({ 'src/lexer.ts': big, 'src/scanner.ts': code('scanToken', '  readChar();') });
    const r = await index.search('tokenize scan token', { limit: 4 });
    assert.deepEqual(new Set(r.slice(0, 2).map((x) => x.path)), new Set(['src/lexer.ts', 'src/scanner.ts']));
    const first = r.find((x) => x.path === 'src/scanner.ts')!;
    assert.equal(first.symbol, 'scanToken');
    assert.equal(first.start_line, 1);
    assert.match(first.text, /^export function scanToken/);
    assert.equal(r.length, 4);
  });

  it('finds an identifier by its words and by its whole name', async () => {
    const index = await indexOf({ 'src/http.ts': code('parseHTTPHeader', '  return x;'), 'src/other.ts': code('parse', '  header();') });
    assert.equal((await index.search('parseHTTPHeader'))[0]?.path, 'src/http.ts');
    assert.equal((await index.search('parse http header'))[0]?.path, 'src/http.ts');
  });

  it('answers nothing for words nowhere in the workspace, and honours the limit', async () => {
    const index = await indexOf({ 'a.ts': code('alpha', ''), 'b.ts': code('beta', '') });
    assert.deepEqual(await index.search('zebra quokka'), []);
    assert.equal((await index.search('function alpha beta return', { limit: 1 })).length, 1);
  });
});
