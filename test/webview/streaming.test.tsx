import assert from 'node:assert/strict';
import { act, cleanup, render } from '@testing-library/preact';
import { formatElapsed } from '../../webview/components/format';
import { PhaseLine } from '../../webview/components/PhaseLine';
import { lexStats } from '../../webview/markdown/lexer';
import { done, FakeTimers, mountApp, startTurn, tokens } from './helpers';

describe('streaming replies', () => {
  afterEach(cleanup);

  const replyText = (m: ReturnType<typeof mountApp>) => m.container.querySelector('.message-assistant .md')?.textContent ?? '';

  it('buffers tokens and renders them on the next animation frame, all at once', () => {
    const m = mountApp();
    const ids = startTurn(m);
    let notified = 0;
    m.store.subscribe(() => notified++);
    tokens(m, ids, 'Hel', 'lo ', 'wor', 'ld');
    assert.equal(replyText(m), '', 'nothing may render before the frame');
    assert.equal(m.frames.pending, 1, 'exactly one frame is scheduled for many tokens');
    m.frame();
    assert.equal(notified, 1);
    assert.equal(replyText(m), 'Hello world');
  });

  it('renders at most once per paint however many tokens arrive', () => {
    const m = mountApp();
    const ids = startTurn(m);
    let notified = 0;
    m.store.subscribe(() => notified++);
    for (let f = 0; f < 10; f++) {
      tokens(m, ids, ...Array.from({ length: 50 }, (_, i) => `w${f}_${i} `));
      m.frame();
    }
    assert.equal(notified, 10);
    assert.match(replyText(m), /w9_49/);
  });

  it('flushes buffered text before any other message, so the end never overtakes the text', () => {
    const m = mountApp();
    const ids = startTurn(m);
    tokens(m, ids, 'partial ', 'answer');
    done(m, ids, 'stop');
    assert.equal(replyText(m), 'partial answer');
    const reply = m.store.getState().current!.messages[1]!;
    assert.equal(reply.content, 'partial answer');
    assert.equal(reply.status, 'complete');
  });

  it('re-parses only the open tail block per frame (lexer input stays small)', () => {
    const m = mountApp();
    const ids = startTurn(m);
    const para = 'This is a finished paragraph with some words in it.\n\n';
    for (let i = 0; i < 40; i++) {
      tokens(m, ids, para);
      m.frame();
    }
    const before = lexStats.chars;
    tokens(m, ids, 'tail');
    m.frame();
    const lexed = lexStats.chars - before;
    assert.ok(lexed < para.length * 3, `lexed ${lexed} chars for one frame; the whole answer is ${para.length * 40}`);
    assert.equal(m.container.querySelectorAll('.message-assistant .md p').length, 41);
  });

  it('an unclosed code fence renders as a code block while streaming', () => {
    const m = mountApp();
    const ids = startTurn(m);
    tokens(m, ids, 'Here:\n\n```python\ndef f():\n', '    return 1\n');
    m.frame();
    const code = m.container.querySelector('.code-block.code-open code');
    assert.ok(code, 'an open code block is shown');
    assert.match(code.textContent ?? '', /def f\(\):\n {4}return 1/);
    tokens(m, ids, '```\n\nDone.');
    m.frame();
    assert.equal(m.container.querySelector('.code-block.code-open'), null);
    assert.match(m.container.querySelector('.code-block code')?.textContent ?? '', /return 1/);
    assert.match(replyText(m), /Done\./);
  });

  it('shows thinking in a collapsed section apart from the answer', () => {
    const m = mountApp();
    const ids = startTurn(m);
    m.send(m.event(ids.sessionId, ids.replyId, { type: 'thinking', content: 'Let me think about it.' }));
    m.send(m.event(ids.sessionId, ids.replyId, { type: 'token', content: 'The answer.' }));
    const details = m.container.querySelector('details.thinking') as HTMLDetailsElement;
    assert.ok(details);
    assert.equal(details.open, false);
    assert.match(details.textContent ?? '', /Let me think about it\./);
    assert.doesNotMatch(replyText(m), /think about/);
    assert.equal(replyText(m), 'The answer.');
  });

  it('shows the phase and a live elapsed time while waiting', () => {
    const m = mountApp();
    const ids = startTurn(m);
    m.send(m.event(ids.sessionId, ids.replyId, { type: 'status_update', status: 'executing', phase: 'loading_model' }));
    const line = m.container.querySelector('.phase-line');
    assert.ok(line);
    assert.match(line.textContent ?? '', /Loading model/);
    m.send(m.event(ids.sessionId, ids.replyId, { type: 'status_update', status: 'executing', phase: 'reading_prompt' }));
    assert.match(m.container.querySelector('.phase-line')?.textContent ?? '', /Reading prompt/);
    m.send(m.event(ids.sessionId, ids.replyId, { type: 'status_update', status: 'executing', phase: 'generating' }));
    assert.match(m.container.querySelector('.phase-line')?.textContent ?? '', /Generating/);
    assert.match(m.container.querySelector('.phase-elapsed')?.textContent ?? '', /^\d+ s$/);
    done(m, ids);
    assert.equal(m.container.querySelector('.phase-line'), null);
  });

  it('the elapsed time wakes once a second, when the figure it shows changes', () => {
    const clock = { now: 50_000 };
    const timers = new FakeTimers(clock);
    let wakes = 0;
    const counted = { set: (cb: () => void, ms: number) => timers.set(() => (wakes++, cb()), ms), clear: timers.clear };
    const r = render(<PhaseLine phase="generating" startedAt={clock.now - 310} now={() => clock.now} timers={counted} />);
    const shown = () => r.container.querySelector('.phase-elapsed')?.textContent;
    assert.equal(shown(), '0 s');
    const seen = new Set<string>();
    for (let ms = 0; ms < 5000; ms += 50) {
      void act(() => timers.advance(50));
      seen.add(shown()!);
      assert.equal(shown(), formatElapsed(clock.now - (50_000 - 310)), `at +${ms + 50} ms`);
      assert.equal(timers.pending, 1, 'one timer armed');
    }
    assert.deepEqual([...seen], ['0 s', '1 s', '2 s', '3 s', '4 s', '5 s']);
    assert.equal(wakes, 5, 'woken at each whole second, not on a beat');
    r.unmount();
    assert.equal(timers.pending, 0, 'the timer goes with the line');
  });

  it('formats the live elapsed time in whole seconds, then minutes', () => {
    assert.equal(formatElapsed(-5), '0 s');
    assert.equal(formatElapsed(999), '0 s');
    assert.equal(formatElapsed(59_999), '59 s');
    assert.equal(formatElapsed(61_000), '1m 1s');
  });

  it('shows the reply footer: model, tokens, tokens/s, time to first token, context use', () => {
    const m = mountApp();
    const ids = startTurn(m);
    tokens(m, ids, 'ok');
    m.send(
      m.event(ids.sessionId, ids.replyId, {
        type: 'usage',
        prompt_tokens: 1000,
        completion_tokens: 250,
        total_tokens: 1250,
        cost_usd: 0,
        tokens_per_second: 31.25,
        time_to_first_token_ms: 420,
        load_ms: 0,
        context_window: 8192,
        context_used: 1250,
        truncated: false,
      }),
    );
    done(m, ids);
    const footer = m.container.querySelector('.reply-footer')?.textContent ?? '';
    assert.match(footer, /testmodel:1b/);
    assert.match(footer, /250 tokens/);
    assert.match(footer, /31\.3 tok\/s/);
    assert.match(footer, /first token 420 ms/);
    assert.match(footer, /context 1250 \/ 8192/);
    assert.equal(m.container.querySelector('.reply-warning'), null);
  });

  it('ignores events for other sessions and unknown messages', () => {
    const m = mountApp();
    const ids = startTurn(m);
    tokens(m, { sessionId: 'sess-elsewhere1', replyId: ids.replyId }, 'nope');
    tokens(m, { sessionId: ids.sessionId, replyId: 'reply-unknown1' }, 'nope');
    m.frame();
    assert.equal(replyText(m), '');
  });

  it('a snapshot that arrives mid-stream continues the open reply', () => {
    const m = mountApp(null);
    const ids = { sessionId: 'sess-00000abc', replyId: 'reply-0000abc' };
    m.send({
      type: 'snapshot',
      state: {
        sessions: [],
        current: {
          id: ids.sessionId,
          title: 't',
          created_at: 1,
          updated_at: 1,
          messages: [
            { id: 'user-0000abc', role: 'user', content: 'q', status: 'complete', created_at: 1 },
            { id: ids.replyId, role: 'assistant', content: 'so far', status: 'streaming', created_at: 1 },
          ],
        },
        models: [],
        connection: { status: 'ok', url: 'http://127.0.0.1:11434' },
        streaming: { sessionId: ids.sessionId, messageId: ids.replyId },
        capabilities: { editor: false, pull: false },
      },
    });
    tokens(m, ids, ' and more');
    m.frame();
    assert.equal(replyText(m), 'so far and more');
    assert.ok(m.container.querySelector('.stop-button'));
  });
});
