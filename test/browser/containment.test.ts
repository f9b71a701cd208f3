// Markdown blocks off screen are skipped by the browser (content-visibility): in
// Chromium, what the user sees must not change for it — every block where it was
// without the rule, find in page and selection reaching the skipped text, and the
// view resting at the bottom.
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { benchPage } from '../../bench/benchPage';
import { launchChromium } from './chromium';

const ENTRY = `
import { h, render } from 'preact';
import { ActionsContext } from './webview/components/context';
import { Markdown } from './webview/components/Markdown';
import './webview/styles.css';

window.show = (text) => {
  const actions = { post() {}, local() {}, editor: true };
  render(
    h(ActionsContext.Provider, { value: actions },
      h('div', { class: 'messages', style: 'height:500px;overflow-y:auto' },
        h('div', { class: 'message message-assistant' }, h(Markdown, { text, streaming: false })))),
    document.getElementById('root'));
  window.skipped = 0;
  for (const c of document.querySelectorAll('.md-chunk > *')) c.addEventListener('contentvisibilityautostatechange', (e) => { if (e.skipped) window.skipped++; });
};

/** Top and height of every block, relative to the reply, in CSS pixels. */
window.positions = () => {
  const md = document.querySelector('.md');
  const top = md.getBoundingClientRect().top;
  return [...document.querySelectorAll('.md > .md-chunk > *')].map((el) => {
    const r = el.getBoundingClientRect();
    return [el.tagName + '.' + el.className, Math.round((r.top - top) * 10) / 10, Math.round(r.height * 10) / 10];
  });
};

/** The same page without the containment rules (the reference of what the user saw before). */
window.dropContainment = () => {
  for (const sheet of document.styleSheets) {
    for (let i = sheet.cssRules.length - 1; i >= 0; i--) {
      if (/content-visibility/.test(sheet.cssRules[i].cssText ?? '')) sheet.deleteRule(i);
    }
  }
};

/** Scrolls top to bottom a screen at a time, each shown for two frames, as reading (or streaming) shows every block once. */
window.scrollThrough = async () => {
  const sc = document.querySelector('.messages');
  const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  for (let y = 0; y <= sc.scrollHeight; y += sc.clientHeight / 2) {
    sc.scrollTop = y;
    await frames();
  }
  sc.scrollTop = sc.scrollHeight;
  await frames();
};
`;

/** Every kind of top-level block, in a cycle of 9 (prime to the 32 blocks of a run), so each pair meets, inside a run and across runs. */
function longAnswer(blocks: number): string {
  const kinds = [
    (i: number) => `Paragraph ${i} with **bold**, \`code\` and a [link](https://example.com/${i}); words-${i} to find.`,
    (i: number) => `## Heading ${i}`,
    (i: number) => '```ts\nconst x' + i + ' = ' + i + ';\nexport default x' + i + ';\n```',
    (i: number) => `- item ${i}a\n- item ${i}b`,
    (i: number) => `1. first ${i}\n\n2. second ${i}, a loose list`,
    (i: number) => `> quoted ${i}\n> over two lines`,
    (i: number) => `| a | b |\n|---|---|\n| ${i} | ${i + 1} |`,
    () => '---',
    (i: number) => `# Big heading ${i}`,
  ];
  return Array.from({ length: blocks }, (_, i) => kinds[i % kinds.length]!(i)).join('\n\n');
}

describe('containment of finished markdown (Chromium)', function () {
  let browser: Browser;
  let page: Page;
  let html: string;

  before(async function () {
    html = await benchPage({ entry: ENTRY, name: 'test-containment', rootStyle: 'height:600px;width:700px' });
    browser = await launchChromium();
  });
  after(async () => browser?.close());
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 760, height: 640 } });
    await page.setContent(html);
    await page.evaluate((t) => (window as unknown as { show(t: string): void }).show(t), longAnswer(300));
  });
  afterEach(async () => page?.close());

  const call = <T>(fn: string) => page.evaluate((f) => (window as unknown as Record<string, () => T>)[f]!(), fn);

  it('the browser skips blocks off screen: paragraphs, headings, code, tables, rules; never lists or quotes', async () => {
    await call('scrollThrough');
    const state = await page.evaluate(() => {
      const blocks = [...document.querySelectorAll('.md > .md-chunk > *')];
      const cv: Record<string, string[]> = {};
      for (const b of blocks) (cv[b.tagName] ??= []).includes(getComputedStyle(b).contentVisibility) || cv[b.tagName]!.push(getComputedStyle(b).contentVisibility);
      return { count: blocks.length, cv, skipped: (window as unknown as { skipped: number }).skipped };
    });
    assert.equal(state.count, 300);
    assert.deepEqual(state.cv, { P: ['auto'], H2: ['auto'], H1: ['auto'], DIV: ['auto'], UL: ['visible'], OL: ['visible'], BLOCKQUOTE: ['visible'], HR: ['auto'] });
    assert.ok(state.skipped > 150, `only ${state.skipped} blocks were skipped off screen`);
  });

  it('every block sits where it did without containment, to the pixel', async () => {
    await call('scrollThrough');
    const contained = await call<Array<[string, number, number]>>('positions');
    const height = await page.evaluate(() => document.querySelector('.messages')!.scrollHeight);
    await call('dropContainment');
    const plain = await call<Array<[string, number, number]>>('positions');
    assert.equal(contained.length, plain.length);
    const moved = contained.filter(([, top, h], i) => Math.abs(top - plain[i]![1]) > 0.5 || Math.abs(h - plain[i]![2]) > 0.5);
    assert.deepEqual(moved.slice(0, 5).map((m) => [m, plain[contained.indexOf(m)], contained[contained.indexOf(m) - 1], plain[contained.indexOf(m) - 1]]), [], `${moved.length} blocks moved`);
    assert.equal(await page.evaluate(() => document.querySelector('.messages')!.scrollHeight), height, 'the same scroll height');
  });

  it('find in page and selection reach text in skipped blocks', async () => {
    await call('scrollThrough');
    // At the bottom, the first blocks are skipped; find and select-all still see them.
    const r = await page.evaluate(() => {
      const found = (window as unknown as { find(s: string): boolean }).find('words-9 to find');
      const sel = getSelection()!;
      const inBlock = sel.anchorNode?.parentElement?.closest('p')?.textContent?.startsWith('Paragraph 9 ') ?? false;
      sel.selectAllChildren(document.querySelector('.md')!);
      const all = sel.toString();
      return { found, inBlock, hasFirst: all.includes('Paragraph 0 with bold'), hasLast: all.includes('Big heading 296') };
    });
    assert.deepEqual(r, { found: true, inBlock: true, hasFirst: true, hasLast: true });
  });

  it('the view rests at the bottom after scrolling there', async () => {
    await call('scrollThrough');
    const gap = await page.evaluate(() => {
      const sc = document.querySelector('.messages')!;
      return sc.scrollHeight - sc.scrollTop - sc.clientHeight;
    });
    assert.ok(gap < 1, `${gap}px short of the bottom`);
  });
});
