import assert from 'node:assert/strict';
import { startOllamaDouble, type OllamaDouble } from '../../double';
import type { ChatEngine } from '../../../src/gateway/engine/types';
import { collect, lastOf, ollamaEngine, only, thinkingOf, tokensOf, turn } from './helpers';

/** Ollama's own stream shapes; what every provider does is in engineContract.test.ts. */
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

  it('asks a thinking-capable model to think when the option says so', async () => {
    double.enqueue({ thinking: ['Let me ', 'see'], tokens: ['42'] });
    const events = await collect(engine.run(turn({ model: 'thinker', options: { think: true } })));
    assert.equal(thinkingOf(events), 'Let me see');
    assert.equal(double.requestsTo('/api/chat')[0]!.body.think, true);
  });

  it('appends text carried by the final chunk, and maps done_reason length', async () => {
    double.enqueue({ tokens: ['a'], finalContent: 'b', doneReason: 'length' });
    const events = await collect(engine.run(turn()));
    assert.equal(tokensOf(events), 'ab');
    assert.equal((lastOf(events) as { finish_reason: string }).finish_reason, 'length');
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
