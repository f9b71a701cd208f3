import assert from 'node:assert/strict';
import type { GatewayEvent } from '../../../src/shared/events';
import { foldEvent, foldEvents } from '../../../src/shared/fold';
import type { ChatMessage } from '../../../src/shared/session';

const reply = (): ChatMessage => ({ id: 'a1000000', role: 'assistant', content: '', status: 'streaming', created_at: 0 });
const done = (finish_reason: 'stop' | 'length' | 'cancelled' | 'error'): GatewayEvent => ({ type: 'done', session_id: 's', message_id: 'a1000000', finish_reason });
const err: GatewayEvent = { type: 'error', code: 'timeout', message: 'slow', retryable: true };

describe('foldEvent: the one fold of a turn into its reply', () => {
  it('appends text and reasoning, keeps usage, ends complete', () => {
    const m = foldEvents(reply(), [
      { type: 'status_update', status: 'executing', phase: 'generating' },
      { type: 'thinking', content: 'hm' },
      { type: 'token', content: 'Hel' },
      { type: 'token', content: 'lo' },
      { type: 'usage', prompt_tokens: 1, completion_tokens: 2, total_tokens: 3, cost_usd: 0, tokens_per_second: null, time_to_first_token_ms: null, load_ms: null, context_window: 8, context_used: 3, truncated: false },
      done('stop'),
    ]);
    assert.equal(m.content, 'Hello');
    assert.equal(m.thinking, 'hm');
    assert.equal(m.usage?.total_tokens, 3);
    assert.equal(m.status, 'complete');
    assert.equal(m.finish_reason, 'stop');
  });

  it('an error then done(error) ends as error with the error kept', () => {
    const m = foldEvents(reply(), [{ type: 'token', content: 'part' }, err, done('error')]);
    assert.equal(m.status, 'error');
    assert.deepEqual(m.error, { code: 'timeout', message: 'slow' });
    assert.equal(m.content, 'part');
  });

  it('an error then done(cancelled) is a stop: the error is not kept', () => {
    const m = foldEvents(reply(), [err, done('cancelled')]);
    assert.equal(m.status, 'stopped');
    assert.equal(m.error, undefined);
  });

  it('the reply stays streaming between an error and done', () => {
    assert.equal(foldEvent(reply(), err).status, 'streaming');
  });

  it('is immutable and returns the same object when nothing changes', () => {
    const m = reply();
    const n = foldEvent(m, { type: 'token', content: 'x' });
    assert.equal(m.content, '');
    assert.equal(n.content, 'x');
    assert.equal(foldEvent(n, { type: 'token', content: '' }), n);
    assert.equal(foldEvent(n, { type: 'status_update', status: 'executing' }), n);
  });
});

describe('foldEvent: a turn cut off by a shutdown', () => {
  it('an interrupted error then done(error) reads as interrupted, as start-up recovery records a crash', () => {
    const m = foldEvents(reply(), [{ type: 'token', content: 'half' }, { type: 'error', code: 'interrupted', message: 'VS Code closed', retryable: true }, done('error')]);
    assert.equal(m.status, 'interrupted');
    assert.equal(m.error?.code, 'interrupted');
    assert.equal(m.content, 'half');
  });
});
