/**
 * Names and titles from outside cannot disguise themselves: a right-to-left
 * override in a file name (`invoice‮txt.exe`, which would read
 * "invoiceexe.txt"), a session title or a fence's info string is shown as
 * `[U+202E]`, and each name sits in its own <bdi> so a genuinely right-to-left
 * name cannot reorder the text beside it — chips, the `@` picker, the history
 * list, code-block labels.
 */
import assert from 'node:assert/strict';
import { cleanup, fireEvent, render } from '@testing-library/preact';
import { showBidiControls } from '../../src/shared/bidi';
import type { Attachment } from '../../src/shared/session';
import { AttachmentChip } from '../../webview/components/Attachments';
import { ActionsContext } from '../../webview/components/context';
import { Markdown } from '../../webview/components/Markdown';
import { mountApp, snapshot, summary } from './helpers';

const RLO = '\u202E';
const EVIL = `invoice${RLO}txt.exe`;
const SHOWN = 'invoice[U+202E]txt.exe';

/** Every bidi control the rule knows, none left in the text a user sees. */
const CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('bidi text from outside is isolated and cannot disguise a name', () => {
  afterEach(cleanup);

  it('showBidiControls makes every reordering control visible and leaves other text alone', () => {
    assert.equal(showBidiControls(EVIL), SHOWN);
    assert.equal(showBidiControls('a\u2066b\u2069c\u200fd\u061c'), 'a[U+2066]b[U+2069]c[U+200F]d[U+061C]');
    assert.equal(showBidiControls('שלום.ts'), 'שלום.ts', 'right-to-left letters are not controls');
  });

  it('a chip shows the override, not obeys it, in its text, tooltip and labels, inside a <bdi>', () => {
    const a: Attachment = { kind: 'file', name: EVIL, path: `docs/${EVIL}`, uri: 'file:///ws/x', content: 'x', range: { startLine: 1, endLine: 2 } };
    const { container } = render(<AttachmentChip attachment={a} onOpen={() => undefined} onRemove={() => undefined} />);
    const name = container.querySelector('.chip-name')!;
    assert.equal(name.tagName, 'BDI');
    assert.equal(name.textContent, `${SHOWN}:1-2`);
    const chip = container.querySelector('.chip')!;
    for (const text of [chip.getAttribute('title'), ...[...container.querySelectorAll('button')].map((b) => b.getAttribute('aria-label'))]) {
      assert.ok(text && !CONTROLS.test(text), String(text));
    }
    assert.match(chip.getAttribute('title')!, /docs\/invoice\[U\+202E\]txt\.exe/);
  });

  it('the history list shows a title’s override and isolates each title', () => {
    const m = mountApp(snapshot({ sessions: [summary(`Report ${EVIL}`)] }));
    fireEvent.click(m.getByLabelText('Show history'));
    const title = m.container.querySelector('.history-title')!;
    assert.equal(title.tagName, 'BDI');
    assert.equal(title.textContent, `Report ${SHOWN}`);
    for (const b of m.container.querySelectorAll('.history [aria-label]')) assert.ok(!CONTROLS.test(b.getAttribute('aria-label')!), b.getAttribute('aria-label')!);
  });

  it('a code block’s label (the fence’s info string, from the model) is isolated and shows its overrides', () => {
    const { container } = render(
      <ActionsContext.Provider value={{ post: () => undefined, apply: async () => undefined, local: () => undefined, editor: false }}>
        <Markdown text={'```py' + RLO + 'exe\nprint(1)\n```'} streaming={false} />
      </ActionsContext.Provider>,
    );
    const label = container.querySelector('.code-lang')!;
    assert.equal(label.tagName, 'BDI');
    assert.equal(label.textContent, 'py[U+202E]exe');
  });

  it('the @ picker shows file names and folders with their overrides visible, each isolated', async () => {
    const m = mountApp(snapshot({ context: { contextLength: 0, reservedTokens: 0, maxFileKB: 256, workspace: true, includeCurrentFile: false } }));
    const input = m.container.querySelector('textarea[aria-label="Message"]')!;
    fireEvent.input(input, { target: { value: '@inv', selectionStart: 4, selectionEnd: 4 } });
    await m.reply('contextSearch', { kind: 'candidates', items: [{ id: 'c0', kind: 'file', label: EVIL, description: `src${RLO}/x` }] });
    const label = m.container.querySelector('.mention-label')!;
    const where = m.container.querySelector('.mention-description')!;
    assert.deepEqual([label.tagName, label.textContent, where.tagName, where.textContent], ['BDI', SHOWN, 'BDI', 'src[U+202E]/x']);
  });
});
