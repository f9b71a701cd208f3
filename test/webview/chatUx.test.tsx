// The chat as a user meets it, as seen in the real UI:
// reopening where they were, questions rendered as markdown, the history list,
// focus, following a streaming reply, one set of New chat / History buttons,
// and the "Ollama is down" states said once.
import assert from 'node:assert/strict';
import { cleanup, fireEvent } from '@testing-library/preact';
import { QUESTION_LINES } from '../../webview/components/UserMessage';
import { done, message, mountApp, session, snapshot, startTurn, summary, tokens } from './helpers';

/** Gives `.messages` a layout happy-dom does not have: a fixed content height and viewport. */
function fakeScrollLayout(heights: { content: () => number; viewport: number }) {
  const proto = HTMLElement.prototype;
  const saved = {
    scrollHeight: Object.getOwnPropertyDescriptor(proto, 'scrollHeight'),
    clientHeight: Object.getOwnPropertyDescriptor(proto, 'clientHeight'),
  };
  Object.defineProperty(proto, 'scrollHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains('messages') ? heights.content() : 0;
    },
  });
  Object.defineProperty(proto, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains('messages') ? heights.viewport : 0;
    },
  });
  return () => {
    for (const [k, d] of Object.entries(saved)) {
      if (d) Object.defineProperty(proto, k, d);
      else delete (proto as unknown as Record<string, unknown>)[k];
    }
  };
}

/** An IntersectionObserver the test drives: `report(false)` = the bottom anchor left the view. */
function fakeIntersectionObserver() {
  const saved = globalThis.IntersectionObserver;
  const observers: { cb: IntersectionObserverCallback }[] = [];
  class FakeIO {
    constructor(readonly cb: IntersectionObserverCallback) {
      observers.push(this);
    }
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  }
  globalThis.IntersectionObserver = FakeIO as unknown as typeof IntersectionObserver;
  return {
    report(isIntersecting: boolean) {
      for (const o of observers) o.cb([{ isIntersecting } as IntersectionObserverEntry], o as unknown as IntersectionObserver);
    },
    restore() {
      globalThis.IntersectionObserver = saved;
    },
  };
}

const lines = (n: number, prefix = 'line') => Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}`).join('\n');

describe('reopening where the user was', () => {
  let undo: (() => void) | undefined;
  afterEach(() => {
    cleanup();
    undo?.();
    undo = undefined;
  });

  it('a snapshot with the open session shows it scrolled to its end, the composer ready with the kept draft', () => {
    undo = fakeScrollLayout({ content: () => 2400, viewport: 600 });
    const s = session([message('user', 'Will you remember this?'), message('assistant', 'The answer survives reloads.')]);
    const m = mountApp(snapshot({ current: s, sessions: [summary(s.title, { id: s.id })] }), { draft: 'half-typed follow-up' });
    assert.ok(m.getByText('Will you remember this?'));
    assert.ok(m.getByText('The answer survives reloads.'));
    assert.equal(m.container.querySelector('.history'), null, 'the chat, not the history');
    assert.equal(m.container.querySelector<HTMLElement>('.messages')!.scrollTop, 2400, 'scrolled to the end');
    const input = m.getByLabelText('Message') as HTMLTextAreaElement;
    assert.equal(input.value, 'half-typed follow-up');
    assert.equal(input.disabled, false);
    assert.equal(m.queryByText('Connecting…'), null);
  });

  it('a reply the window cut off shows as interrupted with Retry, which asks again', () => {
    const s = session([message('user', 'q'), message('assistant', 'partial', { status: 'interrupted', error: { code: 'interrupted', message: 'VS Code closed…' } })]);
    const m = mountApp(snapshot({ current: s }));
    const marker = m.container.querySelector('.reply-interrupted')!;
    assert.match(marker.textContent ?? '', /Interrupted/);
    fireEvent.click(m.getByLabelText('Retry'));
    assert.equal(m.host.ofType('regenerate').length, 1);
    m.frame();
    assert.equal(m.store.getState().current!.messages.length, 1, 'the cut-off reply makes way for the new one');
  });

  it('Retry only on the last reply, and not while another reply streams', () => {
    const s = session([
      message('user', 'q1'),
      message('assistant', 'old partial', { status: 'interrupted' }),
      message('user', 'q2'),
      message('assistant', 'fine'),
    ]);
    const m = mountApp(snapshot({ current: s }));
    assert.ok(m.container.querySelector('.reply-interrupted'));
    assert.equal(m.queryByLabelText('Retry'), null);

    const cut = session([message('user', 'q'), message('assistant', 'partial', { status: 'interrupted' })]);
    const busy = mountApp(snapshot({ current: cut, streaming: { sessionId: 'other-session-1', messageId: 'other-message-1' } }));
    assert.equal(busy.queryByLabelText('Retry'), null);
  });
});

describe('questions are markdown', () => {
  afterEach(cleanup);
  const you = (m: ReturnType<typeof mountApp>) => m.container.querySelector<HTMLElement>('[aria-label="You"]')!;

  it('a fenced question shows a highlighted code block with Copy, not the fence', () => {
    const q = 'Why does this fail?\n```python\nprint(1 / 0)\n```';
    const m = mountApp(snapshot({ current: session([message('user', q), message('assistant', 'Division by zero.')]) }));
    const code = you(m).querySelector('pre code');
    assert.ok(code, 'a code block');
    assert.match(code.className, /language-python/);
    assert.ok(code.querySelector('[class^="hljs-"]'), 'highlighted');
    assert.equal(code.textContent, 'print(1 / 0)');
    assert.ok(!you(m).textContent!.includes('```'), 'no literal fence');
    fireEvent.click(you(m).querySelector('button[aria-label="Copy code"]')!);
    assert.deepEqual(m.host.ofType('copy'), [{ type: 'copy', text: 'print(1 / 0)' }]);
  });

  it('raw HTML in a question stays text', () => {
    const q = 'What does <img src=x onerror="alert(1)"> do?\n\n<script>alert(2)</script>';
    const m = mountApp(snapshot({ current: session([message('user', q)]) }));
    assert.equal(you(m).querySelector('img, script'), null);
    assert.match(you(m).textContent ?? '', /<img src=x onerror="alert\(1\)">/);
    assert.match(you(m).textContent ?? '', /<script>alert\(2\)<\/script>/);
  });

  it('line breaks are kept as typed', () => {
    const m = mountApp(snapshot({ current: session([message('user', 'first line\nsecond line')]) }));
    const p = you(m).querySelector('.md p')!;
    assert.equal(p.textContent, 'first line\nsecond line');
  });

  it('Edit still gives back the question as typed (markdown source, not the rendering)', () => {
    const q = 'Explain:\n```js\nlet a = 1;\n```';
    const m = mountApp(snapshot({ current: session([message('user', q), message('assistant', 'ok')]) }));
    fireEvent.click(m.getByLabelText('Edit and resend'));
    assert.equal((m.getByLabelText('Message') as HTMLTextAreaElement).value, q);
  });

  it(`a question longer than ${QUESTION_LINES} lines is collapsed with Show more / Show less`, () => {
    const m = mountApp(snapshot({ current: session([message('user', lines(40)), message('user', lines(QUESTION_LINES, 'short'))]) }));
    const [long, short] = Array.from(m.container.querySelectorAll<HTMLElement>('[aria-label="You"]'));
    assert.ok(long!.querySelector('.user-text.collapsed'));
    const more = long!.querySelector<HTMLButtonElement>('.show-more')!;
    assert.equal(more.textContent, 'Show more');
    assert.equal(more.getAttribute('aria-expanded'), 'false');
    fireEvent.click(more);
    assert.equal(long!.querySelector('.user-text.collapsed'), null);
    assert.equal(more.textContent, 'Show less');
    assert.equal(more.getAttribute('aria-expanded'), 'true');
    assert.match(long!.textContent ?? '', /line 40/, 'all of it is there');
    assert.equal(short!.querySelector('.show-more'), null, 'a short question is shown whole');
    assert.equal(short!.querySelector('.collapsed'), null);
  });

  it('where there is layout, the rendered height decides (a long wrapped line counts)', () => {
    const proto = HTMLElement.prototype;
    const saved = Object.getOwnPropertyDescriptor(proto, 'scrollHeight');
    const savedStyle = window.getComputedStyle;
    Object.defineProperty(proto, 'scrollHeight', {
      configurable: true,
      get(this: HTMLElement) {
        return this.classList.contains('user-text') ? (this.textContent!.length > 500 ? 900 : 60) : 0;
      },
    });
    window.getComputedStyle = ((el: Element) => ({ ...savedStyle(el), lineHeight: '20px' })) as typeof window.getComputedStyle;
    try {
      const m = mountApp(snapshot({ current: session([message('user', 'word '.repeat(300)), message('user', 'a\n'.repeat(20) + 'b')]) }));
      const [wrapped, fits] = Array.from(m.container.querySelectorAll<HTMLElement>('[aria-label="You"]'));
      assert.ok(wrapped!.querySelector('.show-more'), 'one source line, 45 rendered lines: collapsed');
      assert.equal(fits!.querySelector('.show-more'), null, '21 source lines that render in 3 lines: shown whole');
    } finally {
      if (saved) Object.defineProperty(proto, 'scrollHeight', saved);
      else delete (proto as unknown as Record<string, unknown>).scrollHeight;
      window.getComputedStyle = savedStyle;
    }
  });
});

describe('the history list', () => {
  afterEach(cleanup);
  const here = summary('Refactor the parser', { workspace: 'file:///ws', updated_at: 1_700_000_100_000 });
  const here2 = summary('Write tests', { workspace: 'file:///ws', updated_at: 1_700_000_200_000 });
  const elsewhere = summary('Other project question', { workspace: 'file:///other', updated_at: 1_700_000_300_000 });
  const titles = (m: ReturnType<typeof mountApp>) => Array.from(m.container.querySelectorAll('.history-title')).map((e) => e.textContent);
  const openHistory = (sessions = [here, elsewhere, here2]) => {
    const m = mountApp(snapshot({ sessions, workspace: 'file:///ws' }));
    fireEvent.click(m.getByLabelText('Show history'));
    return m;
  };

  it('one search field on top, the grouped list below it in its own scroll area', () => {
    const m = openHistory();
    const history = m.container.querySelector('.history')!;
    const [header, body] = Array.from(history.children);
    assert.ok(header!.classList.contains('history-header'));
    assert.equal(header!.querySelector('input')!.getAttribute('type'), 'search');
    assert.equal(header!.querySelectorAll('input').length, 1);
    assert.ok(body!.classList.contains('history-body'));
    assert.deepEqual(
      Array.from(body!.querySelectorAll('section')).map((s) => s.getAttribute('aria-label')),
      ['This workspace', 'Other chats'],
    );
  });

  it('opened by the user, the search field has the focus; Enter there opens the first match', () => {
    const m = openHistory();
    const search = m.getByLabelText('Search chats');
    assert.equal(document.activeElement, search);
    fireEvent.input(search, { target: { value: 'tests' } });
    fireEvent.keyDown(search, { key: 'Enter' });
    assert.deepEqual(m.host.ofType('openSession'), [{ type: 'openSession', sessionId: here2.id }]);
    assert.equal(m.container.querySelector('.history'), null);
  });

  it('restored after a reload, the history does not take the focus', () => {
    const m = mountApp(snapshot({ sessions: [here] }), { view: 'history' });
    assert.ok(m.container.querySelector('.history'));
    assert.notEqual(document.activeElement, m.getByLabelText('Search chats'));
  });

  it('Home and End jump to the first and last chat', () => {
    const m = openHistory();
    fireEvent.keyDown(m.getByLabelText('Search chats'), { key: 'ArrowDown' });
    fireEvent.keyDown(document.activeElement!, { key: 'End' });
    assert.ok(document.activeElement?.textContent?.startsWith('Other project question'));
    fireEvent.keyDown(document.activeElement!, { key: 'Home' });
    assert.ok(document.activeElement?.textContent?.startsWith('Write tests'));
  });

  it('Delete on a row asks first (the confirm button takes the focus); confirming deletes and moves to the next row', () => {
    const m = openHistory();
    fireEvent.keyDown(m.getByLabelText('Search chats'), { key: 'ArrowDown' });
    const row = document.activeElement as HTMLElement;
    assert.ok(row.textContent?.startsWith('Write tests'));
    fireEvent.keyDown(row, { key: 'Delete' });
    assert.equal(m.host.ofType('deleteSession').length, 0, 'nothing deleted yet');
    assert.equal(document.activeElement?.textContent, 'Delete');
    fireEvent.click(document.activeElement!);
    assert.deepEqual(m.host.ofType('deleteSession'), [{ type: 'deleteSession', sessionId: here2.id }]);
    m.frame();
    assert.deepEqual(titles(m), ['Refactor the parser', 'Other project question']);
    assert.ok(document.activeElement?.textContent?.startsWith('Refactor the parser'), 'the focus stays in the list');
  });

  it('Escape on the question keeps the chat and the history open', () => {
    const m = openHistory();
    fireEvent.keyDown(m.getByLabelText('Search chats'), { key: 'ArrowDown' });
    fireEvent.keyDown(document.activeElement!, { key: 'Delete' });
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    assert.equal(m.host.ofType('deleteSession').length, 0);
    assert.ok(m.container.querySelector('.history'), 'still in the history');
    assert.ok(document.activeElement?.textContent?.startsWith('Write tests'), 'back on the row');
  });

  it('F2 renames the focused chat', () => {
    const m = openHistory();
    fireEvent.keyDown(m.getByLabelText('Search chats'), { key: 'ArrowDown' });
    fireEvent.keyDown(document.activeElement!, { key: 'F2' });
    assert.equal(document.activeElement, m.getByLabelText('New title'));
  });

  it('empty states: no chats yet; nothing matches (with a way to clear the search)', () => {
    const empty = openHistory([]);
    assert.ok(empty.getByText('No chats yet'));
    cleanup();
    const m = openHistory();
    fireEvent.input(m.getByLabelText('Search chats'), { target: { value: 'zzz' } });
    assert.ok(m.getByText(/No chat matches “zzz”/));
    fireEvent.click(m.getByLabelText('Clear search'));
    assert.equal(titles(m).length, 3);
  });
});

describe('one set of New chat / History buttons', () => {
  afterEach(cleanup);

  it('under VS Code’s title bar (titleActions) the panel has none; the history has Back to chat', () => {
    const m = mountApp(snapshot({ capabilities: { editor: true, pull: true, titleActions: true }, sessions: [summary('A chat')] }));
    assert.equal(m.queryByLabelText('New chat'), null);
    assert.equal(m.queryByLabelText('Show history'), null);
    m.send({ type: 'showHistory' });
    fireEvent.click(m.getByLabelText('Back to chat'));
    assert.equal(m.container.querySelector('.history'), null);
  });

  it('a browser tab (no title bar) keeps the panel’s buttons, and no second Back button in the history', () => {
    const m = mountApp(snapshot({ capabilities: { editor: false, pull: true, titleActions: false } }));
    assert.ok(m.getByLabelText('New chat'));
    fireEvent.click(m.getByLabelText('Show history'));
    assert.equal(m.getAllByLabelText('Back to chat').length, 1);
  });

  it('none are drawn before the host has said which it is', () => {
    const m = mountApp(null);
    assert.equal(m.queryByLabelText('New chat'), null);
  });
});

describe('focus', () => {
  let savedHasFocus: typeof document.hasFocus;
  beforeEach(() => (savedHasFocus = document.hasFocus));
  afterEach(() => {
    document.hasFocus = savedHasFocus;
    cleanup();
  });
  const input = (m: ReturnType<typeof mountApp>) => m.getByLabelText('Message') as HTMLTextAreaElement;

  it('a view shown without the focus (Ask About Selection keeps it in the editor) does not take it', () => {
    document.hasFocus = () => false;
    (document.activeElement as HTMLElement | null)?.blur?.();
    const m = mountApp(snapshot());
    assert.notEqual(document.activeElement, input(m));
  });

  it('Open Chat / New Chat (focusInput) focus the message box', () => {
    document.hasFocus = () => false;
    const m = mountApp(snapshot());
    m.send({ type: 'focusInput' });
    assert.equal(document.activeElement, input(m));
  });

  it('when the host focuses the view with nothing inside focused, the caret goes to the message box', () => {
    document.hasFocus = () => false;
    const m = mountApp(snapshot());
    (document.activeElement as HTMLElement | null)?.blur?.();
    window.dispatchEvent(new Event('focus'));
    assert.equal(document.activeElement, input(m));
  });

  it('but not when the focus came from a click inside the page (selecting text in a reply)', () => {
    document.hasFocus = () => false;
    const m = mountApp(snapshot());
    (document.activeElement as HTMLElement | null)?.blur?.();
    window.dispatchEvent(new Event('pointerdown'));
    window.dispatchEvent(new Event('focus'));
    assert.notEqual(document.activeElement, input(m));
  });
});

describe('following a streaming reply', () => {
  let content = 1000;
  let undoLayout: (() => void) | undefined;
  let io: ReturnType<typeof fakeIntersectionObserver> | undefined;
  beforeEach(() => {
    content = 1000;
    undoLayout = fakeScrollLayout({ content: () => content, viewport: 400 });
    io = fakeIntersectionObserver();
  });
  afterEach(() => {
    cleanup();
    undoLayout?.();
    io?.restore();
  });

  it('stays at the bottom while text arrives; after the user scrolls up it stops and offers Jump to latest', () => {
    const m = mountApp();
    const ids = startTurn(m);
    const list = m.container.querySelector<HTMLElement>('.messages')!;
    assert.equal(list.scrollTop, 1000);

    content = 1500;
    tokens(m, ids, 'more text ');
    m.frame();
    io!.report(false); // the bottom anchor left the view
    assert.equal(list.scrollTop, 1500, 'followed the text');
    assert.equal(m.queryByLabelText('Jump to latest'), null);

    list.scrollTop = 300; // the user scrolls up to read
    fireEvent.scroll(list);
    m.frame();
    const jump = m.getByLabelText('Jump to latest');
    content = 2200;
    tokens(m, ids, 'even more ');
    m.frame();
    io!.report(false);
    assert.equal(list.scrollTop, 300, 'does not pull the reader down');

    fireEvent.click(jump);
    assert.equal(list.scrollTop, 2200);
    m.frame();
    assert.equal(m.queryByLabelText('Jump to latest'), null);
    content = 2600;
    tokens(m, ids, 'and follows again');
    m.frame();
    io!.report(false);
    assert.equal(list.scrollTop, 2600);
    done(m, ids);
  });

  it('scrolling back to the bottom follows again without the button', () => {
    const m = mountApp();
    const ids = startTurn(m);
    const list = m.container.querySelector<HTMLElement>('.messages')!;
    list.scrollTop = 100;
    fireEvent.scroll(list);
    m.frame();
    assert.ok(m.getByLabelText('Jump to latest'));
    list.scrollTop = content - 400; // at the bottom
    fireEvent.scroll(list);
    m.frame();
    assert.equal(m.queryByLabelText('Jump to latest'), null);
    content = 1400;
    tokens(m, ids, 'x');
    m.frame();
    io!.report(false);
    assert.equal(list.scrollTop, 1400);
  });
});

describe('Ollama is down: said once, commands as code', () => {
  afterEach(cleanup);
  const url = 'http://127.0.0.1:11434';
  const longSentence = `Ollama is not running at ${url}: start it with \`ollama serve\` (or fix the server URL in settings). (ECONNREFUSED)`;

  it('the banner says it once and shows `ollama serve` as code, without backticks', () => {
    const m = mountApp(snapshot({ connection: { status: 'unreachable', url, error: longSentence } }));
    const banner = m.container.querySelector('.banner')!;
    const text = banner.textContent ?? '';
    assert.ok(!text.includes('`'), text);
    assert.equal(text.split(url).length - 1, 1, 'the URL once');
    assert.equal(text.split('ollama serve').length - 1, 1, 'how to start it once');
    assert.deepEqual(Array.from(banner.querySelectorAll('code')).map((c) => c.textContent), ['ollama serve']);
    assert.match(text, /ECONNREFUSED/);
  });

  it('a bare error still gets the URL tried and how to start it', () => {
    const m = mountApp(snapshot({ connection: { status: 'unreachable', url, error: 'connect ECONNREFUSED', server: 'Ollama', startHint: 'start it with `ollama serve`' } }));
    const banner = m.container.querySelector('.banner')!;
    assert.deepEqual(Array.from(banner.querySelectorAll('code')).map((c) => c.textContent), [url, 'ollama serve']);
  });

  it('another provider\'s server is named neutrally, with its own advice (no Ollama wording)', () => {
    const m = mountApp(snapshot({ connection: { status: 'unreachable', url, error: 'connect ECONNREFUSED', server: 'The model server', startHint: 'start it' } }));
    const banner = m.container.querySelector('.banner')!;
    assert.match(banner.textContent ?? '', /The model server is not reachable/);
    assert.ok(!/ollama/i.test(banner.textContent ?? ''), banner.textContent ?? '');
  });

  it('the failed reply does not repeat the sentence; it says it could not reach the server and offers Retry', () => {
    const m = mountApp();
    const ids = startTurn(m);
    m.send({ type: 'connection', connection: { status: 'unreachable', url, error: longSentence } });
    m.send(m.event(ids.sessionId, ids.replyId, { type: 'error', code: 'unreachable', message: longSentence, retryable: true }));
    done(m, ids, 'error');
    const reply = m.container.querySelector<HTMLElement>('.reply-error')!;
    assert.equal(reply.querySelector('.reply-error-text')!.textContent, 'Could not reach the model server.');
    assert.equal(reply.title, longSentence, 'the full text stays reachable');
    assert.equal((m.container.textContent ?? '').split('ollama serve').length - 1, 1, 'said once on the page');
    fireEvent.click(m.getByLabelText('Retry'));
    assert.equal(m.host.ofType('regenerate').length, 1);
  });

  it('other errors and notices show backticked commands as code too', () => {
    const m = mountApp();
    const ids = startTurn(m);
    m.send(m.event(ids.sessionId, ids.replyId, { type: 'error', code: 'model_not_found', message: "Model 'x' is not installed: run `ollama pull x`.", retryable: false }));
    done(m, ids, 'error');
    assert.equal(m.container.querySelector('.reply-error code')?.textContent, 'ollama pull x');
    m.send({ type: 'notice', level: 'warning', message: 'Install one (for Ollama: `ollama pull <model>`).' });
    const notice = m.container.querySelector('.notice-text')!;
    assert.equal(notice.querySelector('code')?.textContent, 'ollama pull <model>');
    assert.ok(!notice.textContent!.includes('`'));
  });
});
