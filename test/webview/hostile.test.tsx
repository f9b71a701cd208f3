// Hostile markdown: nothing a model writes may throw out of the renderer,
// blank the panel, or make one block cost more than a bounded amount of lexing.
import assert from 'node:assert/strict';
import { cleanup, fireEvent, render } from '@testing-library/preact';
import fc from 'fast-check';
import type { ChatMessage } from '../../src/shared/session';
import { ActionsContext, LexClockContext } from '../../webview/components/context';
import { ErrorBoundary } from '../../webview/components/ErrorBoundary';
import { Markdown, MdBlock } from '../../webview/components/Markdown';
import { MessageList } from '../../webview/components/MessageList';
import { Root } from '../../webview/components/Root';
import { MarkdownBlocks, SLOW_LEX_MS, WINDOW_CHARS, type Lex } from '../../webview/markdown/blocks';
import { DEPTH_CAP, inlineWeight, lineDepth } from '../../webview/markdown/guard';
import { lexMarkdown, lexStats, PIECE_WEIGHT } from '../../webview/markdown/lexer';
import { HOSTILE_MARKDOWN, HOSTILE_SHAPES } from './corpus';
import { message, mountApp, session, snapshot, startTurn, tokens, done } from './helpers';

const ACTIONS = { post: () => undefined, apply: async () => undefined, local: () => undefined, editor: false };

function md(text: string, streaming = false) {
  return render(
    <ActionsContext.Provider value={ACTIONS}>
      <Markdown text={text} streaming={streaming} />
    </ActionsContext.Provider>,
  ).container;
}

/** Records what each lexer call was given. */
function recordingLex(into: string[]): Lex {
  return (src, links) => {
    into.push(src);
    return lexMarkdown(src, links);
  };
}

/** Expected failures are logged by the boundaries: keep the test output clean, but count them. */
function quietConsole() {
  const original = console.error;
  const seen: unknown[][] = [];
  beforeEach(() => {
    seen.length = 0;
    console.error = (...args: unknown[]) => void seen.push(args);
  });
  afterEach(() => {
    console.error = original;
  });
  return seen;
}

describe('hostile markdown: nesting depth', () => {
  afterEach(cleanup);

  it('1,900+ levels of > neither throw nor vanish: the line is plain, readable text', () => {
    const text = '>'.repeat(3000) + ' hello there';
    const blocks = new MarkdownBlocks().finish(text);
    assert.deepEqual(
      blocks.map((b) => b.token.type),
      ['plain'],
    );
    const c = md(text);
    const p = c.querySelector('p.md-plain');
    assert.ok(p, 'shown as a plain block');
    assert.match(p.textContent ?? '', /^>{3000} hello there$/);
    assert.match(p.getAttribute('title') ?? '', /nested too deeply/);
  });

  for (const { name, kind, text } of HOSTILE_MARKDOWN) {
    it(`renders without throwing, finished and streamed, text kept: ${name}`, () => {
      const finished = new MarkdownBlocks().finish(text);
      assert.equal(finished.map((b) => b.raw).join(''), text, 'the blocks account for every character');
      const c = md(text);
      assert.match(c.textContent ?? '', /END/, 'the end of the text is shown');
      if (kind === 'depth') assert.ok(c.querySelectorAll('*').length < 2000, 'no thousands of nested elements');
      cleanup();
      const stream = new MarkdownBlocks();
      for (let i = 700; i < text.length + 700; i += 700) stream.update(text.slice(0, Math.min(i, text.length)));
      assert.equal(stream.finish(text).map((b) => b.raw).join(''), text);
    });
  }

  it('a line nested up to the cap is still formatted; one level more is not', () => {
    const ok = new MarkdownBlocks().finish('> '.repeat(DEPTH_CAP) + 'deep');
    assert.equal(ok[0]!.token.type, 'blockquote');
    const deep = new MarkdownBlocks().finish('> '.repeat(DEPTH_CAP + 1) + 'deeper');
    assert.equal(deep[0]!.token.type, 'plain');
  });

  it('only the too-deep lines are plain: the blocks around them keep their markdown', () => {
    const text = '# Title\n\nIntro with **bold**.\n\n' + '>'.repeat(2500) + ' hostile\n\n- after\n- list\n';
    const types = new MarkdownBlocks().finish(text).map((b) => b.token.type).filter((t) => t !== 'space');
    assert.deepEqual(types, ['heading', 'paragraph', 'plain', 'list']);
  });

  it('deep lines inside fenced code are code, not a hazard', () => {
    const text = '```\n' + '>'.repeat(100) + '\n```\n\nafter';
    const types = new MarkdownBlocks().finish(text).map((b) => b.token.type).filter((t) => t !== 'space');
    assert.deepEqual(types, ['code', 'paragraph']);
  });

  it('measures nesting the way marked recurses: quotes, list markers, indentation before a marker', () => {
    const depth = (line: string) => lineDepth(line, 0, line.length).depth;
    assert.equal(depth('plain text'), 0);
    assert.equal(depth('> > quote'), 2);
    assert.equal(depth('- * + 1. 2) x'), 5);
    assert.equal(depth('        - nested by indentation'), 5);
    assert.equal(depth('    indented code'), 0);
    assert.equal(depth('1234567890. not a marker'), 0);
    assert.equal(lineDepth('> > ', 0, 4).settled, false, 'an unfinished prefix may still grow');
    assert.equal(inlineWeight('*a *b *c d* e* f*').depth, 3);
    assert.equal(inlineWeight('**bold** and *em* and snake_case_name').depth, 2);
    assert.equal(inlineWeight('**bold**, `code`, [a](b) and snake_case').specials, 9);
  });
});

describe('hostile markdown: bounded lexing', () => {
  it('a quadratic inline run past the budget is kept as plain text, not lexed', () => {
    const run = '_a'.repeat(6000);
    assert.ok(inlineWeight(run).specials ** 2 > PIECE_WEIGHT);
    const before = lexStats.plainInline;
    const [para] = lexMarkdown(run);
    assert.equal(para!.type, 'paragraph');
    const inner = (para as { tokens: Array<{ type: string; text: string }> }).tokens;
    assert.deepEqual(
      inner.map((t) => t.type),
      ['text'],
    );
    assert.equal(inner[0]!.text, run);
    assert.equal(lexStats.plainInline, before + 1);
  });

  it('ordinary inline markdown is still lexed', () => {
    const [para] = lexMarkdown('Some *em*, **strong**, `code`, a [link](https://example.com) and snake_case.');
    const types = (para as { tokens: Array<{ type: string }> }).tokens.map((t) => t.type);
    assert.deepEqual(types.filter((t) => t !== 'text'), ['em', 'strong', 'codespan', 'link']);
  });

  it('a long paragraph full of markdown is lexed a group of lines at a time, keeping its formatting', () => {
    const line = (i: number) => `**Step ${i}**: run \`npm test\` and *then* [open](https://example.com/${i}) it.`;
    const text = Array.from({ length: 100 }, (_, i) => line(i)).join('\n');
    assert.ok(inlineWeight(text).specials ** 2 > PIECE_WEIGHT, 'over one piece');
    const before = lexStats.plainInline;
    const c = md(text);
    assert.equal(lexStats.plainInline, before, 'nothing fell back to plain text');
    assert.equal(c.querySelectorAll('p').length, 1);
    assert.equal(c.querySelectorAll('strong').length, 100);
    assert.equal(c.querySelectorAll('code').length, 100);
    assert.equal(c.querySelectorAll('a').length, 100);
    cleanup();
  });

  it('a hard line break where a paragraph is split between pieces is kept', () => {
    const line = '`a` `b` `c` `d` `e` `f` `g` `h` `i` `j` `k` `l`';
    const text = Array.from({ length: 12 }, () => line).join('  \n');
    assert.ok(inlineWeight(text).specials ** 2 > PIECE_WEIGHT);
    const c = md(text);
    assert.equal(c.querySelectorAll('br').length, 11);
    assert.equal(c.querySelectorAll('code').length, 144);
    cleanup();
  });

  it('the budget is per top-level block: many small costly runs add up', () => {
    // Each cell is under the leaf budget; the table as a whole is over the block budget.
    const cell = '_a'.repeat(75);
    assert.ok(inlineWeight(cell).specials ** 2 < PIECE_WEIGHT);
    const table = '| a | b |\n|---|---|\n' + `| ${cell} | ${cell} |\n`.repeat(20);
    const before = lexStats.plainInline;
    lexMarkdown(table);
    assert.ok(lexStats.plainInline > before, 'later cells fell back to plain text');
  });

  // The size bench/markdown.bench.ts measures its per-block budget at.
  const BOUND = 16 * 1024;
  it('lexes at most 16 KB per call', () => assert.ok(WINDOW_CHARS <= BOUND));

  for (const shape of HOSTILE_SHAPES.filter((s) => s.kind !== 'depth')) {
    it(`no lexer call gets more than 16 KB (fenced code aside): ${shape.name}`, () => {
      const text = shape.make(60_000);
      const seen: string[] = [];
      new MarkdownBlocks(recordingLex(seen)).finish(text);
      const streamed: string[] = [];
      const s = new MarkdownBlocks(recordingLex(streamed));
      for (let i = 2000; i < text.length + 2000; i += 2000) s.update(text.slice(0, Math.min(i, text.length)));
      for (const src of [...seen, ...streamed]) {
        if (/^ {0,3}(```|~~~)/.test(src)) continue;
        assert.ok(src.length <= BOUND, `a lexer call got ${src.length} chars`);
      }
    });
  }

  it('one giant list is cut into lists at line boundaries; the text stays whole', () => {
    const text = Array.from({ length: 3000 }, (_, i) => `${i + 1}. item ${i + 1}`).join('\n');
    const blocks = new MarkdownBlocks().finish(text);
    const lists = blocks.filter((b) => b.token.type === 'list');
    assert.ok(lists.length >= 3, `${lists.length} lists`);
    assert.equal(blocks.map((b) => b.raw).join(''), text);
    // Each piece starts at an item, so the numbering carries on.
    for (const l of lists) assert.match(l.raw, /^\d+\. item/);
    const c = md(text);
    const starts = Array.from(c.querySelectorAll('ol')).map((ol) => ol.getAttribute('start'));
    assert.equal(starts[0], null);
    assert.ok(starts.slice(1).every((s) => Number(s) > 1));
    cleanup();
  });

  it('a giant fenced code block is never cut', () => {
    const code = Array.from({ length: 3000 }, (_, i) => `const v${i} = ${i};`).join('\n');
    const text = 'Here:\n\n```ts\n' + code + '\n```\n\nAfter.';
    const finished = new MarkdownBlocks().finish(text).filter((b) => b.token.type !== 'space');
    assert.deepEqual(
      finished.map((b) => b.token.type),
      ['paragraph', 'code', 'paragraph'],
    );
    assert.equal((finished[1]!.token as { text: string }).text, code);
    // A still clock: lexing a 60 KB fence on a loaded machine can pass SLOW_LEX_MS, and the open fence would then go plain.
    const s = new MarkdownBlocks(lexMarkdown, () => 0);
    let open: string | undefined;
    for (let i = 500; i < text.length; i += 500) {
      const last = s.update(text.slice(0, i)).filter((b) => b.token.type !== 'space').pop()!;
      if (i > 20_000 && i < code.length) open = last.token.type;
    }
    assert.equal(open, 'code', 'while streaming, the open block is the whole fence');
  });

  it('streamed in any chunks, giant blocks end up as the same blocks as a one-shot render (property)', function () {
    this.timeout(60_000);
    const doc = [
      '# Intro\n\nSome text.\n\n',
      '- item\n'.repeat(4000),
      '\n```js\n' + 'x();\n'.repeat(5000) + '```\n\n',
      'word '.repeat(5000) + '\n\n',
      '>'.repeat(3000) + ' deep\n\n',
      '| a | b |\n|---|---|\n' + '| 1 | 2 |\n'.repeat(2000),
      '\nThe end.\n',
    ].join('');
    const reference = new MarkdownBlocks().finish(doc).map((b) => [b.offset, b.token.type, b.raw.length]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 5, maxLength: 40 }), (cuts) => {
        const s = new MarkdownBlocks();
        let at = 0;
        for (const c of cuts) {
          at = Math.min(doc.length, at + c);
          s.update(doc.slice(0, at));
        }
        const got = s.finish(doc).map((b) => [b.offset, b.token.type, b.raw.length]);
        assert.deepEqual(got, reference);
      }),
      { numRuns: 15 },
    );
  });

  it('an open block that lexed slower than the budget is shown plain until the reply ends', () => {
    let clock = 0;
    let calls = 0;
    const slow: Lex = (src, links) => {
      calls++;
      if (src.includes('slow')) clock += SLOW_LEX_MS + 10;
      return lexMarkdown(src, links);
    };
    const s = new MarkdownBlocks(slow, () => clock);
    s.update('Fine paragraph.\n\nA slow *block*');
    const afterFirst = calls;
    const mid = s.update('Fine paragraph.\n\nA slow *block* that keeps growing');
    assert.equal(calls, afterFirst, 'the slow open block is not lexed again while it streams');
    assert.deepEqual(
      mid.filter((b) => b.token.type !== 'space').map((b) => [b.token.type, b.open]),
      [
        ['paragraph', false],
        ['plain', true],
      ],
    );
    const end = s.finish('Fine paragraph.\n\nA slow *block* that keeps growing.');
    assert.equal(end.filter((b) => b.token.type !== 'space').pop()!.token.type, 'paragraph', 'lexed once when the reply ends');
  });

  it('the chat times lexer calls on the clock it is given: after a slow one the open block streams plain, the ended reply is lexed', () => {
    const tree = (clock: () => number, text: string, streaming: boolean) => (
      <ActionsContext.Provider value={ACTIONS}>
        <LexClockContext.Provider value={clock}>
          <Markdown text={text} streaming={streaming} />
        </LexClockContext.Provider>
      </ActionsContext.Provider>
    );
    const first = 'Fine paragraph.\n\nA *growing* block';
    const more = first + ' that grows';
    const stream = (clock: () => number) => {
      const r = render(tree(clock, first, true));
      r.rerender(tree(clock, more, true));
      return r;
    };
    const still = stream(() => 0);
    assert.equal(still.container.querySelector('em')?.textContent, 'growing', 'on a still clock the open block stays markdown');
    cleanup();
    // Each reading of this clock is SLOW_LEX_MS + 1 later than the last: every lexer call looks slow.
    let t = 0;
    const crawling = () => (t += SLOW_LEX_MS + 1);
    const slow = stream(crawling);
    assert.equal(slow.container.querySelector('em'), null, 'after a slow lex the open block is shown as its text');
    assert.match(slow.container.textContent ?? '', /A \*growing\* block that grows/);
    slow.rerender(tree(crawling, more, false));
    assert.equal(slow.container.querySelector('em')?.textContent, 'growing', 'the ended reply is lexed whatever the clock says');
  });

  it('a lexer that throws falls back paragraph by paragraph, then to plain text', () => {
    const flaky: Lex = (src, links) => {
      if (src.includes('BOOM')) throw new RangeError('Maximum call stack size exceeded');
      return lexMarkdown(src, links);
    };
    const blocks = new MarkdownBlocks(flaky).finish('# Fine\n\nBOOM goes *this*\n\n- still\n- a list\n');
    assert.deepEqual(
      blocks.filter((b) => b.token.type !== 'space').map((b) => b.token.type),
      ['heading', 'plain', 'list'],
    );
    assert.equal(blocks.map((b) => b.raw).join(''), '# Fine\n\nBOOM goes *this*\n\n- still\n- a list\n');
  });
});

describe('hostile markdown: error boundaries', () => {
  const errors = quietConsole();
  afterEach(cleanup);

  it('a block whose vnodes cannot be built shows its text plain', () => {
    const bad = { type: 'list', raw: '- broken list', items: null };
    const c = render(
      <ActionsContext.Provider value={ACTIONS}>
        <MdBlock block={{ offset: 0, raw: bad.raw, token: bad, open: false }} />
      </ActionsContext.Provider>,
    ).container;
    assert.equal(c.querySelector('p.md-plain')?.textContent, '- broken list');
    assert.equal(errors.length, 1);
  });

  it('a block whose child component throws while rendering shows its text plain (boundary)', () => {
    // An open code block with a non-string body makes CodeBlock's highlighter throw.
    const bad = { type: 'code', raw: '```ts', text: 42, lang: 'ts' };
    const c = render(
      <ActionsContext.Provider value={ACTIONS}>
        <div>
          <MdBlock block={{ offset: 0, raw: bad.raw, token: bad, open: true }} />
          <p class="sibling">still here</p>
        </div>
      </ActionsContext.Provider>,
    ).container;
    assert.equal(c.querySelector('p.md-plain')?.textContent, '```ts');
    assert.equal(c.querySelector('.sibling')?.textContent, 'still here');
    assert.ok(errors.length >= 1);
  });

  it('a failure outside the messages (composer, toolbar) shows a way back, not a blank panel', () => {
    let explode = true;
    function Toolbar() {
      if (explode) throw new Error('boom');
      return <span class="ok">toolbar</span>;
    }
    const r = render(
      <Root>
        <Toolbar />
      </Root>,
    );
    assert.match(r.container.querySelector('[role="alert"]')?.textContent ?? '', /could not be displayed/);
    explode = false;
    fireEvent.click(r.getByText('Try again'));
    assert.equal(r.container.querySelector('.ok')?.textContent, 'toolbar');
  });

  it('the error boundary renders its fallback when a child throws, and retries when its key changes', () => {
    let explode = true;
    function Child() {
      if (explode) throw new Error('boom');
      return <span class="ok">fine</span>;
    }
    const view = (key: string) => (
      <ErrorBoundary resetKey={key} fallback={() => <span class="fallback">fallback</span>}>
        <Child />
      </ErrorBoundary>
    );
    const r = render(view('a'));
    assert.ok(r.container.querySelector('.fallback'));
    explode = false;
    r.rerender(view('a'));
    assert.ok(r.container.querySelector('.fallback'), 'same key: the fallback stays');
    r.rerender(view('b'));
    assert.ok(r.container.querySelector('.ok'), 'new key: tried again');
  });

  it('a message that throws while rendering shows its raw text and a note; the next message still renders', () => {
    const bad = message('assistant', 'The **raw** reply text');
    Object.defineProperty(bad, 'thinking', {
      get() {
        throw new Error('render failure');
      },
    });
    const good = message('assistant', 'A *later* reply');
    const messages: ChatMessage[] = [message('user', 'q1'), bad, message('user', 'q2'), good];
    const c = render(
      <ActionsContext.Provider value={ACTIONS}>
        <MessageList messages={messages} busy={false} canPull={false} onEdit={() => undefined} />
      </ActionsContext.Provider>,
    ).container;
    const failed = c.querySelector('.message-failed');
    assert.ok(failed, 'the failed message has a fallback');
    assert.equal(failed.querySelector('.md-plain')?.textContent, 'The **raw** reply text');
    assert.match(failed.textContent ?? '', /could not be displayed formatted/);
    const replies = Array.from(c.querySelectorAll('.message-assistant .md'));
    assert.equal(replies.length, 1);
    assert.equal(replies[0]!.querySelector('em')?.textContent, 'later');
    assert.equal(c.querySelectorAll('.message-user').length, 2);
  });

  it('the panel survives a hostile reply: later turns render, and reopening the session renders it again', () => {
    const hostile = HOSTILE_MARKDOWN.find((h) => h.name.startsWith('block quotes, one per character'))!.text;
    const m = mountApp();
    const ids = startTurn(m, 'make it deep');
    for (let i = 0; i < hostile.length; i += 1000) tokens(m, ids, hostile.slice(i, i + 1000));
    m.frame();
    done(m, ids);
    assert.match(m.container.querySelector('.message-assistant .md-plain')?.textContent ?? '', /END$/);
    const next = startTurn(m, 'now something normal', ids.sessionId);
    tokens(m, next, 'A **normal** answer.');
    done(m, next);
    const replies = m.container.querySelectorAll('.message-assistant');
    assert.equal(replies.length, 2);
    assert.equal(replies[1]!.querySelector('strong')?.textContent, 'normal');
    assert.ok(m.getByLabelText('Message'), 'the composer is still there');

    // Reopening the session (the host sends it whole) renders every message again.
    const s = session([message('user', 'make it deep'), message('assistant', hostile), message('user', 'next'), message('assistant', 'Still *fine*.')]);
    const again = mountApp(snapshot({ current: s, sessions: [] }));
    assert.match(again.container.querySelector('.message-assistant .md-plain')?.textContent ?? '', /END$/);
    assert.equal(again.container.querySelectorAll('.message-assistant')[1]!.querySelector('em')?.textContent, 'fine');
    assert.deepEqual(errors, [], 'nothing failed: the guard kept it from reaching the boundaries');
  });
});
