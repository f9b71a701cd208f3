/** The composer's workspace context: the @ picker's keyboard flow, chips, the total, fit (never silent), history chips, the browser's files. */
import assert from 'node:assert/strict';
import { cleanup, fireEvent, waitFor } from '@testing-library/preact';
import type { ContextState } from '../../src/shared/protocol';
import type { Attachment } from '../../src/shared/session';
import { done, message, mountApp, session, snapshot, startTurn, type Mounted } from './helpers';

const CTX: ContextState = { contextLength: 0, reservedTokens: 0, maxFileKB: 256, workspace: true, includeCurrentFile: false };
const CALC: Attachment = { kind: 'file', name: 'calc.py', path: 'src/calc.py', uri: 'file:///ws/src/calc.py', language: 'python', content: 'def add(a, b):\n    return a + b\n' };
const SEL: Attachment = { kind: 'selection', name: 'app.ts', path: 'src/app.ts', uri: 'file:///ws/src/app.ts', language: 'typescript', range: { startLine: 3, endLine: 9 }, content: 'x\n' };
const big = (lines: number) => Array.from({ length: lines }, (_, i) => `const value${i} = compute(${i}); // with a comment that takes room`).join('\n') + '\n';

function input(m: Mounted): HTMLTextAreaElement {
  return m.getByLabelText('Message') as HTMLTextAreaElement;
}
/** Types as a user would: the value, with the caret at its end. */
function type(m: Mounted, text: string) {
  const el = input(m);
  fireEvent.input(el, { target: { value: text, selectionStart: text.length, selectionEnd: text.length } });
}
function key(m: Mounted, k: string, extra: Record<string, unknown> = {}) {
  fireEvent.keyDown(input(m), { key: k, ...extra });
}
const options = (m: Mounted) => [...m.container.querySelectorAll('[role="option"]')].map((o) => `${o.getAttribute('aria-selected') === 'true' ? '>' : ' '}${o.querySelector('.mention-label')?.textContent}`);
const chipNames = (m: Mounted, scope = '.context-bar') => [...m.container.querySelectorAll(`${scope} .chip-name`)].map((c) => c.textContent);

function mountVsCode(ctx: Partial<ContextState> = {}, extra: Parameters<typeof snapshot>[0] = {}): Mounted {
  return mountApp(snapshot({ context: { ...CTX, ...ctx }, ...extra }));
}

/** The host's answer to the latest search. */
function answerSearch(m: Mounted, labels: string[]): Promise<void> {
  return m.reply('contextSearch', { kind: 'candidates', items: labels.map((label, i) => ({ id: `c${i}`, kind: label.startsWith('Problems') ? 'problems' : 'file', label, description: 'src' })) });
}

describe('the @ picker', () => {
  afterEach(cleanup);

  it('opens on @, searches as you type, and arrows move the highlight (wrapping)', async () => {
    const m = mountVsCode();
    type(m, 'Explain @');
    assert.deepEqual(m.host.asked('contextSearch'), [{ type: 'contextSearch', query: '' }]);
    assert.ok(m.getByText('Searching…'));
    type(m, 'Explain @ca');
    assert.deepEqual(m.host.asked('contextSearch').at(-1), { type: 'contextSearch', query: 'ca' });
    // A late answer to the first query is not shown.
    const first = m.host.ofType('contextSearch')[0]!.requestId!;
    m.send({ type: 'reply', requestId: first, result: { kind: 'candidates', items: [{ id: 'old', kind: 'file', label: 'stale.ts' }] } });
    await m.settle();
    assert.ok(m.getByText('Searching…'));
    await answerSearch(m, ['calc.py', 'cat.ts', 'scale.ts']);
    assert.deepEqual(options(m), ['>calc.py', ' cat.ts', ' scale.ts']);
    assert.equal(input(m).getAttribute('aria-expanded'), 'true');
    key(m, 'ArrowDown');
    assert.deepEqual(options(m), [' calc.py', '>cat.ts', ' scale.ts']);
    key(m, 'ArrowUp');
    key(m, 'ArrowUp');
    assert.deepEqual(options(m), [' calc.py', ' cat.ts', '>scale.ts']);
    assert.equal(input(m).getAttribute('aria-activedescendant'), 'hearth-mention-2');
  });

  it('Enter adds the highlighted entry as a chip (not a send) and removes the @text', async () => {
    const m = mountVsCode();
    type(m, 'Explain @ca');
    await answerSearch(m, ['calc.py', 'cat.ts']);
    key(m, 'Enter');
    assert.deepEqual(m.host.asked('contextAdd'), [{ type: 'contextAdd', id: 'c0' }]);
    assert.equal(m.host.asked('send').length, 0);
    assert.equal(input(m).value, 'Explain ');
    assert.equal(m.container.querySelector('.mention-picker'), null);
    await m.reply('contextAdd', { kind: 'added', attachments: [CALC] });
    assert.deepEqual(chipNames(m), ['calc.py']);
  });

  it('Tab adds too', async () => {
    const m = mountVsCode();
    type(m, '@ca');
    await answerSearch(m, ['calc.py', 'cat.ts']);
    key(m, 'ArrowDown');
    key(m, 'Tab');
    assert.deepEqual(m.host.asked('contextAdd'), [{ type: 'contextAdd', id: 'c1' }]);
    assert.equal(input(m).value, '');
  });

  it('Escape closes the picker, keeps the @ text, and does not stop a streaming reply', async () => {
    const m = mountVsCode();
    startTurn(m);
    type(m, 'mail me @home');
    await answerSearch(m, ['home.ts']);
    key(m, 'Escape');
    assert.equal(m.container.querySelector('.mention-picker'), null);
    assert.equal(input(m).value, 'mail me @home');
    assert.equal(m.host.ofType('cancel').length, 0, 'Escape belonged to the picker');
    // Typing on does not reopen it for the same @; Enter then sends as usual (once the reply is done).
    type(m, 'mail me @homes');
    assert.equal(m.container.querySelector('.mention-picker'), null);
  });

  it('Enter while still searching neither sends nor adds', () => {
    const m = mountVsCode();
    type(m, 'see @x');
    key(m, 'Enter');
    assert.equal(m.host.asked('send').length, 0);
    assert.equal(m.host.asked('contextAdd').length, 0);
  });

  it('no results: says so, and Enter sends the text as typed', async () => {
    const m = mountVsCode();
    type(m, 'ping @nobody');
    await answerSearch(m, []);
    assert.ok(m.getByText(/No matching files/));
    key(m, 'Enter');
    assert.deepEqual(m.host.asked('send').map((s) => s.content), ['ping @nobody']);
  });

  it('an @ inside a word (an e-mail address) does not open the picker', () => {
    const m = mountVsCode();
    type(m, 'write to me@example.com');
    assert.equal(m.host.asked('contextSearch').length, 0);
  });

  it('a click on an entry adds it', async () => {
    const m = mountVsCode();
    type(m, '@');
    await answerSearch(m, ['calc.py', 'Problems in the current file']);
    fireEvent.mouseDown(m.getByText('Problems in the current file'));
    assert.deepEqual(m.host.asked('contextAdd'), [{ type: 'contextAdd', id: 'c1' }]);
  });

  it('is not offered where the host has no workspace (the browser)', () => {
    const m = mountVsCode({ workspace: false });
    type(m, '@ca');
    assert.equal(m.host.asked('contextSearch').length, 0);
    assert.equal(m.container.querySelector('.mention-picker'), null);
  });
});

describe('chips', () => {
  afterEach(cleanup);

  it('show name, lines when partial, estimated tokens, and the total against the window', () => {
    const m = mountVsCode({ contextLength: 8192 });
    m.send({ type: 'attachmentsAdded', attachments: [CALC, SEL] });
    assert.deepEqual(chipNames(m), ['calc.py', 'app.ts:3-9']);
    const tokens = [...m.container.querySelectorAll('.context-bar .chip-tokens')].map((t) => t.textContent);
    assert.equal(tokens.length, 2);
    assert.ok(tokens.every((t) => /^≈\d+$/.test(t!)), tokens.join());
    assert.match(m.getByLabelText(/^Context use:/).textContent!, /^≈ \d+ \/ 8\.2k tokens$/);
  });

  it('✕ removes a chip; a click opens its file at its lines', () => {
    const m = mountVsCode();
    m.send({ type: 'attachmentsAdded', attachments: [CALC, SEL] });
    fireEvent.click(m.getByLabelText('Open app.ts:3-9'));
    assert.deepEqual(m.host.ofType('openAttachment'), [{ type: 'openAttachment', uri: SEL.uri, range: { startLine: 3, endLine: 9 } }]);
    fireEvent.click(m.getByLabelText('Remove calc.py'));
    m.frame();
    assert.deepEqual(chipNames(m), ['app.ts:3-9']);
  });

  it('the same file added twice is one chip', () => {
    const m = mountVsCode();
    m.send({ type: 'attachmentsAdded', attachments: [CALC] }, { type: 'attachmentsAdded', attachments: [{ ...CALC, content: 'newer' }] });
    assert.deepEqual(chipNames(m), ['calc.py']);
    assert.equal(m.store.getState().attachments[0]!.content, 'newer');
  });

  it('go with the question and are cleared; a refused send gives text and chips back, with the reason', async () => {
    const m = mountVsCode();
    m.send({ type: 'attachmentsAdded', attachments: [CALC] });
    type(m, 'What does it do?');
    key(m, 'Enter');
    assert.deepEqual(m.host.asked('send'), [{ type: 'send', content: 'What does it do?', model: 'testmodel:1b', attachments: [CALC] }]);
    m.frame();
    assert.deepEqual(chipNames(m), []);
    assert.equal(input(m).value, '');
    await m.reply('send', { kind: 'refused', reason: 'calc.py could not be read: it no longer exists.' });
    assert.equal(input(m).value, 'What does it do?');
    assert.deepEqual(chipNames(m), ['calc.py']);
    assert.ok(m.getByText('calc.py could not be read: it no longer exists.'));
  });

  it('an unrelated notice while a send is on its way gives nothing back (the reply decides)', async () => {
    const m = mountVsCode();
    type(m, 'What does it do?');
    key(m, 'Enter');
    m.send({ type: 'notice', level: 'info', message: 'Pulled llama3.' });
    assert.equal(input(m).value, '', 'not guessed from a notice');
    const ids = startTurn(m, 'What does it do?');
    await m.reply('send', { kind: 'accepted', sessionId: ids.sessionId, messageId: ids.replyId });
    assert.equal(input(m).value, '');
    assert.ok(m.getByText('What does it do?'));
  });

  it('are kept with the draft across a reload of the view', () => {
    const m = mountVsCode();
    m.send({ type: 'attachmentsAdded', attachments: [CALC] });
    type(m, 'half');
    assert.deepEqual(m.host.ui.attachments, [CALC]);
    const ui = m.host.ui;
    cleanup();
    const again = mountApp(snapshot({ context: CTX }), ui);
    assert.deepEqual(chipNames(again), ['calc.py']);
    assert.equal(input(again).value, 'half');
  });
});

describe('the current file', () => {
  afterEach(cleanup);
  const current = { candidate: { id: 'cur', kind: 'file' as const, label: 'calc.py' }, uri: CALC.uri!, attachment: CALC };

  it('is offered as a chip one click adds', async () => {
    const m = mountVsCode({ currentFile: current });
    fireEvent.click(m.getByLabelText('Add current file calc.py'));
    assert.deepEqual(m.host.asked('contextAdd'), [{ type: 'contextAdd', id: 'cur' }]);
    await m.reply('contextAdd', { kind: 'added', attachments: [CALC] });
    assert.equal(m.queryByLabelText('Add current file calc.py'), null, 'not offered twice');
  });

  it('says why it cannot be added', () => {
    const m = mountVsCode({ currentFile: { candidate: current.candidate, uri: current.uri, problem: 'calc.py is 2.0 MB, over the 256 KB limit' } });
    const offer = m.getByLabelText('Add current file calc.py') as HTMLButtonElement;
    assert.equal(offer.disabled, true);
    assert.match(offer.title, /over the 256 KB limit/);
  });

  it('one the host will not add says why (the reply), and adds nothing', async () => {
    const m = mountVsCode({ currentFile: current });
    fireEvent.click(m.getByLabelText('Add current file calc.py'));
    await m.reply('contextAdd', { kind: 'refused', reason: 'calc.py is no longer open.' });
    assert.ok(m.getByText('calc.py is no longer open.'));
    assert.deepEqual(m.store.getState().attachments, []);
    assert.ok(m.getByLabelText('Add current file calc.py'), 'still offered');
  });

  it('with hearth.context.includeCurrentFile it goes with every question as a visible chip; ✕ leaves it out of this one', () => {
    const m = mountVsCode({ includeCurrentFile: true, currentFile: current });
    assert.deepEqual(chipNames(m), ['calc.py']);
    assert.ok(m.container.querySelector('.chip-auto'));
    type(m, 'one');
    key(m, 'Enter');
    assert.deepEqual(m.host.asked('send')[0]!.attachments, [CALC]);
    fireEvent.click(m.getByLabelText('Remove calc.py'));
    type(m, 'two');
    key(m, 'Enter');
    assert.equal(m.host.asked('send')[1]!.attachments, undefined);
    type(m, 'three');
    key(m, 'Enter');
    assert.deepEqual(m.host.asked('send')[2]!.attachments, [CALC], 'back for the next question');
  });
});

describe('fit, never silent', () => {
  afterEach(cleanup);
  const BIG: Attachment = { ...CALC, name: 'big.py', path: 'src/big.py', uri: 'file:///ws/src/big.py', content: big(400) };

  it('the total turns red, and Send opens the warning instead of sending', () => {
    const m = mountVsCode({ contextLength: 2048 });
    m.send({ type: 'attachmentsAdded', attachments: [BIG] });
    assert.ok(m.getByLabelText(/^Context use:/).classList.contains('over'));
    type(m, 'Explain');
    key(m, 'Enter');
    assert.equal(m.host.asked('send').length, 0);
    const warning = m.getByRole('alertdialog');
    assert.match(warning.textContent!, /Too large for the model's context window/);
    assert.match(warning.textContent!, /big\.py: cut to fit: first \d+ of 400 lines/);
    assert.equal(input(m).value, 'Explain', 'the text stays');
    assert.deepEqual(chipNames(m), ['big.py'], 'the chips stay');
  });

  it('"Send cut version" sends with cutToFit; the host does the cutting', () => {
    const m = mountVsCode({ contextLength: 2048 });
    m.send({ type: 'attachmentsAdded', attachments: [BIG] });
    type(m, 'Explain');
    key(m, 'Enter');
    fireEvent.click(m.getByText('Send cut version'));
    assert.deepEqual(m.host.asked('send'), [{ type: 'send', content: 'Explain', model: 'testmodel:1b', attachments: [BIG], cutToFit: true }]);
    assert.equal(m.queryByRole('alertdialog'), null);
  });

  it('removing chips until it fits closes the warning; Cancel closes it too', () => {
    const m = mountVsCode({ contextLength: 2048 });
    m.send({ type: 'attachmentsAdded', attachments: [BIG, CALC] });
    type(m, 'Explain');
    key(m, 'Enter');
    assert.ok(m.getByRole('alertdialog'));
    fireEvent.click(m.getByLabelText('Remove big.py'));
    m.frame();
    assert.equal(m.queryByRole('alertdialog'), null);
    key(m, 'Enter');
    assert.deepEqual(m.host.asked('send')[0]!.attachments, [CALC]);
    m.send({ type: 'attachmentsAdded', attachments: [BIG] });
    type(m, 'Again');
    key(m, 'Enter');
    fireEvent.click(m.getByText('Cancel'));
    assert.equal(m.queryByRole('alertdialog'), null);
    assert.equal(m.host.asked('send').length, 1);
  });

  it('a question the host sends back (its files grew since they were attached) comes back with the warning', async () => {
    const m = mountVsCode({ contextLength: 2048 });
    m.send({ type: 'attachmentsAdded', attachments: [CALC] });
    type(m, 'Explain');
    key(m, 'Enter');
    assert.equal(m.host.asked('send').length, 1);
    await m.reply('send', { kind: 'doesNotFit', attachments: [{ ...CALC, content: big(400) }], report: { window: 2048, budget: 1536, used: 5000 } });
    assert.equal(input(m).value, 'Explain');
    assert.deepEqual(chipNames(m), ['calc.py']);
    const warning = m.getByRole('alertdialog');
    assert.match(warning.textContent!, /about 5,000 tokens/);
    fireEvent.click(m.getByText('Send cut version'));
    assert.equal(m.host.asked('send')[1]!.cutToFit, true);
  });

  it('a question sent back without its chips (the host echoes none it did not change) gets the chips it was sent with back', async () => {
    const m = mountVsCode({ contextLength: 2048 });
    m.send({ type: 'attachmentsAdded', attachments: [CALC] });
    type(m, 'Explain');
    key(m, 'Enter');
    assert.equal(m.host.asked('send').length, 1);
    // The host counts otherwise (another model's window): it refuses, echoing nothing it did not change.
    await m.reply('send', { kind: 'doesNotFit', report: { window: 2048, budget: 1536, used: 5000 } });
    assert.equal(input(m).value, 'Explain');
    assert.deepEqual(chipNames(m), ['calc.py']);
    assert.ok(m.getByRole('alertdialog'));
    fireEvent.click(m.getByText('Send cut version'));
    assert.deepEqual(m.host.asked('send')[1]?.attachments, [CALC]);
  });

  it('an edit-and-resend sent back for fit stays an edit', async () => {
    const m = mountVsCode({ contextLength: 2048 });
    const ids = startTurn(m, 'Old');
    done(m, ids);
    fireEvent.click(m.getByLabelText('Edit and resend'));
    m.send({ type: 'attachmentsAdded', attachments: [CALC] });
    type(m, 'New');
    key(m, 'Enter');
    assert.equal(m.host.asked('editLast').length, 1);
    await m.reply('editLast', { kind: 'doesNotFit', attachments: [{ ...CALC, content: big(400) }], report: { window: 2048, budget: 1536, used: 5000 } });
    assert.ok(m.getByText(/Editing your last question/));
    fireEvent.click(m.getByText('Send cut version'));
    assert.deepEqual(m.host.asked('editLast')[1], { type: 'editLast', content: 'New', attachments: [{ ...CALC, content: big(400) }], cutToFit: true });
    assert.equal(m.host.asked('send').length, 0);
  });

  it('when even a cut cannot fit, it says to shorten the question and offers no cut', () => {
    const m = mountVsCode({ contextLength: 1024 });
    m.send({ type: 'attachmentsAdded', attachments: [CALC] });
    type(m, 'word '.repeat(1500));
    key(m, 'Enter');
    assert.match(m.getByRole('alertdialog').textContent!, /shorten it/);
    assert.equal(m.queryByText('Send cut version'), null);
  });
});

describe('attachments in the transcript', () => {
  afterEach(cleanup);

  it('a sent question shows its chips, a cut one marked; a click opens the file', () => {
    const cut: Attachment = { ...SEL, content: 'a\nb\n', truncated: { originalChars: 900, originalLines: 40 } };
    const s = session([message('user', 'Why?', { attachments: [CALC, cut] }), message('assistant', 'Because.')]);
    const m = mountVsCode({}, { current: s });
    assert.deepEqual(chipNames(m, '.message-user'), ['calc.py', 'app.ts:3-9']);
    const chip = m.container.querySelector('.message-user .chip-is-cut') as HTMLElement;
    assert.match(chip.title, /cut to fit: first 2 of 40 lines/);
    fireEvent.click(m.getByLabelText('Open calc.py'));
    assert.deepEqual(m.host.ofType('openAttachment'), [{ type: 'openAttachment', uri: CALC.uri }]);
  });

  it('edit and resend puts the chips back; they go with editLast', () => {
    const m = mountVsCode();
    const ids = startTurn(m, 'Old');
    const s = m.store.getState().current!;
    m.send({ type: 'session', session: { ...s, messages: [{ ...s.messages[0]!, attachments: [CALC] }, s.messages[1]!] } });
    done(m, ids);
    fireEvent.click(m.getByLabelText('Edit and resend'));
    m.frame();
    assert.deepEqual(chipNames(m), ['calc.py']);
    type(m, 'New');
    key(m, 'Enter');
    assert.deepEqual(m.host.asked('editLast'), [{ type: 'editLast', content: 'New', attachments: [CALC] }]);
  });
});

describe('the browser: attaching local files', () => {
  afterEach(cleanup);

  it('a picked text file becomes a chip and goes with the question', async () => {
    const m = mountApp(snapshot({ capabilities: { editor: false, pull: false }, context: { ...CTX, workspace: false } }));
    const file = new File(['print("hi")\n'], 'hello.py', { type: 'text/x-python' });
    fireEvent.change(m.getByLabelText('Files to attach'), { target: { files: [file] } });
    await waitFor(() => {
      m.frame();
      assert.deepEqual(chipNames(m), ['hello.py']);
    });
    assert.equal(m.container.querySelector('.context-bar .chip-open')?.tagName, 'SPAN', 'no file to open in a browser');
    type(m, 'run?');
    key(m, 'Enter');
    assert.deepEqual(m.host.asked('send')[0]!.attachments, [{ kind: 'file', name: 'hello.py', language: 'python', content: 'print("hi")\n' }]);
  });

  it('binary and too-large files are refused with the reason; the typed text stays', async () => {
    const m = mountApp(snapshot({ context: { ...CTX, workspace: false, maxFileKB: 1 } }));
    type(m, 'keep me');
    const png = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1])], 'logo.png');
    const large = new File(['x'.repeat(2048)], 'big.txt');
    fireEvent.change(m.getByLabelText('Files to attach'), { target: { files: [png, large] } });
    await waitFor(() => {
      m.frame();
      assert.equal(m.container.querySelectorAll('.notice').length, 2);
    });
    const text = [...m.container.querySelectorAll('.notice')].map((n) => n.textContent).join('\n');
    assert.match(text, /logo\.png looks like a binary file/);
    assert.match(text, /big\.txt is 2\.0 KB, over the 1 KB limit/);
    assert.deepEqual(chipNames(m), []);
    assert.equal(input(m).value, 'keep me');
  });

  it('files dropped on the composer are attached', async () => {
    const m = mountApp(snapshot({ context: { ...CTX, workspace: false } }));
    const file = new File(['# notes\n'], 'notes.md');
    const composer = m.container.querySelector('.composer')!;
    fireEvent.drop(composer, { dataTransfer: { files: [file], types: ['Files'] } });
    await waitFor(() => {
      m.frame();
      assert.deepEqual(chipNames(m), ['notes.md']);
    });
  });
});

describe('the codebase index in the panel', () => {
  afterEach(cleanup);

  it('while the index builds, a line says how far; it goes when the host stops sending it', async () => {
    const m = mountVsCode({ indexing: 'Indexing 1,204 / 2,355 files' });
    assert.equal(m.container.querySelector('.context-indexing')?.textContent?.trim(), 'Indexing 1,204 / 2,355 files (for @codebase)');
    m.send({ type: 'contextState', state: CTX });
    await waitFor(() => assert.equal(m.container.querySelector('.context-indexing'), null));
  });
});

describe('the browser: @codebase (its gateway indexes a workspace)', () => {
  afterEach(cleanup);
  const BROWSER = { capabilities: { editor: false, pull: false } };
  const SNIPPET: Attachment = { kind: 'snippet', name: 'ledger.py', path: 'billing/ledger.py', language: 'python', range: { startLine: 1, endLine: 3 }, content: 'def reconcile_invoice_ledger(entries):\n    return sum(entries)\n' };
  const SUMMARY: Attachment = { kind: 'codebase', name: '@codebase', content: 'Searched 1,204 of 2,355 files (still indexing): the snippet below matched the question best.' };

  it('@ opens a picker of @codebase alone, beside the attach button; picking it adds the request chip; the hint names only @codebase', async () => {
    const m = mountApp(snapshot({ ...BROWSER, context: { ...CTX, workspace: false, mentions: ['codebase'] } }));
    assert.ok(m.getByLabelText('Files to attach'), 'the page still attaches its own files');
    assert.match(input(m).placeholder, /@codebase searches the code/);
    type(m, 'Where is the ledger reconciled? @cod');
    assert.deepEqual(m.host.asked('contextSearch'), [{ type: 'contextSearch', query: 'cod' }]);
    await m.reply('contextSearch', { kind: 'candidates', items: [{ id: 'c0', kind: 'codebase', label: '@codebase', description: 'Search 3 files for your question' }] });
    assert.deepEqual(options(m), ['>@codebase']);
    assert.equal(m.container.querySelector('.mention-hint')?.textContent, '↑↓ to choose · Enter or Tab to add · Esc to close · @codebase');
    key(m, 'Enter');
    assert.deepEqual(m.host.asked('contextAdd'), [{ type: 'contextAdd', id: 'c0' }]);
    await m.reply('contextAdd', { kind: 'added', attachments: [{ kind: 'codebase', name: '@codebase', content: '' }] });
    assert.deepEqual(chipNames(m), ['@codebase']);
    key(m, 'Enter');
    assert.deepEqual(m.host.asked('send')[0]!.attachments, [{ kind: 'codebase', name: '@codebase', content: '' }]);
  });

  it('nothing matching says what @ offers here', async () => {
    const m = mountApp(snapshot({ ...BROWSER, context: { ...CTX, workspace: false, mentions: ['codebase'] } }));
    type(m, '@zz');
    await m.reply('contextSearch', { kind: 'candidates', items: [] });
    assert.match(m.container.querySelector('.mention-empty')?.textContent ?? '', /Nothing matches: here @ offers @codebase\./);
  });

  it('a gateway without a workspace: the row says why, and picking it shows the reason (a notice), adding nothing', async () => {
    const m = mountApp(snapshot({ ...BROWSER, context: { ...CTX, workspace: false, mentions: ['codebase'] } }));
    type(m, '@');
    const why = 'Not available: this gateway has no workspace. Start it with --workspace <folder> (or HEARTH_WORKSPACE)';
    await m.reply('contextSearch', { kind: 'candidates', items: [{ id: 'c0', kind: 'codebase', label: '@codebase', description: why }] });
    assert.equal(m.container.querySelector('.mention-description')?.textContent, why);
    key(m, 'Enter');
    await m.reply('contextAdd', { kind: 'refused', reason: 'This gateway has no workspace to search: start it with `npm start -- --workspace <folder>`.' });
    await waitFor(() => assert.match(m.container.querySelector('.notice')?.textContent ?? '', /no workspace to search/));
    assert.deepEqual(chipNames(m), []);
  });

  it('the sent question shows what the search covered and each snippet as a chip: path, lines, ≈ tokens (and so does the history)', () => {
    const s = session([message('user', 'Where is the ledger reconciled?', { attachments: [SUMMARY, SNIPPET] }), message('assistant', 'In ledger.py.')]);
    const m = mountApp(snapshot({ ...BROWSER, current: s, context: { ...CTX, workspace: false, mentions: ['codebase'] } }));
    assert.deepEqual(chipNames(m, '.message-user'), ['@codebase', 'billing/ledger.py:1-3']);
    assert.equal(m.container.querySelector('.message-user .chip-summary')?.textContent, 'Searched 1,204 of 2,355 files (still indexing)');
    const tokens = [...m.container.querySelectorAll('.message-user .chip-snippet .chip-tokens')].map((t) => t.textContent);
    assert.equal(tokens.length, 1);
    assert.match(tokens[0]!, /^≈\d+$/);
    const chip = m.container.querySelector('.message-user .chip-snippet') as HTMLElement;
    assert.match(chip.title, /Codebase snippet · billing\/ledger\.py \(lines 1-3\) · about \d+ tokens/);
    assert.equal(chip.querySelector('.chip-open')?.tagName, 'SPAN', 'no file to open in a browser');
  });
});
