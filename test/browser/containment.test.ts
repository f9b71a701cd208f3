// Finished runs of markdown blocks off screen are skipped by the browser
// (content-visibility on every .md-chunk but the last): in Chromium, what the user
// sees must not change for it — every block the same size and the same distance from
// the one before as without the rule (within the 0.1em the CSS comment allows at a
// run's edge), find in page and selection reaching the skipped text, and the view
// resting at the bottom.
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
  for (const c of document.querySelectorAll('.md-chunk')) c.addEventListener('contentvisibilityautostatechange', (e) => { if (e.skipped) window.skipped++; });
};

/** Every block: its gap to the block before (top minus that one's bottom) and its height, in CSS pixels. */
window.positions = () => {
  let bottom = document.querySelector('.md').getBoundingClientRect().top;
  return [...document.querySelectorAll('.md > .md-chunk > *')].map((el) => {
    const r = el.getBoundingClientRect();
    const gap = r.top - bottom;
    bottom = r.bottom;
    return [el.tagName + '.' + el.className, Math.round(gap * 10) / 10, Math.round(r.height * 10) / 10];
  });
};

/** The same page without the containment rules (the reference of what the user saw before). */
window.dropContainment = () => {
  for (const sheet of document.styleSheets) {
    for (let i = sheet.cssRules.length - 1; i >= 0; i--) {
      if (/content-visibility|md-chunk:not\(:last-child\)/.test(sheet.cssRules[i].cssText ?? '')) sheet.deleteRule(i);
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

  it('the browser skips finished runs of blocks off screen, never the last run (where a reply grows)', async () => {
    await call('scrollThrough');
    const state = await page.evaluate(() => {
      const chunks = [...document.querySelectorAll('.md > .md-chunk')];
      return {
        blocks: document.querySelectorAll('.md > .md-chunk > *').length,
        cv: chunks.map((c) => getComputedStyle(c).contentVisibility),
        skipped: (window as unknown as { skipped: number }).skipped,
      };
    });
    assert.equal(state.blocks, 300);
    assert.deepEqual(state.cv, [...Array(9).fill('auto'), 'visible'], '300 blocks make 10 runs of 32: all but the last skippable');
    assert.ok(state.skipped >= 5, `only ${state.skipped} runs were skipped off screen`);
  });

  it('every block has its size and its gap to the one before as without containment (at a run\u2019s edge: within 0.1em)', async () => {
    await call('scrollThrough');
    const contained = await call<Array<[string, number, number]>>('positions');
    const height = await page.evaluate(() => document.querySelector('.messages')!.scrollHeight);
    const em = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('.md')!).fontSize));
    await call('dropContainment');
    const plain = await call<Array<[string, number, number]>>('positions');
    assert.equal(contained.length, plain.length);
    // A run's first block (every 32nd) may sit up to 0.1em closer; any other block exactly where it was.
    const slack = (i: number) => (i % 32 === 0 && i > 0 ? 0.1 * em + 0.5 : 0.5);
    const moved = contained.filter(([, gap, h], i) => Math.abs(gap - plain[i]![1]) > slack(i) || Math.abs(h - plain[i]![2]) > 0.5);
    assert.deepEqual(moved.slice(0, 5).map((m) => [m, plain[contained.indexOf(m)]]), [], `${moved.length} blocks moved`);
    const after = await page.evaluate(() => document.querySelector('.messages')!.scrollHeight);
    assert.ok(Math.abs(after - height) <= 9 * (0.1 * em + 0.5), `scroll height ${height} with containment, ${after} without`);
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
