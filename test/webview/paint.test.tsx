// The paint rate while a reply streams: at most ~10 paints a second,
// with a leading edge so the first text of a turn is never delayed, and an
// immediate paint on done, stop, errors, and when the user scrolls or types.
import assert from 'node:assert/strict';
import { act, cleanup, fireEvent } from '@testing-library/preact';
import { options, type VNode } from 'preact';
import { App } from '../../webview/components/App';
import { Composer } from '../../webview/components/Composer';
import type { HostToWebview } from '../../src/shared/protocol';
import { PAINT_INTERVAL_MS, Store } from '../../webview/state/store';
import { done, FakeFrames, FakeTimers, message, mountApp, startTurn, tokens } from './helpers';

const SID = 'sess-paint001';
const RID = 'reply-paint01';

/** A store on a fake clock, frame scheduler and timers, with one turn started and painted. */
function streamingStore() {
  const clock = { now: 1_000_000 };
  const frames = new FakeFrames();
  const timers = new FakeTimers(clock);
  const store = new Store(frames.schedule, () => clock.now, timers);
  const paints: string[] = [];
  store.subscribe(() => paints.push(store.getState().current?.messages[1]?.content ?? ''));
  store.dispatchHost({
    type: 'turnStarted',
    sessionId: SID,
    userMessage: message('user', 'q', { id: 'user-paint001' }),
    assistantMessage: message('assistant', '', { id: RID, status: 'streaming' }),
  });
  frames.flush();
  paints.length = 0;
  const token = (content: string) => store.dispatchHost({ type: 'event', sessionId: SID, messageId: RID, event: { type: 'token', content } });
  const host = (msg: HostToWebview) => store.dispatchHost(msg);
  /** One display frame later (16.7 ms): timers due by then run, then the frame. */
  const tick = (ms = 1000 / 60) => {
    timers.advance(ms);
    frames.flush();
  };
  return { clock, frames, timers, store, paints, token, host, tick };
}

describe('paint rate while streaming', () => {
  afterEach(cleanup);

  it('the first text of a turn is painted on the next animation frame, not after an interval', () => {
    const s = streamingStore();
    s.token('Hel');
    assert.equal(s.frames.pending, 1, 'a frame is requested at once');
    assert.equal(s.timers.pending, 0, 'no waiting');
    s.frames.flush();
    assert.deepEqual(s.paints, ['Hel']);
  });

  it('text within the interval is merged into one paint at its end', () => {
    const s = streamingStore();
    s.token('a');
    s.tick();
    assert.deepEqual(s.paints, ['a']);
    s.token('b');
    assert.equal(s.frames.pending, 0, 'not painted on the next frame');
    assert.equal(s.timers.pending, 1, 'one trailing paint is set');
    s.tick();
    s.token('c');
    s.tick();
    s.token('d');
    assert.deepEqual(s.paints, ['a'], 'nothing painted inside the interval');
    s.timers.advance(PAINT_INTERVAL_MS);
    s.frames.flush();
    assert.deepEqual(s.paints, ['a', 'abcd'], 'one paint for the three tokens');
  });

  it('the first text after a pause is painted on the next frame', () => {
    const s = streamingStore();
    s.token('a');
    s.tick();
    s.tick(PAINT_INTERVAL_MS + 60);
    s.token('b');
    assert.equal(s.frames.pending, 1);
    assert.equal(s.timers.pending, 0);
    s.frames.flush();
    assert.deepEqual(s.paints, ['a', 'ab']);
  });

  it('done paints buffered text on the next frame, and leaves no trailing paint behind', () => {
    const s = streamingStore();
    s.token('a');
    s.tick();
    s.token('b');
    assert.equal(s.timers.pending, 1);
    s.host({ type: 'event', sessionId: SID, messageId: RID, event: { type: 'done', session_id: SID, message_id: RID, finish_reason: 'stop' } });
    assert.equal(s.frames.pending, 1);
    s.frames.flush();
    assert.deepEqual(s.paints, ['a', 'ab']);
    assert.equal(s.store.getState().current!.messages[1]!.status, 'complete');
    s.tick(PAINT_INTERVAL_MS * 2);
    assert.equal(s.paints.length, 2, 'no second paint');
  });

  it('an error paints buffered text on the next frame', () => {
    const s = streamingStore();
    s.token('a');
    s.tick();
    s.token('b');
    s.host({ type: 'event', sessionId: SID, messageId: RID, event: { type: 'error', code: 'upstream_error', message: 'gone', retryable: false } });
    s.frames.flush();
    assert.deepEqual(s.paints, ['a', 'ab']);
  });

  it('flushNow (scroll, typing, stop) paints buffered text on the next frame', () => {
    const s = streamingStore();
    s.token('a');
    s.tick();
    s.token('b');
    s.store.flushNow();
    assert.equal(s.frames.pending, 1);
    assert.equal(s.timers.pending, 0, 'the trailing paint is replaced');
    s.frames.flush();
    assert.deepEqual(s.paints, ['a', 'ab']);
    s.store.flushNow();
    assert.equal(s.frames.pending, 0, 'nothing buffered: nothing to paint');
  });

  it('the next turn starts with a leading paint even right after the last one ended', () => {
    const s = streamingStore();
    s.token('a');
    s.tick();
    s.host({ type: 'event', sessionId: SID, messageId: RID, event: { type: 'done', session_id: SID, message_id: RID, finish_reason: 'stop' } });
    const next = 'reply-paint02';
    s.host({ type: 'turnStarted', sessionId: SID, userMessage: message('user', 'again', { id: 'user-paint002' }), assistantMessage: message('assistant', '', { id: next, status: 'streaming' }) });
    s.frames.flush();
    s.store.dispatchHost({ type: 'event', sessionId: SID, messageId: next, event: { type: 'token', content: 'fast' } });
    assert.equal(s.frames.pending, 1, 'painted on the next frame');
  });

  it('a fast stream (8 tokens a frame for 3 s) is painted 9-11 times a second, evenly, and nothing is lost', () => {
    const s = streamingStore();
    const paintedAt: number[] = [];
    s.store.subscribe(() => paintedAt.push(s.clock.now));
    let sent = '';
    for (let f = 0; f < 180; f++) {
      for (let k = 0; k < 8; k++) {
        const t = `t${f}_${k} `;
        sent += t;
        s.token(t);
      }
      s.tick();
    }
    s.timers.runAll();
    s.frames.flush();
    const perSecond = paintedAt.length / 3;
    assert.ok(perSecond >= 9 && perSecond <= 11, `${perSecond.toFixed(1)} paints a second`);
    const gaps = paintedAt.slice(2, -1).map((t, i) => t - paintedAt[i + 1]!);
    assert.ok(Math.max(...gaps) - Math.min(...gaps) < 1000 / 60 + 1, `uneven gaps: ${Math.min(...gaps)}..${Math.max(...gaps)} ms`);
    assert.equal(s.store.getState().current!.messages[1]!.content, sent);
  });

  it('a slow stream (9 tokens a second) is painted token by token, each on the next frame', () => {
    const s = streamingStore();
    for (let i = 0; i < 9; i++) {
      s.token(`w${i} `);
      assert.equal(s.frames.pending, 1, `token ${i} waits for no timer`);
      s.tick();
      s.timers.advance(1000 / 9 - 1000 / 60);
    }
    assert.equal(s.paints.length, 9);
  });

  it('text for a reply not on screen (another chat, an unknown reply) wakes no timer and no frame, and changes nothing', () => {
    const s = streamingStore();
    const before = s.store.getState();
    s.host({ type: 'event', sessionId: 'sess-other001', messageId: RID, event: { type: 'token', content: 'elsewhere' } });
    s.host({ type: 'event', sessionId: SID, messageId: 'reply-notshown', event: { type: 'thinking', content: 'hmm' } });
    assert.equal(s.frames.pending, 0);
    assert.equal(s.timers.pending, 0);
    s.tick(PAINT_INTERVAL_MS * 2);
    assert.equal(s.store.getState(), before);
    assert.deepEqual(s.paints, []);
    // The reply on screen still gets its text, on the next frame.
    s.token('here');
    assert.equal(s.frames.pending, 1);
    s.frames.flush();
    assert.deepEqual(s.paints, ['here']);
  });

  it("a 'structure' listener is not told about a text paint, and is told about anything else", () => {
    const s = streamingStore();
    let told = 0;
    s.store.subscribe(() => told++, 'structure');
    s.token('a');
    s.tick();
    assert.deepEqual(s.paints, ['a']);
    assert.equal(told, 0, 'text alone');
    s.token('b');
    s.host({ type: 'notice', level: 'info', message: 'hi' });
    s.frames.flush();
    assert.deepEqual(s.paints, ['a', 'ab']);
    assert.equal(told, 1, 'text and a notice in one frame');
  });

  describe('in the app', () => {
    it('scrolling the conversation paints buffered text at once', () => {
      const m = mountApp();
      const ids = startTurn(m);
      tokens(m, ids, 'first ');
      void act(() => m.frames.flush());
      tokens(m, ids, 'second');
      void act(() => m.frames.flush());
      const reply = () => m.container.querySelector('.message-assistant .md')?.textContent ?? '';
      assert.equal(reply().trim(), 'first', 'the second token waits for the interval');
      fireEvent.wheel(m.container.querySelector('.messages')!);
      void act(() => m.frames.flush());
      assert.equal(reply(), 'first second');
    });

    it('typing in the composer paints buffered text at once', () => {
      const m = mountApp();
      const ids = startTurn(m);
      tokens(m, ids, 'first ');
      void act(() => m.frames.flush());
      tokens(m, ids, 'second');
      void act(() => m.frames.flush());
      fireEvent.keyDown(m.getByLabelText('Message'), { key: 'a' });
      void act(() => m.frames.flush());
      assert.equal(m.container.querySelector('.message-assistant .md')?.textContent, 'first second');
    });

    it('a text paint re-renders the streaming message alone, not the app (the list, the other messages) or the composer', () => {
      const m = mountApp();
      const ids = startTurn(m);
      tokens(m, ids, 'first ');
      m.frame();
      const rendered: string[] = [];
      const prev = options.diffed;
      options.diffed = (vnode: VNode) => {
        if (vnode.type === App) rendered.push('App');
        if (vnode.type === Composer) rendered.push('Composer');
        prev?.(vnode);
      };
      try {
        tokens(m, ids, 'second');
        m.frame();
      } finally {
        options.diffed = prev;
      }
      assert.equal(m.container.querySelector('.message-assistant .md')?.textContent, 'first second');
      assert.deepEqual(rendered, [], 'nothing but the streaming message re-rendered');
    });

    it('a change to anything else mid-stream re-renders the app with the text as it is now', () => {
      const m = mountApp();
      const ids = startTurn(m);
      tokens(m, ids, 'first ');
      m.frame();
      tokens(m, ids, 'second');
      m.send({ type: 'notice', level: 'info', message: 'Heads up' });
      assert.match(m.container.textContent ?? '', /Heads up/);
      assert.equal(m.container.querySelector('.message-assistant .md')?.textContent, 'first second');
      tokens(m, ids, ' third');
      m.frame();
      assert.equal(m.container.querySelector('.message-assistant .md')?.textContent, 'first second third');
      done(m, ids);
      assert.equal(m.container.querySelector('.message-assistant .md')?.textContent, 'first second third');
      assert.ok(m.container.querySelector('.message-assistant.status-complete[aria-busy="false"]'), 'shown finished');
    });

    it('Stop paints buffered text at once (and asks the host to cancel)', () => {
      const m = mountApp();
      const ids = startTurn(m);
      tokens(m, ids, 'first ');
      void act(() => m.frames.flush());
      tokens(m, ids, 'second');
      void act(() => m.frames.flush());
      void act(() => m.getByLabelText('Stop generating (Escape)').click());
      void act(() => m.frames.flush());
      assert.equal(m.container.querySelector('.message-assistant .md')?.textContent, 'first second');
      assert.equal(m.host.ofType('cancel').length, 1);
    });
  });
});
