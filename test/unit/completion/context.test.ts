import assert from 'node:assert/strict';
import { codebaseQuery, cutAroundCursor, looksBinary, pickSnippets } from '../../../src/shared/completion/context';
import { estimateTokens } from '../../../src/shared/tokens';

describe('completion context: the cursor surroundings cut to a budget', () => {
  const lines = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `const ${tag}${i} = ${i};`).join('\n');

  it('keeps everything that fits', () => {
    const c = cutAroundCursor('a\nb\n  x', 'y\nz', 100);
    assert.deepEqual(c, { prefix: 'a\nb\n  x', suffix: 'y\nz', prefixCut: false, suffixCut: false });
  });

  it('cuts at line boundaries, nearest lines first, the suffix to a quarter', () => {
    const prefix = lines(2000, 'p') + '\nfunction f() {\n  ret';
    const suffix = '\n}\n' + lines(2000, 's');
    const c = cutAroundCursor(prefix, suffix, 400);
    assert.ok(c.prefixCut && c.suffixCut);
    assert.ok(c.prefix.endsWith('function f() {\n  ret'));
    assert.ok(prefix.endsWith(c.prefix) && /^const p\d+ = \d+;\n/.test(c.prefix), 'starts at a line start');
    assert.ok(c.suffix.startsWith('\n}\n') && suffix.startsWith(c.suffix) && c.suffix.endsWith('\n'), 'ends at a line end');
    assert.ok(estimateTokens(c.prefix) + estimateTokens(c.suffix) <= 400 + 2);
    assert.ok(estimateTokens(c.suffix) <= 100 + 1);
  });

  it('a 1 MB minified line: the cursor line itself is cut, within the budget, quickly', () => {
    const line = 'var a=1;'.repeat(131_072);
    const started = performance.now();
    const c = cutAroundCursor(line, line, 1000);
    const ms = performance.now() - started;
    assert.ok(c.prefix.length > 0 && line.endsWith(c.prefix));
    assert.ok(line.startsWith(c.suffix));
    assert.ok(estimateTokens(c.prefix) + estimateTokens(c.suffix) <= 1000);
    // Not a timing target: a guard that nothing walks the megabyte character by character per token.
    assert.ok(ms < 1000, `${ms} ms`);
  });

  it('a 5 MB file: only the lines near the cursor', () => {
    const big = lines(200_000, 'b');
    assert.ok(big.length > 4_000_000);
    const c = cutAroundCursor(big, big, 1536);
    assert.ok(c.prefix.length < 10_000 && c.suffix.length < 3_000);
  });

  it('snippets: blank ones dropped, each and all within their budgets, at most three', () => {
    const s = pickSnippets(
      [
        { path: 'a.ts', text: '   \n' },
        { path: 'b.ts', text: lines(500, 'b') },
        { path: 'c.ts', text: 'const c = 1;' },
        { path: 'd.ts', text: 'const d = 1;' },
        { path: 'e.ts', text: 'const e = 1;' },
      ],
      3,
      100,
      150,
    );
    assert.deepEqual(s.map((x) => x.path), ['b.ts', 'c.ts', 'd.ts']);
    assert.ok(estimateTokens(s[0]!.text) <= 100);
    assert.ok(s.reduce((n, x) => n + estimateTokens(x.text), 0) <= 150);
  });

  it('binary-looking text (a NUL, control or replacement characters) is recognised; code, tabs and Unicode are not', () => {
    assert.equal(looksBinary('int main() {\n\treturn 0;\n}\n'), false);
    assert.equal(looksBinary('const s = "héllo 世界 🔥";'), false);
    assert.equal(looksBinary(''), false);
    assert.equal(looksBinary('ELF\u0000\u0001\u0002'), true);
    assert.equal(looksBinary('\ufffd\ufffdPNG\ufffd\u0001\u001a\ufffd\ufffd'), true);
  });
});

describe('codebaseQuery (inline completion snippets from the codebase index)', () => {
  it('the identifiers before the cursor, nearest first, without keywords or short words, each once', () => {
    const prefix = 'import { db } from "./db";\n\nexport async function shipOrder(order: Order) {\n  const rate = computeShippingRate(order.parcel, ';
    assert.equal(codebaseQuery(prefix), 'parcel order computeShippingRate rate shipOrder', 'Order is order, once');
  });
  it('the word being typed is left out, so the query stays the same while it grows', () => {
    const line = 'const total = computeShippingRate(order) + handling';
    assert.equal(codebaseQuery(line + 'Fe'), codebaseQuery(line + 'Fee'));
    assert.equal(codebaseQuery(line + 'Fee'), 'order computeShippingRate total');
    assert.equal(codebaseQuery(line + 'Fee '), 'handlingFee order computeShippingRate total', 'a finished word counts');
  });

  it('only the last lines, at most max words; nothing to search gives ""', () => {
    const prefix = `${'oldName\n'.repeat(20)}first second\nthird\n`;
    assert.equal(codebaseQuery(prefix, 3, 2), 'third second');
    assert.equal(codebaseQuery(prefix), 'third second first oldName', 'a word repeated on every line is searched once');
    assert.equal(codebaseQuery('  return x;\n  }\n'), '');
    assert.equal(codebaseQuery(''), '');
  });
});
