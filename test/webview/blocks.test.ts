import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MarkdownBlocks } from '../../webview/markdown/blocks';
import { lexMarkdown, lexStats } from '../../webview/markdown/lexer';

const DOC = [
  '# Title\n\n',
  'A paragraph with **bold** and `code`.\n\n',
  '- one\n- two\n- three\n\n',
  '```ts\nconst a = 1;\nconst b = 2;\n```\n\n',
  '> quoted\n\n',
  '| a | b |\n|---|---|\n| 1 | 2 |\n\n',
  '1. first\n2. second\n\n',
  'Last paragraph.\n',
].join('');

function streamThrough(text: string, step: number, blocks = new MarkdownBlocks()) {
  for (let i = step; i < text.length + step; i += step) blocks.update(text.slice(0, Math.min(i, text.length)));
  return blocks.finish(text);
}

/** Block types and raw texts of a full, one-shot lex (the reference). */
function reference(text: string) {
  return lexMarkdown(text).map((t) => ({ type: t.type, raw: t.raw }));
}

describe('markdown blocks: incremental parsing', () => {
  it('streamed char by char gives the same blocks as one full parse', () => {
    const got = streamThrough(DOC, 1).map((b) => ({ type: b.token.type, raw: b.raw }));
    assert.deepEqual(got, reference(DOC));
  });

  it('any chunking gives the same blocks as one full parse (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 60 }), (cuts) => {
        const blocks = new MarkdownBlocks();
        let at = 0;
        for (const c of cuts) {
          at = Math.min(DOC.length, at + c);
          blocks.update(DOC.slice(0, at));
        }
        const got = blocks.finish(DOC).map((b) => ({ type: b.token.type, raw: b.raw }));
        assert.deepEqual(got, reference(DOC));
      }),
      { numRuns: 60 },
    );
  });

  it('never re-lexes a finished block: each update lexes only the text after the last finished block', () => {
    const seen: string[] = [];
    // A still clock: on a loaded machine one lexer call can pass SLOW_LEX_MS, and the open block would then go plain (not re-lexed) for the rest of the stream.
    const blocks = new MarkdownBlocks(
      (src, links) => {
        seen.push(src);
        return lexMarkdown(src, links);
      },
      () => 0,
    );
    for (let i = 1; i <= DOC.length; i++) blocks.update(DOC.slice(0, i));
    // Once "# Title" is followed by another block it is finished: no later input starts with it.
    const afterTitle = seen.findIndex((s) => s.startsWith('# Title\n\nA'));
    assert.ok(afterTitle >= 0);
    const later = seen.slice(afterTitle + 1);
    assert.ok(later.length > 100);
    assert.ok(later.every((s) => !s.includes('# Title')), 'the finished heading was lexed again');
    // Total work is linear-ish: far below the quadratic sum of prefixes.
    const total = seen.reduce((n, s) => n + s.length, 0);
    const quadratic = (DOC.length * (DOC.length + 1)) / 2;
    assert.ok(total < quadratic / 4, `lexed ${total} chars, quadratic would be ${quadratic}`);
  });

  it('counts lexer calls: an unchanged text is not lexed again', () => {
    const blocks = new MarkdownBlocks();
    blocks.update(DOC);
    const before = lexStats.calls;
    blocks.update(DOC);
    blocks.update(DOC);
    assert.equal(lexStats.calls, before);
  });

  it('keeps finished blocks as the same objects across updates (cache hits)', () => {
    const blocks = new MarkdownBlocks();
    const first = blocks.update('# A\n\nbody');
    const second = blocks.update('# A\n\nbody grows');
    assert.equal(first[0], second[0]);
    assert.equal(second[0]!.open, false);
    assert.equal(second[second.length - 1]!.open, true);
  });

  it('starts over when the text is replaced rather than appended to', () => {
    const blocks = new MarkdownBlocks();
    blocks.update('# A\n\nfirst\n\nsecond');
    const got = blocks.update('# B\n\nother');
    assert.deepEqual(
      got.map((b) => b.raw),
      reference('# B\n\nother').map((t) => t.raw),
    );
  });

  it('an unclosed code fence is one open code block holding everything after it', () => {
    const blocks = new MarkdownBlocks();
    const got = blocks.update('Intro\n\n```python\ndef f():\n    return 1\n\n# not a heading');
    const last = got[got.length - 1]!;
    assert.equal(last.token.type, 'code');
    assert.equal(last.open, true);
    assert.match((last.token as { text: string }).text, /# not a heading/);
  });

  it('normalises CRLF line ends', () => {
    const blocks = new MarkdownBlocks();
    const got = blocks.finish('a\r\n\r\nb');
    assert.deepEqual(
      got.filter((b) => b.token.type === 'paragraph').map((b) => b.raw.trim()),
      ['a', 'b'],
    );
  });

  it('reference definitions from earlier finished blocks still resolve later links', () => {
    const blocks = new MarkdownBlocks();
    const text = '[ref]: https://example.com/x\n\nIntro.\n\nSee [the docs][ref].\n';
    for (let i = 1; i <= text.length; i++) blocks.update(text.slice(0, i));
    const last = blocks.finish(text).filter((b) => b.token.type === 'paragraph').pop()!;
    const link = (last.token as { tokens: Array<{ type: string; href?: string }> }).tokens.find((t) => t.type === 'link');
    assert.equal(link?.href, 'https://example.com/x');
  });
});
