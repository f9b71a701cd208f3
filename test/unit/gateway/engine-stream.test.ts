import assert from 'node:assert/strict';
import { startOllamaDouble, type OllamaDouble } from '../../double';
import type { ChatEngine } from '../../../src/gateway/engine/types';
import { assertWellFormed, collect, errorOf, lastOf, ollamaEngine, only, phasesOf, thinkingOf, tokensOf, turn } from './helpers';

describe('Ollama chat engine: streaming', () => {
  let double: OllamaDouble;
  let engine: ChatEngine;
  beforeEach(async () => {
    double = await startOllamaDouble({ models: ['test-model', { name: 'thinker', capabilities: ['completion', 'thinking'] }] });
    engine = ollamaEngine(double.url);
  });
  afterEach(async () => {
    await engine.close();
    await double.stop();
  });

  it('streams tokens and ends with usage and done(stop)', async () => {
    double.enqueue({ tokens: ['Hel', 'lo', ' world'] });
    const events = await collect(engine.run(turn()));
    assertWellFormed(events, assert);
    assert.equal(tokensOf(events), 'Hello world');
    assert.equal(only(events, 'token').length, 3, 'coalescing off: one event per chunk');
    assert.equal(only(events, 'usage').length, 1);
    const done = lastOf(events);
    assert.deepEqual(done, { type: 'done', session_id: 'session-test-1', message_id: done.type === 'done' ? done.message_id : '', finish_reason: 'stop' });
    assert.deepEqual(phasesOf(events), ['queued', 'generating']);
  });

  it('keeps thinking apart from the answer and reports the thinking phase first', async () => {
    double.enqueue({ thinking: ['Let me ', 'see'], tokens: ['42'] });
    const events = await collect(engine.run(turn({ model: 'thinker', options: { think: true } })));
    assert.equal(thinkingOf(events), 'Let me see');
    assert.equal(tokensOf(events), '42');
    assert.deepEqual(phasesOf(events), ['queued', 'thinking', 'generating']);
    assert.equal(double.requestsTo('/api/chat')[0]!.body.think, true);
  });

  it('appends text carried by the final chunk, and maps done_reason length', async () => {
    double.enqueue({ tokens: ['a'], finalContent: 'b', doneReason: 'length' });
    const events = await collect(engine.run(turn()));
    assert.equal(tokensOf(events), 'ab');
    assert.equal((lastOf(events) as { finish_reason: string }).finish_reason, 'length');
  });

  it('reports a mid-stream error line as upstream_error, keeping the partial text', async () => {
    double.enqueue({ tokens: ['one ', 'two ', 'three'], errorAfterTokens: { tokens: 2, message: 'llama runner process has terminated' } });
    const events = await collect(engine.run(turn()));
    assertWellFormed(events, assert);
    assert.equal(tokensOf(events), 'one two ');
    const err = errorOf(events)!;
    assert.equal(err.code, 'upstream_error');
    assert.match(err.message, /llama runner process has terminated/);
    assert.equal((lastOf(events) as { finish_reason: string }).finish_reason, 'error');
  });

  it('treats a stream without done:true as truncated, keeping the partial text', async () => {
    double.enqueue({ tokens: ['partial ', 'text'], omitDone: true });
    const events = await collect(engine.run(turn()));
    assert.equal(tokensOf(events), 'partial text');
    assert.equal(errorOf(events)!.code, 'truncated');
    assert.equal(errorOf(events)!.retryable, true);
    assert.equal((lastOf(events) as { finish_reason: string }).finish_reason, 'error');
    assert.equal(only(events, 'usage').length, 0);
  });

  it('survives empty chunks and missing metrics', async () => {
    double.enqueue({ tokens: ['x'], emptyChunks: 3, omitMetrics: true, doneReason: null });
    const events = await collect(engine.run(turn()));
    assert.equal(tokensOf(events), 'x');
    const usage = only(events, 'usage')[0]!;
    assert.equal(usage.tokens_per_second, null);
    assert.equal(usage.load_ms, null);
    assert.equal(usage.completion_tokens, 1, 'falls back to the chunks seen');
    assert.equal((lastOf(events) as { finish_reason: string }).finish_reason, 'stop');
  });
});
