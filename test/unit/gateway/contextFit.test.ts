import assert from 'node:assert/strict';
import { answerReserve, fitContext, serverTruncated } from '../../../src/gateway/engine/contextFit';
import type { OllamaClient } from '../../../src/gateway/ollama/client';
import { ModelFactsCache } from '../../../src/gateway/ollama/modelFacts';
import { contextWindowFor } from '../../../src/shared/fit';
import { MESSAGE_OVERHEAD } from '../../../src/shared/tokens';
import type { ChatTurnMessage } from '../../../src/gateway/engine/types';
import { collect, only, ollamaEngine, turn, withOllama } from './helpers';

const msg = (role: ChatTurnMessage['role'], content: string): ChatTurnMessage => ({ role, content });

describe('context fit (pure)', () => {
  it('keeps everything that fits', () => {
    const history = [msg('user', 'a'), msg('assistant', 'b'), msg('user', 'c')];
    const r = fitContext('sys', history, 4096);
    assert.equal(r.dropped, 0);
    assert.deepEqual(r.messages, [msg('system', 'sys'), ...history]);
    assert.equal(r.estimate, 1 + 3 * 1 + 4 * MESSAGE_OVERHEAD);
    assert.equal(r.overBudget, false);
  });

  it('drops the oldest turns first, never the system prompt or the newest message, and no orphan reply leads', () => {
    const big = 'x'.repeat(4 * 300); // 300 tokens
    const history = [msg('user', big), msg('assistant', big), msg('user', big), msg('assistant', big), msg('user', 'newest')];
    // num_ctx 1024 → reserve 256 → budget 768: room for two big messages + the rest.
    const r = fitContext('be brief', history, 1024);
    assert.equal(r.messages[0]!.role, 'system');
    assert.equal(r.messages.at(-1)!.content, 'newest');
    assert.equal(r.messages[1]!.role, 'user', 'history starts with a user message');
    assert.equal(r.dropped, 2);
    assert.ok(r.estimate + answerReserve(1024) <= 1024);
  });

  it('keeps the newest message even when it alone is over budget, and says so', () => {
    const r = fitContext(undefined, [msg('user', 'old'), msg('user', 'x'.repeat(40_000))], 2048);
    assert.equal(r.messages.length, 1);
    assert.equal(r.dropped, 1);
    assert.equal(r.overBudget, true);
  });

  it('suspects server-side truncation only for big prompts reported much smaller', () => {
    assert.equal(serverTruncated(100, 3000, 4096), true);
    assert.equal(serverTruncated(2900, 3000, 4096), false);
    assert.equal(serverTruncated(10, 200, 4096), false, 'small prompt: probably the KV cache');
    assert.equal(serverTruncated(undefined, 3000, 4096), false);
  });
});

describe('model facts cache: when a refresh starts', () => {
  /** A client whose /api/show answers at once, counting calls. */
  const counting = () => {
    const calls: string[] = [];
    const client = {
      show: async (model: string) => {
        calls.push(model);
        return { model_info: { 'general.architecture': 'llama', 'llama.context_length': 131072 } };
      },
    } as unknown as OllamaClient;
    return { calls, client };
  };

  it('maxAgeMs 0 refreshes on every later turn, even when the clock has not moved since the lookup', async () => {
    const { calls, client } = counting();
    const still = () => 1000;
    const facts = new ModelFactsCache(client, 8192, 4096, 0, still);
    assert.equal((await facts.numCtxFor('m', 0, undefined, 5000)).numCtx, 8192);
    assert.equal(calls.length, 1);
    assert.equal((await facts.numCtxFor('m', 0, undefined, 5000)).numCtx, 8192);
    assert.equal(calls.length, 2, 'a refresh was started beside the second turn');
  });

  it('facts younger than maxAgeMs are used without a lookup; at maxAgeMs they are refreshed', async () => {
    const { calls, client } = counting();
    let now = 0;
    const facts = new ModelFactsCache(client, 8192, 4096, 100, () => now);
    await facts.numCtxFor('m', 0, undefined, 5000);
    now = 99;
    await facts.numCtxFor('m', 0, undefined, 5000);
    assert.equal(calls.length, 1);
    now = 100;
    await facts.numCtxFor('m', 0, undefined, 5000);
    assert.equal(calls.length, 2);
  });
});

describe('context fit in the Ollama engine', function () {
  this.timeout(20_000);
  const t = withOllama({ models: [
        'test-model', // /api/show: 131072 → capped at 8192
        { name: 'small-ctx', contextLength: 2048 },
        { name: 'modelfile-ctx', contextLength: 131072, parameters: 'num_ctx 6144\nstop "<end>"' },
        { name: 'modelfile-2k', contextLength: 131072, parameters: 'num_ctx 2048' },
      ] });

  const numCtxSent = () => t.double.requestsTo('/api/chat').map((r) => r.body.options.num_ctx);

  it("sends the model's own context capped at 8192, the same on every turn, so Ollama never reloads", async () => {
    for (let i = 0; i < 3; i++) await collect(t.engine.run(turn({ messages: [msg('user', 'x'.repeat(i * 100))] })));
    assert.deepEqual(numCtxSent(), [8192, 8192, 8192]);
    assert.equal(t.double.loads('test-model'), 1);
    assert.equal(t.double.requestsTo('/api/show').length, 1, 'show is cached per model');
  });

  it('uses a smaller model maximum, and a Modelfile num_ctx, as they are', async () => {
    await collect(t.engine.run(turn({ model: 'small-ctx' })));
    await collect(t.engine.run(turn({ model: 'modelfile-ctx' })));
    assert.deepEqual(numCtxSent(), [2048, 6144]);
  });

  it('the model list says which window the engine will use, so the composer’s fit check counts with the same one', async () => {
    const models = await t.engine.listModels();
    const info = (name: string) => models.find((m) => m.name === name)!;
    assert.equal(info('modelfile-2k').effective_context, 2048, 'the Modelfile num_ctx, not the 131072 maximum');
    for (const name of ['test-model', 'small-ctx', 'modelfile-ctx', 'modelfile-2k']) {
      await collect(t.engine.run(turn({ model: name })));
      assert.equal(contextWindowFor(0, info(name)).tokens, numCtxSent().at(-1), name);
    }
    // The setting still wins, for both.
    await collect(t.engine.run(turn({ model: 'modelfile-2k', options: { contextLength: 3000 } })));
    assert.equal(contextWindowFor(3000, info('modelfile-2k')).tokens, numCtxSent().at(-1));
  });

  it('the contextLength setting wins when > 0; 0 means the model default', async () => {
    await collect(t.engine.run(turn({ options: { contextLength: 3000 } })));
    await collect(t.engine.run(turn({ options: { contextLength: 0 } })));
    assert.deepEqual(numCtxSent(), [3000, 8192]);
  });

  it('falls back to 4096 while /api/show fails, and pins the real value once it answers', async () => {
    t.double.routeFault('/api/show', { status: 500, times: 2 });
    await collect(t.engine.run(turn()));
    await collect(t.engine.run(turn()));
    await collect(t.engine.run(turn()));
    await collect(t.engine.run(turn()));
    assert.deepEqual(numCtxSent(), [4096, 4096, 8192, 8192]);
  });

  it("one turn's cancel while /api/show is in flight does not change another turn's num_ctx", async () => {
    t.double.routeFault('/api/show', { delayMs: 300, times: 1 });
    const ac = new AbortController();
    const a = collect(t.engine.run(turn({ signal: ac.signal })));
    const b = collect(t.engine.run(turn()));
    await t.double.waitForRequest((r) => r.path === '/api/show');
    ac.abort();
    const [eventsA] = await Promise.all([a, b]);
    assert.equal((eventsA.at(-1) as { finish_reason: string }).finish_reason, 'cancelled');
    await collect(t.engine.run(turn()));
    assert.deepEqual(numCtxSent(), [8192, 8192], 'the surviving turn and the next one use the model\'s own context');
  });

  it('later turns never wait for /api/show: stale facts are refreshed beside the turn, num_ctx stays', async () => {
    const e2 = ollamaEngine(t.double.url, { factsMaxAgeMs: 0 });
    try {
      await collect(e2.run(turn()));
      assert.equal(t.double.requestsTo('/api/show').length, 1, 'the first turn of a model looks it up');
      // The refresh is held unanswered: the turn has to end without it.
      t.double.routeFault('/api/show', { delayMs: 60_000 });
      const events = await collect(e2.run(turn()));
      assert.equal((events.at(-1) as { finish_reason: string }).finish_reason, 'stop');
      // A turn that had waited would have ended only once the refresh gave up (its client closes it).
      assert.ok(
        t.double.requestsTo('/api/show').slice(1).every((r) => r.finishedAt === undefined && r.clientClosedAt === undefined),
        'the turn ended while the refresh was still unanswered',
      );
      assert.deepEqual(numCtxSent(), [8192, 8192]);
      // Started beside the turn, it may reach the double after the turn ended: waited for, by state.
      const first = t.double.requestsTo('/api/show')[0]!;
      await t.double.waitForRequest((r) => r.path === '/api/show' && r.index > first.index, 20_000);
      assert.equal(t.double.requestsTo('/api/show').length, 2, 'one refresh');
    } finally {
      await e2.close();
    }
  });

  it('drops the oldest turns to fit and reports truncated and dropped_messages', async () => {
    const big = 'y'.repeat(4 * 700); // ~700 tokens each
    const messages = [msg('user', big), msg('assistant', big), msg('user', big), msg('assistant', big), msg('user', 'the question')];
    const events = await collect(t.engine.run(turn({ model: 'small-ctx', systemPrompt: 'You are terse.', messages })));
    const sent = t.double.requestsTo('/api/chat')[0]!.body.messages as ChatTurnMessage[];
    assert.equal(sent[0]!.role, 'system');
    assert.equal(sent[0]!.content, 'You are terse.');
    assert.equal(sent.at(-1)!.content, 'the question');
    assert.ok(sent.length < messages.length + 1);
    const u = only(events, 'usage')[0]!;
    assert.equal(u.truncated, true);
    assert.equal(u.dropped_messages, messages.length + 1 - sent.length);
    assert.equal(u.context_window, 2048);
  });

  it('flags truncation when Ollama reports far fewer prompt tokens than estimated', async () => {
    const prompt = 'z'.repeat(4 * 1200); // ~1200 tokens of a 2048 window: fits our budget
    t.double.enqueue({ promptEvalCount: 300 });
    const events = await collect(t.engine.run(turn({ model: 'small-ctx', messages: [msg('user', prompt)] })));
    const u = only(events, 'usage')[0]!;
    assert.equal(u.dropped_messages, 0);
    assert.equal(u.prompt_tokens, 300);
    assert.ok(u.prompt_tokens_estimate! >= 1200);
    assert.equal(u.truncated, true);
  });
});
