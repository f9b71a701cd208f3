/**
 * Fill in the middle through the engine, against the doubles: the request each
 * model gets (insert → prompt+suffix; a known family → raw with its tokens and
 * stops; neither → a clear capability error), the same num_ctx and keep_alive as
 * chat (no reload), caps, cancellation closing the socket, timeouts.
 */
import assert from 'node:assert/strict';
import { createEngine, isGatewayError } from '../../../src/gateway/engine';
import type { ChatEngine, CompletionRequest } from '../../../src/gateway/engine/types';
import { startOllamaDouble, startOpenAIDouble, type OllamaDouble, type OpenAIDouble } from '../../double';
import { collect, FAST, ollamaEngine } from './helpers';

const base = { prefix: 'function add(a, b) {\n  ', suffix: '\n}\n', maxTokens: 64, options: { keepAlive: '30m' } } satisfies Partial<CompletionRequest>;

describe('engine: fill in the middle (Ollama)', function () {
  this.timeout(20_000);
  let double: OllamaDouble;
  let engine: ChatEngine;

  beforeEach(async () => {
    double = await startOllamaDouble({
      models: [
        { name: 'coder-fim', capabilities: ['completion', 'insert'], parameters: 'num_ctx 4096' },
        { name: 'qwen2.5-coder:1.5b-base', capabilities: ['completion'] },
        { name: 'llama3.2:3b', capabilities: ['completion', 'tools'] },
        { name: 'think-coder', capabilities: ['completion', 'insert', 'thinking'] },
      ],
    });
    engine = ollamaEngine(double.url);
  });
  afterEach(async () => {
    await engine.close();
    await double.stop();
  });

  it('an insert model: /api/generate with prompt + suffix, num_predict, the chat num_ctx and keep_alive; no reload after chat', async () => {
    await collect(engine.run({ turnId: 't1', sessionId: 's', model: 'coder-fim', messages: [{ role: 'user', content: 'hi' }], options: { keepAlive: '30m' } }));
    double.enqueue({ tokens: ['return ', 'a + b;'] });
    const r = await engine.complete!({ ...base, model: 'coder-fim' });
    assert.equal(r.text, 'return a + b;');
    assert.equal(r.prompt, 'insert');
    assert.equal(r.finish, 'stop');
    assert.equal(r.model, 'coder-fim');
    assert.ok(r.timings.total_ms > 0 && r.timings.first_token_ms !== null);
    const chat = double.requestsTo('/api/chat')[0]!.body;
    const gen = double.requestsTo('/api/generate')[0]!.body;
    assert.equal(gen.prompt, base.prefix);
    assert.equal(gen.suffix, base.suffix);
    assert.equal(gen.raw, undefined);
    assert.equal(gen.stream, true);
    assert.equal(gen.options.num_predict, 64);
    assert.equal(gen.options.num_ctx, chat.options.num_ctx, 'the same window as chat');
    assert.equal(gen.keep_alive, '30m');
    assert.equal(double.loads('coder-fim'), 1, 'never reloaded between chat and completion');
    for (let i = 0; i < 3; i++) await engine.complete!({ ...base, model: 'coder-fim', prefix: base.prefix + 'x'.repeat(i) });
    assert.equal(double.loads('coder-fim'), 1, 'nor between keystrokes');
    assert.equal(new Set(double.requestsTo('/api/generate').map((q) => q.body.options.num_ctx)).size, 1);
  });

  it('a known family without insert: raw with its FIM tokens and stop tokens; snippets labelled with their paths', async () => {
    double.enqueue({ tokens: ['return ', 'a + b;', '<|endoftext|>', 'junk'] });
    const r = await engine.complete!({ ...base, model: 'qwen2.5-coder:1.5b-base', path: 'src/add.ts', snippets: [{ path: 'src/sub.ts', text: 'export const sub = 1;' }] });
    assert.equal(r.text, 'return a + b;', 'the double stops at the stop token, as Ollama does');
    assert.equal(r.prompt, 'qwen-coder');
    const gen = double.requestsTo('/api/generate')[0]!.body;
    assert.equal(gen.raw, true);
    assert.equal(gen.suffix, undefined);
    assert.ok(gen.prompt.includes('<|file_sep|>src/sub.ts\nexport const sub = 1;'));
    assert.ok(gen.prompt.endsWith(`<|file_sep|>src/add.ts\n<|fim_prefix|>${base.prefix}<|fim_suffix|>${base.suffix}<|fim_middle|>`));
    assert.ok(gen.options.stop.includes('<|endoftext|>') && gen.options.stop.includes('<|fim_prefix|>'));
  });

  it('a chat model with neither: a capability error that says what to do, and nothing is sent', async () => {
    await assert.rejects(engine.complete!({ ...base, model: 'llama3.2:3b' }), (e: unknown) => isGatewayError(e) && e.code === 'capability' && /cannot fill in the middle/.test(e.message) && /qwen2\.5-coder/.test(e.message));
    assert.equal(double.requestsTo('/api/generate').length, 0);
  });

  it('a thinking model is asked not to think', async () => {
    double.enqueue({ tokens: ['1'] });
    const r = await engine.complete!({ ...base, model: 'think-coder' });
    assert.equal(double.requestsTo('/api/generate')[0]!.body.think, false);
    assert.equal(r.text, '1');
  });

  it('a 10,000-token answer is capped by num_predict (finish length)', async () => {
    double.enqueue({ tokens: Array.from({ length: 10_000 }, (_, i) => `t${i} `) });
    const r = await engine.complete!({ ...base, model: 'coder-fim', maxTokens: 50 });
    assert.equal(r.finish, 'length');
    assert.equal(r.text.split(' ').filter(Boolean).length, 50);
  });

  it('a server that ignores the cap: `enough` stops reading and the request is closed upstream', async () => {
    double.enqueue({ tokens: Array.from({ length: 10_000 }, (_, i) => `t${i} `), ignoreNumPredict: true, tokenDelayMs: 1 });
    const r = await engine.complete!({ ...base, model: 'coder-fim', maxTokens: 50, enough: (t) => t.length > 200 });
    assert.equal(r.finish, 'enough');
    assert.ok(r.text.length > 200 && r.text.length < 1000);
    const closed = await double.waitForClientClose((q) => q.path === '/api/generate');
    assert.ok(closed.clientClosedAt !== undefined);
  });

  it('an abort closes the request upstream at once and rejects with the reason', async () => {
    double.enqueue({ tokens: Array.from({ length: 500 }, () => 'x'), tokenDelayMs: 20 });
    const ac = new AbortController();
    const p = engine.complete!({ ...base, model: 'coder-fim', signal: ac.signal });
    const req = await double.waitForRequest((q) => q.path === '/api/generate');
    await new Promise((r) => setTimeout(r, 60));
    const abortedAt = Date.now();
    ac.abort(new DOMException('superseded', 'AbortError'));
    await assert.rejects(p, (e: Error) => e.name === 'AbortError');
    const closed = await double.waitForClientClose(req.index);
    assert.ok(closed.clientClosedAt! - abortedAt < 500, `closed ${closed.clientClosedAt! - abortedAt} ms after the abort`);
  });

  it('a model that hangs: a timeout error after the completion bound, and the request is closed', async () => {
    double.enqueue({ stallBeforeHeaders: true });
    const started = Date.now();
    await assert.rejects(engine.complete!({ ...base, model: 'coder-fim', timeoutMs: 300 }), (e: unknown) => isGatewayError(e) && e.code === 'timeout');
    assert.ok(Date.now() - started < 5000);
    await double.waitForClientClose((q) => q.path === '/api/generate');
  });

  it('Ollama down: unreachable, with the fix', async () => {
    await double.stop();
    await assert.rejects(engine.complete!({ ...base, model: 'coder-fim' }), (e: unknown) => isGatewayError(e) && e.code === 'unreachable' && /ollama serve/.test(e.message));
  });
});

describe('engine: fill in the middle (OpenAI-compatible)', () => {
  let double: OpenAIDouble;
  let engine: ChatEngine;
  beforeEach(async () => {
    double = await startOpenAIDouble(['starcoder2:3b', 'some-base-model']);
    engine = createEngine({ provider: 'openai', baseUrl: double.url, requestTimeoutMs: 20_000 }, FAST);
  });
  afterEach(async () => {
    await engine.close();
    await double.stop();
  });

  it('/v1/completions: a known family raw with at most four stops; others with `suffix`', async () => {
    double.enqueue({ tokens: ['return ', 'a + b;'] }, { tokens: ['ok'] });
    const a = await engine.complete!({ ...base, model: 'starcoder2:3b' });
    assert.equal(a.text, 'return a + b;');
    assert.equal(a.prompt, 'starcoder');
    const b = await engine.complete!({ ...base, model: 'some-base-model' });
    assert.equal(b.prompt, 'suffix');
    const [ra, rb] = double.requestsTo('/v1/completions');
    assert.equal(ra!.body.prompt, `<fim_prefix>${base.prefix}<fim_suffix>${base.suffix}<fim_middle>`);
    assert.ok(ra!.body.stop.length <= 4 && ra!.body.stop.includes('<fim_prefix>'));
    assert.equal(ra!.body.max_tokens, 64);
    assert.equal(rb!.body.prompt, base.prefix);
    assert.equal(rb!.body.suffix, base.suffix);
  });
});
