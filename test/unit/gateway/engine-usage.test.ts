import assert from 'node:assert/strict';
import { startOllamaDouble, type OllamaDouble } from '../../double';
import type { ChatEngine } from '../../../src/gateway/engine/types';
import { collect, errorOf, ollamaEngine, only, phasesOf, tokensOf, turn } from './helpers';

describe('Ollama chat engine: phases, usage and coalescing', function () {
  this.timeout(20_000);
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

  it('reports loading_model while a cold model sends nothing, then generating; elapsed_ms grows', async () => {
    const e2 = ollamaEngine(double.url, { loadingHintMs: 30 });
    try {
      double.enqueue({ tokens: ['hi'], firstByteDelayMs: 600 });
      const events = await collect(e2.run(turn()));
      assert.deepEqual(phasesOf(events), ['queued', 'loading_model', 'generating']);
      const statuses = only(events, 'status_update');
      const elapsed = statuses.map((s) => s.elapsed_ms!);
      assert.deepEqual([...elapsed].sort((a, b) => a - b), elapsed, 'elapsed_ms never decreases');
      assert.equal(statuses[0]!.status, 'planning');
      assert.equal(statuses[1]!.status, 'planning');
      assert.equal(statuses[2]!.status, 'executing');
      assert.equal(statuses.at(-1)!.status, 'complete');
    } finally {
      await e2.close();
    }
  });

  it('reports reading_prompt instead when the model was used moments ago (warm)', async () => {
    const e2 = ollamaEngine(double.url, { loadingHintMs: 30 });
    try {
      await collect(e2.run(turn()));
      double.enqueue({ tokens: ['hi'], firstByteDelayMs: 600 });
      const events = await collect(e2.run(turn()));
      assert.deepEqual(phasesOf(events), ['queued', 'reading_prompt', 'generating']);
    } finally {
      await e2.close();
    }
  });

  it('computes usage from the final chunk: tokens, tokens/s, load, context window and use', async () => {
    double.enqueue({ tokens: ['a', 'b', 'c', 'd'], promptEvalCount: 120, evalDurationNs: 2e9, firstByteDelayMs: 50 });
    const events = await collect(engine.run(turn({ options: { contextLength: 3000 } })));
    const u = only(events, 'usage')[0]!;
    assert.equal(u.prompt_tokens, 120);
    assert.equal(u.completion_tokens, 4);
    assert.equal(u.total_tokens, 124);
    assert.equal(u.cost_usd, 0);
    assert.equal(u.tokens_per_second, 2, '4 tokens / 2 s');
    assert.ok(u.load_ms !== null && u.load_ms >= 50);
    assert.ok(u.time_to_first_token_ms !== null && u.time_to_first_token_ms >= 50);
    assert.equal(u.context_window, 3000);
    assert.equal(u.context_used, 124);
    assert.equal(u.truncated, false);
    assert.equal(u.dropped_messages, 0);
    assert.ok(u.prompt_tokens_estimate! > 0);
    // The usage event comes before the final status and done.
    assert.deepEqual(events.slice(-3).map((e) => e.type), ['usage', 'status_update', 'done']);
  });

  it('coalesces tokens that arrive together into fewer events, losing nothing', async () => {
    const e2 = ollamaEngine(double.url, { coalesceMs: 50 });
    try {
      const tokens = Array.from({ length: 200 }, (_, i) => `t${i} `);
      double.enqueue({ tokens, chunking: { kind: 'lines', perWrite: 50 } });
      const events = await collect(e2.run(turn()));
      assert.equal(tokensOf(events), tokens.join(''));
      assert.ok(only(events, 'token').length < tokens.length / 4, `${only(events, 'token').length} token events`);
    } finally {
      await e2.close();
    }
  });

  it('never merges thinking into tokens, and keeps their order', async () => {
    const e2 = ollamaEngine(double.url, { coalesceMs: 50 });
    try {
      double.enqueue({ thinking: ['x', 'y'], tokens: ['1', '2', '3'] });
      const events = await collect(e2.run(turn({ model: 'thinker' })));
      const kinds = events.filter((e) => e.type === 'thinking' || e.type === 'token').map((e) => e.type);
      assert.deepEqual(kinds, ['thinking', 'token']);
      assert.equal(only(events, 'thinking')[0]!.content, 'xy');
      assert.equal(only(events, 'token')[0]!.content, '123');
    } finally {
      await e2.close();
    }
  });

  it('every turn is well formed even when it fails before any request (no error escapes)', async () => {
    const e2 = ollamaEngine('http://127.0.0.1:1');
    try {
      const events = await collect(e2.run(turn()));
      assert.equal(events[0]!.type, 'status_update');
      assert.ok(errorOf(events));
      assert.equal(events.at(-1)!.type, 'done');
    } finally {
      await e2.close();
    }
  });
});
