import assert from 'node:assert/strict';
import { TokenCoalescer, type Timers } from '../../../src/extension/chat/tokenCoalescer';
import type { HostToWebview } from '../../../src/shared/protocol';

class ManualTimers implements Timers {
  pending: (() => void) | undefined;
  sets = 0;
  set(fn: () => void): unknown {
    this.sets++;
    this.pending = fn;
    return fn;
  }
  clear(h: unknown): void {
    if (this.pending === h) this.pending = undefined;
  }
  fire(): void {
    const f = this.pending;
    this.pending = undefined;
    f?.();
  }
}

const SID = 'session-0001';
const MID = 'message-0001';
const tok = (content: string, type: 'token' | 'thinking' = 'token', messageId = MID): HostToWebview => ({ type: 'event', sessionId: SID, messageId, event: { type, content } });
const done: HostToWebview = { type: 'event', sessionId: SID, messageId: MID, event: { type: 'done', session_id: SID, message_id: MID, finish_reason: 'stop' } };

function describeOut(out: HostToWebview[]): string[] {
  return out.map((m) => (m.type === 'event' ? (m.event.type === 'token' || m.event.type === 'thinking' ? `${m.event.type}:${m.event.content}` : m.event.type) : m.type));
}

describe('TokenCoalescer', () => {
  let out: HostToWebview[];
  let timers: ManualTimers;
  let c: TokenCoalescer;
  beforeEach(() => {
    out = [];
    timers = new ManualTimers();
    c = new TokenCoalescer((m) => out.push(m), timers);
  });

  it('merges tokens that arrive within one frame into one message', () => {
    for (const t of ['Hel', 'lo', ', ', 'world']) c.post(tok(t));
    assert.deepEqual(out, []);
    assert.equal(timers.sets, 1, 'one timer per frame, not per token');
    timers.fire();
    assert.deepEqual(describeOut(out), ['token:Hello, world']);
  });

  it('flushes buffered text before any other message, so done never overtakes text', () => {
    c.post(tok('a'));
    c.post(tok('b'));
    c.post(done);
    assert.deepEqual(describeOut(out), ['token:ab', 'done']);
    assert.equal(timers.pending, undefined, 'the frame timer is cancelled by the flush');
    c.post({ type: 'notice', level: 'info', message: 'x' });
    assert.deepEqual(describeOut(out), ['token:ab', 'done', 'notice']);
  });

  it('keeps thinking and answer text in their order', () => {
    c.post(tok('hmm ', 'thinking'));
    c.post(tok('ok', 'thinking'));
    c.post(tok('The'));
    c.post(tok(' answer'));
    c.post(tok('?', 'thinking'));
    timers.fire();
    assert.deepEqual(describeOut(out), ['thinking:hmm ok', 'token:The answer', 'thinking:?']);
  });

  it('does not merge text of different messages', () => {
    c.post(tok('a', 'token', 'message-0001'));
    c.post(tok('b', 'token', 'message-0002'));
    timers.fire();
    assert.deepEqual(out.map((m) => (m.type === 'event' ? m.messageId : '')), ['message-0001', 'message-0002']);
  });

  it('discardPending drops buffered text (a snapshot already holds it)', () => {
    c.post(tok('a'));
    c.discardPending();
    timers.fire();
    c.post(done);
    assert.deepEqual(describeOut(out), ['done']);
  });

  it('keeps every character across many frames', () => {
    let expected = '';
    for (let i = 0; i < 500; i++) {
      const t = `t${i} `;
      expected += t;
      c.post(tok(t));
      if (i % 7 === 0) timers.fire();
    }
    c.post(done);
    const text = out.filter((m) => m.type === 'event' && m.event.type === 'token').map((m) => (m.type === 'event' && m.event.type === 'token' ? m.event.content : '')).join('');
    assert.equal(text, expected);
    assert.ok(out.length < 100);
    assert.equal(describeOut(out).at(-1), 'done');
  });
});
