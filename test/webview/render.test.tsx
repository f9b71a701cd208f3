import assert from 'node:assert/strict';
import { cleanup, render } from '@testing-library/preact';
import { ActionsContext } from '../../webview/components/context';
import { Markdown } from '../../webview/components/Markdown';

function md(text: string, streaming = false) {
  return render(
    <ActionsContext.Provider value={{ post: () => undefined, apply: async () => undefined, local: () => undefined, editor: false }}>
      <Markdown text={text} streaming={streaming} />
    </ActionsContext.Provider>,
  ).container;
}

describe('markdown rendering', () => {
  afterEach(cleanup);

  it('headings, emphasis, inline code, lists, quotes, rules', () => {
    const c = md('# Title\n\nSome *em* and **strong** and ~~del~~ and `x < y`.\n\n3. three\n4. four\n\n- a\n- b\n\n> quote\n\n---\n');
    assert.equal(c.querySelector('h1')?.textContent, 'Title');
    assert.equal(c.querySelector('em')?.textContent, 'em');
    assert.equal(c.querySelector('strong')?.textContent, 'strong');
    assert.equal(c.querySelector('del')?.textContent, 'del');
    assert.equal(c.querySelector('code.md-codespan')?.textContent, 'x < y');
    assert.equal(c.querySelector('ol')?.getAttribute('start'), '3');
    assert.equal(c.querySelectorAll('ol li').length, 2);
    assert.equal(c.querySelectorAll('ul li').length, 2);
    assert.equal(c.querySelector('blockquote')?.textContent?.trim(), 'quote');
    assert.ok(c.querySelector('hr'));
  });

  it('tables with alignment and task lists', () => {
    const c = md('| a | b |\n|:--|--:|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n');
    assert.deepEqual(Array.from(c.querySelectorAll('th')).map((t) => t.textContent), ['a', 'b']);
    assert.equal((c.querySelectorAll('td')[1] as HTMLElement).style.textAlign, 'right');
    const boxes = Array.from(c.querySelectorAll('input[type=checkbox]')) as HTMLInputElement[];
    assert.deepEqual(boxes.map((b) => [b.checked, b.disabled]), [[true, true], [false, true]]);
  });

  it('code blocks: language label, highlighting spans, plain text for unknown languages', () => {
    const c = md('```python\ndef f():\n    return 1\n```\n\n```klingon\nqapla\n```\n');
    const blocks = c.querySelectorAll('.code-block');
    assert.equal(blocks[0]!.querySelector('.code-lang')?.textContent, 'python');
    assert.ok(blocks[0]!.querySelector('.hljs-keyword'));
    assert.equal(blocks[0]!.querySelector('code')?.textContent, 'def f():\n    return 1');
    assert.equal(blocks[1]!.querySelector('.code-lang')?.textContent, 'klingon');
    assert.equal(blocks[1]!.querySelector('code')?.children.length, 0);
    assert.equal(blocks[1]!.querySelector('code')?.textContent, 'qapla');
  });

  it('images are never loaded: shown as a link with their address', () => {
    const c = md('![a cat](https://example.com/cat.png)');
    assert.equal(c.querySelectorAll('img').length, 0);
    assert.match(c.textContent ?? '', /image: a cat https:\/\/example\.com\/cat\.png/);
    assert.equal(c.querySelector('a')?.getAttribute('href'), 'https://example.com/cat.png');
  });

  it('autolinks become links; bare text URLs with unsafe schemes do not', () => {
    const c = md('See https://example.com/x and <mailto:a@b.c>.');
    assert.deepEqual(Array.from(c.querySelectorAll('a')).map((a) => a.getAttribute('href')), ['https://example.com/x', 'mailto:a@b.c']);
  });

  it('raw HTML is visible text', () => {
    const c = md('<div class="x">hello</div>\n\ninline <b>bold</b>');
    assert.equal(c.querySelectorAll('div.x, b').length, 0);
    assert.match(c.textContent ?? '', /<div class="x">hello<\/div>/);
    assert.match(c.textContent ?? '', /<b>bold<\/b>/);
  });

  it('re-renders only the block that changed while streaming', () => {
    const view = render(
      <ActionsContext.Provider value={{ post: () => undefined, apply: async () => undefined, local: () => undefined, editor: false }}>
        <Markdown text={'First paragraph.\n\nSecond'} streaming />
      </ActionsContext.Provider>,
    );
    const first = view.container.querySelector('p')!;
    const firstText = first.firstChild;
    view.rerender(
      <ActionsContext.Provider value={{ post: () => undefined, apply: async () => undefined, local: () => undefined, editor: false }}>
        <Markdown text={'First paragraph.\n\nSecond grows'} streaming />
      </ActionsContext.Provider>,
    );
    const paras = view.container.querySelectorAll('p');
    assert.equal(paras[0], first, 'the finished paragraph kept its element');
    assert.equal(paras[0]!.firstChild, firstText, 'and its text node');
    assert.equal(paras[1]!.textContent, 'Second grows');
  });
});
