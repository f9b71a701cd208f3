import assert from 'node:assert/strict';
import { collect, lastOf, only, thinkingOf, tokensOf, turn, withOllama } from './helpers';

/** Ollama's own stream shapes; what every provider does is in engineContract.test.ts. */
describe('Ollama chat engine: streaming', () => {
  const t = withOllama({ models: ['test-model', { name: 'thinker', capabilities: ['completion', 'thinking'] }] });

  it('asks a thinking-capable model to think when the option says so', async () => {
    t.double.enqueue({ thinking: ['Let me ', 'see'], tokens: ['42'] });
    const events = await collect(t.engine.run(turn({ model: 'thinker', options: { think: true } })));
    assert.equal(thinkingOf(events), 'Let me see');
    assert.equal(t.double.requestsTo('/api/chat')[0]!.body.think, true);
  });

  it('appends text carried by the final chunk, and maps done_reason length', async () => {
    t.double.enqueue({ tokens: ['a'], finalContent: 'b', doneReason: 'length' });
    const events = await collect(t.engine.run(turn()));
    assert.equal(tokensOf(events), 'ab');
    assert.equal((lastOf(events) as { finish_reason: string }).finish_reason, 'length');
  });

  it('survives empty chunks and missing metrics', async () => {
    t.double.enqueue({ tokens: ['x'], emptyChunks: 3, omitMetrics: true, doneReason: null });
    const events = await collect(t.engine.run(turn()));
    assert.equal(tokensOf(events), 'x');
    const usage = only(events, 'usage')[0]!;
    assert.equal(usage.tokens_per_second, null);
    assert.equal(usage.load_ms, null);
    assert.equal(usage.completion_tokens, 1, 'falls back to the chunks seen');
    assert.equal((lastOf(events) as { finish_reason: string }).finish_reason, 'stop');
  });
});
