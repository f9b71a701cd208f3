import assert from 'node:assert/strict';
import { cleanup, render } from '@testing-library/preact';
import { ActionsContext } from '../../webview/components/context';
import { Markdown } from '../../webview/components/Markdown';
import { XSS_CORPUS } from './corpus';

function renderMarkdown(text: string, streaming = false) {
  return render(
    <ActionsContext.Provider value={{ post: () => undefined, apply: async () => undefined, local: () => undefined, editor: true }}>
      <Markdown text={text} streaming={streaming} />
    </ActionsContext.Provider>,
  );
}

const FORBIDDEN_TAGS = 'script, iframe, object, embed, img, svg, base, meta, link, style, form, input:not([type=checkbox][disabled]), frame, frameset, audio, video, source, math';

function assertInert(root: Element, name: string) {
  assert.equal(root.querySelectorAll(FORBIDDEN_TAGS).length, 0, `${name}: a live element was created`);
  for (const el of Array.from(root.querySelectorAll('*'))) {
    for (const attr of Array.from(el.attributes)) {
      assert.ok(!/^on/i.test(attr.name), `${name}: event handler attribute ${attr.name}`);
      assert.notEqual(attr.name, 'srcdoc', `${name}: srcdoc`);
      if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(attr.name)) {
        assert.match(attr.value, /^(https?:\/\/|mailto:)/i, `${name}: ${attr.name}=${attr.value}`);
      }
      if (attr.name === 'style') assert.doesNotMatch(attr.value, /url\(/i, `${name}: style with url()`);
    }
  }
}

describe('XSS corpus (happy-dom)', () => {
  afterEach(cleanup);
  for (const { name, text } of XSS_CORPUS) {
    it(`renders inert: ${name}`, () => {
      const finished = renderMarkdown(text);
      assertInert(finished.container, name);
      cleanup();
      // Mid-stream (an open tail block) must be just as inert, at every cut.
      for (const cut of [Math.floor(text.length / 3), Math.floor(text.length / 2), text.length - 1]) {
        const partial = renderMarkdown(text.slice(0, Math.max(1, cut)), true);
        assertInert(partial.container, `${name} @${cut}`);
        cleanup();
      }
    });
  }

  it('shows hostile HTML as visible text rather than dropping it', () => {
    const r = renderMarkdown('Hi <script>window.__pwned=1</script> there');
    assert.match(r.container.textContent ?? '', /<script>window.__pwned=1<\/script>/);
  });

  it('shows the target of an inert link so the user sees what it was', () => {
    const r = renderMarkdown('[click me](javascript:window.__pwned=1)');
    assert.match(r.container.textContent ?? '', /click me \(javascript:window.__pwned=1\)/);
    assert.equal(r.container.querySelectorAll('a').length, 0);
  });

  it('decodes entities to text without creating elements', () => {
    const r = renderMarkdown('&lt;b&gt;bold?&lt;/b&gt; &amp; &#x3C;i&#x3E;');
    assert.equal(r.container.querySelector('p')?.textContent, '<b>bold?</b> & <i>');
    assert.equal(r.container.querySelectorAll('b, i').length, 0);
  });
});
