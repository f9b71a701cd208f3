import assert from 'node:assert/strict';
import { collect, only, phasesOf, ollamaEngine, turn, withOllama } from './helpers';

/** Ollama's phases and usage figures; coalescing and the common phases are in engineContract.test.ts. */
describe('Ollama chat engine: phases and usage', function () {
  this.timeout(20_000);
  const t = withOllama({ models: ['test-model', { name: 'thinker', capabilities: ['completion', 'thinking'] }] });

  it('reports reading_prompt instead when the model was used moments ago (warm)', async () => {
    const e2 = ollamaEngine(t.double.url, { loadingHintMs: 30 });
    try {
      await collect(e2.run(turn()));
      t.double.enqueue({ tokens: ['hi'], firstByteDelayMs: 600 });
      const events = await collect(e2.run(turn()));
      assert.deepEqual(phasesOf(events), ['queued', 'reading_prompt', 'generating']);
    } finally {
      await e2.close();
    }
  });

  it('computes usage from the final chunk: tokens, tokens/s, load, context window and use', async () => {
    t.double.enqueue({ tokens: ['a', 'b', 'c', 'd'], promptEvalCount: 120, evalDurationNs: 2e9, firstByteDelayMs: 50 });
    const events = await collect(t.engine.run(turn({ options: { contextLength: 3000 } })));
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
});
