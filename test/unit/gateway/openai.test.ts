import assert from 'node:assert/strict';
import { createEngine, GatewayError } from '../../../src/gateway/engine';
import type { ChatEngine } from '../../../src/gateway/engine/types';
import { startOpenAIDouble, type OpenAIDouble } from '../../double';
import { assertWellFormed, collect, errorOf, FAST, lastOf, only, phasesOf, tokensOf, turn } from './helpers';

const finishOf = (events: { type: string }[]) => (lastOf(events as never) as { finish_reason: string }).finish_reason;

/** The OpenAI-compatible provider's own ways; what every provider does is in engineContract.test.ts. */
describe('OpenAI-compatible provider', function () {
  this.timeout(20_000);
  let double: OpenAIDouble;
  let engine: ChatEngine;
  beforeEach(async () => {
    double = await startOpenAIDouble(['served-model', 'other-model']);
    engine = createEngine({ provider: 'openai', baseUrl: double.url, requestTimeoutMs: 20_000, headers: { Authorization: 'Bearer k' } }, FAST);
  });
  afterEach(async () => {
    await engine.close();
    await double.stop();
  });

  it('streams SSE deltas into tokens, with usage from the include_usage chunk and done(stop)', async () => {
    double.enqueue({ tokens: ['Hel', 'lo', ' there'] });
    const events = await collect(engine.run(turn({ model: 'served-model', systemPrompt: 'sys' })));
    assertWellFormed(events, assert);
    assert.equal(tokensOf(events), 'Hello there');
    assert.deepEqual(phasesOf(events), ['queued', 'generating']);
    const u = only(events, 'usage')[0]!;
    assert.equal(u.prompt_tokens, 17);
    assert.equal(u.completion_tokens, 3);
    assert.equal(u.context_window, null);
    assert.equal(u.cost_usd, 0);
    assert.equal(finishOf(events), 'stop');
    const req = double.requests.find((r) => r.path === '/v1/chat/completions')!;
    assert.equal(req.body.stream, true);
    assert.deepEqual(req.body.stream_options, { include_usage: true });
    assert.equal(req.body.messages[0].role, 'system');
    assert.equal(req.headers.authorization, 'Bearer k');
  });

  it('works with a base URL that already ends in /v1', async () => {
    const e2 = createEngine({ provider: 'openai', baseUrl: `${double.url}/v1`, requestTimeoutMs: 5000 }, FAST);
    try {
      assert.equal(tokensOf(await collect(e2.run(turn({ model: 'served-model' })))), 'You said: hello');
      assert.deepEqual((await e2.listModels()).map((m) => m.name), ['served-model', 'other-model']);
    } finally {
      await e2.close();
    }
  });

  it('handles byte-wise chunking (inside UTF-8 code points)', async () => {
    double.enqueue({ tokens: ['é', '🔥', '世界'], chunking: { kind: 'bytes', size: 3 } });
    assert.equal(tokensOf(await collect(engine.run(turn({ model: 'served-model' })))), 'é🔥世界');
  });

  it('drops old turns only when the context length setting gives a window', async () => {
    const big = 'q'.repeat(4000);
    const messages = [
      { role: 'user' as const, content: big },
      { role: 'assistant' as const, content: big },
      { role: 'user' as const, content: 'now' },
    ];
    await collect(engine.run(turn({ model: 'served-model', messages })));
    const events = await collect(engine.run(turn({ model: 'served-model', messages, options: { contextLength: 1024 } })));
    const chats = double.requests.filter((r) => r.path === '/v1/chat/completions');
    assert.equal(chats[0]!.body.messages.length, 3);
    assert.equal(chats[1]!.body.messages.length, 1);
    const u = only(events, 'usage')[0]!;
    assert.equal(u.truncated, true);
    assert.equal(u.dropped_messages, 2);
    assert.equal(u.context_window, 1024);
  });

  it('lists models from /v1/models; health says reachable; unreachable is a clear error', async () => {
    assert.deepEqual((await engine.listModels()).map((m) => m.name), ['served-model', 'other-model']);
    assert.equal((await engine.health()).reachable, true);
    assert.equal(engine.pull, undefined);
    await double.stop();
    assert.equal((await engine.health()).reachable, false);
    await assert.rejects(engine.listModels(), (e: unknown) => e instanceof GatewayError && e.code === 'unreachable' && !/ollama serve/.test(e.message));
    const events = await collect(engine.run(turn({ model: 'served-model' })));
    assert.equal(errorOf(events)!.code, 'unreachable');
  });
});
