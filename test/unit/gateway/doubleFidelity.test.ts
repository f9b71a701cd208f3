/**
 * The Ollama test double, checked with the official `ollama` npm client: if the
 * real client reads the double the way it reads Ollama, tests built on the double
 * exercise the real protocol.
 */
import assert from 'node:assert/strict';
import { Ollama } from 'ollama';
import { startOllamaDouble, type OllamaDouble } from '../../double';

describe('Ollama test double, read by the official ollama client', () => {
  let double: OllamaDouble;
  let client: Ollama;

  beforeEach(async () => {
    double = await startOllamaDouble({
      models: ['plain-model', { name: 'deep-thinker', capabilities: ['completion', 'thinking'], contextLength: 32768, arch: 'qwen3' }],
    });
    client = new Ollama({ host: double.url });
  });
  afterEach(() => double.stop());

  it('streams a chat reply with a final chunk carrying metrics', async () => {
    const parts = [];
    for await (const p of await client.chat({ model: 'plain-model', messages: [{ role: 'user', content: 'hello there' }], stream: true })) {
      parts.push(p);
    }
    assert.equal(parts.map((p) => p.message.content).join(''), 'You said: hello there');
    const last = parts.at(-1)!;
    assert.equal(last.done, true);
    assert.equal(last.done_reason, 'stop');
    assert.ok(last.eval_count > 0);
    assert.ok(last.eval_duration > 0);
    assert.ok(last.prompt_eval_count > 0);
    assert.equal(parts.slice(0, -1).every((p) => !p.done), true);
  });

  it('streams scripted tokens, thinking and Go-escaped <>& intact', async () => {
    double.enqueue({ tokens: ['<b>', ' & ', '</b>'], thinking: ['hmm <', '>'] });
    let content = '';
    let thinking = '';
    for await (const p of await client.chat({ model: 'deep-thinker', messages: [{ role: 'user', content: 'x' }], stream: true })) {
      content += p.message.content;
      thinking += p.message.thinking ?? '';
    }
    assert.equal(content, '<b> & </b>');
    assert.equal(thinking, 'hmm <>');
  });

  it('survives byte-wise chunking inside UTF-8 code points and several lines per write', async () => {
    double.enqueue({ tokens: ['héllo ', '🔥', ' 世界'], chunking: { kind: 'bytes', size: 1 } });
    let a = '';
    for await (const p of await client.chat({ model: 'plain-model', messages: [{ role: 'user', content: 'x' }], stream: true })) a += p.message.content;
    assert.equal(a, 'héllo 🔥 世界');
    double.enqueue({ tokens: ['a', 'b', 'c', 'd'], chunking: { kind: 'lines', perWrite: 3 } });
    let b = '';
    for await (const p of await client.chat({ model: 'plain-model', messages: [{ role: 'user', content: 'x' }], stream: true })) b += p.message.content;
    assert.equal(b, 'abcd');
  });

  it('answers stream:false with one object shaped like the final chunk', async () => {
    double.enqueue({ tokens: ['one ', 'two'] });
    const r = await client.chat({ model: 'plain-model', messages: [{ role: 'user', content: 'x' }], stream: false });
    assert.equal(r.message.content, 'one two');
    assert.equal(r.done, true);
    assert.equal(r.done_reason, 'stop');
  });

  it('serves generate with response chunks and a context array', async () => {
    const parts = [];
    for await (const p of await client.generate({ model: 'plain-model', prompt: 'ping', stream: true })) parts.push(p);
    assert.equal(parts.map((p) => p.response).join(''), 'You said: ping');
    assert.ok(Array.isArray(parts.at(-1)!.context));
  });

  it('fills in the middle: prompt + suffix for an insert model, 400 "does not support insert" for others', async () => {
    double.addModel({ name: 'coder', capabilities: ['completion', 'insert'] });
    double.enqueue({ tokens: ['return ', 'a + b;'] });
    let text = '';
    let last;
    for await (const p of await client.generate({ model: 'coder', prompt: 'function add(a, b) {\n  ', suffix: '\n}', stream: true, options: { num_predict: 16 } })) {
      text += p.response;
      last = p;
    }
    assert.equal(text, 'return a + b;');
    assert.equal(last!.done, true);
    assert.equal(double.requestsTo('/api/generate').at(-1)!.body.suffix, '\n}');
    assert.deepEqual((await client.show({ model: 'coder' })).capabilities, ['completion', 'insert']);
    await assert.rejects(
      async () => {
        for await (const _ of await client.generate({ model: 'plain-model', prompt: 'a', suffix: 'b', stream: true })) void _;
      },
      (e: Error & { status_code?: number }) => e.status_code === 400 && /does not support insert/.test(e.message),
    );
  });

  it('raw prompts stop at a stop string (not sent) and num_predict caps a 10,000-token answer with done_reason length', async () => {
    double.enqueue({ tokens: ['x = ', '1', '<|endoftext|>', 'junk'] });
    let text = '';
    let reason;
    for await (const p of await client.generate({ model: 'plain-model', prompt: '<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>', raw: true, stream: true, options: { stop: ['<|endoftext|>'] } })) {
      text += p.response;
      reason = p.done_reason;
    }
    assert.equal(text, 'x = 1');
    assert.equal(reason, 'stop');
    assert.equal(double.requestsTo('/api/generate').at(-1)!.body.raw, true);

    double.enqueue({ tokens: Array.from({ length: 10_000 }, (_, i) => `t${i} `) });
    const parts = [];
    for await (const p of await client.generate({ model: 'plain-model', prompt: 'go', stream: true, options: { num_predict: 32 } })) parts.push(p);
    assert.equal(parts.filter((p) => p.response).length, 32);
    assert.equal(parts.at(-1)!.done_reason, 'length');
    assert.equal(parts.at(-1)!.eval_count, 32);
  });

  it('lists, shows, reports loaded models with their context, and the version', async () => {
    const list = await client.list();
    assert.deepEqual(list.models.map((m) => m.name).sort(), ['deep-thinker', 'plain-model']);
    assert.equal(list.models[0]!.details.format, 'gguf');

    const show = await client.show({ model: 'deep-thinker' });
    assert.deepEqual(show.capabilities, ['completion', 'thinking']);
    assert.equal((show.model_info as unknown as Record<string, unknown>)['qwen3.context_length'], 32768);
    assert.equal(typeof show.parameters, 'string');

    assert.deepEqual((await client.ps()).models, []);
    const s = await client.chat({ model: 'plain-model', messages: [{ role: 'user', content: 'x' }], options: { num_ctx: 3072 }, stream: true });
    for await (const _ of s) void _;
    const ps = await client.ps();
    assert.equal(ps.models.length, 1);
    assert.equal(ps.models[0]!.name, 'plain-model');
    assert.equal((ps.models[0] as unknown as { context_length: number }).context_length, 3072);

    assert.equal((await client.version()).version, double.version);
  });

  it('reports pull progress, and an unknown model as an error line in a 200 stream', async () => {
    const statuses: string[] = [];
    let sawCompleted = false;
    for await (const p of await client.pull({ model: 'fresh-model', stream: true })) {
      statuses.push(p.status);
      if (p.completed) sawCompleted = true;
    }
    assert.equal(statuses[0], 'pulling manifest');
    assert.equal(statuses.at(-1), 'success');
    assert.ok(sawCompleted);
    assert.ok((await client.list()).models.some((m) => m.name === 'fresh-model'));

    await assert.rejects(async () => {
      for await (const _ of await client.pull({ model: 'missing-model', stream: true })) void _;
    }, /pull model manifest/);
    assert.equal(double.requestsTo('/api/pull').at(-1)!.status, 200);
  });

  it('deletes a model, and 404s a second delete', async () => {
    await client.delete({ model: 'plain-model' });
    await assert.rejects(client.delete({ model: 'plain-model' }), (e: any) => e.status_code === 404);
  });

  it('gives 404 for a missing model in both wordings', async () => {
    await assert.rejects(client.chat({ model: 'nowhere', messages: [], stream: true }), (e: any) => {
      return e.status_code === 404 && e.error === "model 'nowhere' not found";
    });
    double.notFoundWording = 'old';
    await assert.rejects(client.chat({ model: 'nowhere', messages: [], stream: true }), (e: any) => {
      return e.status_code === 404 && e.error === 'model "nowhere" not found, try pulling it first';
    });
  });

  it('gives 503 busy, 500 for a bad option type, 400 for think on a model without the capability, 400 bad JSON', async () => {
    double.failNext(1, 503);
    await assert.rejects(client.chat({ model: 'plain-model', messages: [], stream: true }), (e: any) => e.status_code === 503 && /server busy/.test(e.error));
    await assert.rejects(
      client.chat({ model: 'plain-model', messages: [], options: { num_ctx: 'big' as unknown as number }, stream: true }),
      (e: any) => e.status_code === 500,
    );
    await assert.rejects(
      client.chat({ model: 'plain-model', messages: [], think: true, stream: true }),
      (e: any) => e.status_code === 400 && e.error === '"plain-model" does not support thinking',
    );
    const bad = await fetch(`${double.url}/api/chat`, { method: 'POST', body: '{nope' });
    assert.equal(bad.status, 400);
    assert.ok(typeof ((await bad.json()) as { error: string }).error === 'string');
  });

  it('sends a mid-stream error as a line with HTTP 200, and can omit the final done line', async () => {
    double.enqueue({ tokens: ['a', 'b', 'c'], errorAfterTokens: { tokens: 2, message: 'runner crashed' } });
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const p of await client.chat({ model: 'plain-model', messages: [], stream: true })) seen.push(p.message.content);
    }, /runner crashed/);
    assert.deepEqual(seen, ['a', 'b']);
    assert.equal(double.requestsTo('/api/chat').at(-1)!.status, 200);

    double.enqueue({ tokens: ['x'], omitDone: true });
    await assert.rejects(async () => {
      for await (const _ of await client.chat({ model: 'plain-model', messages: [], stream: true })) void _;
    }, /Did not receive done/);
  });

  it('reports done_reason length when scripted', async () => {
    double.enqueue({ tokens: ['cut'], doneReason: 'length' });
    let last;
    for await (const p of await client.chat({ model: 'plain-model', messages: [], stream: true })) last = p;
    assert.equal(last!.done_reason, 'length');
  });

  it('records requests (with num_ctx and headers) and when the client closed early', async () => {
    const c2 = new Ollama({ host: double.url, headers: { Authorization: 'Bearer secret' } });
    double.enqueue({ tokens: ['a', 'b', 'c', 'd'], tokenDelayMs: 5_000 });
    const stream = await c2.chat({ model: 'plain-model', messages: [{ role: 'user', content: 'q' }], options: { num_ctx: 1234 }, stream: true });
    const it = stream[Symbol.asyncIterator]();
    await it.next();
    stream.abort();
    const rec = await double.waitForClientClose();
    assert.equal(rec.path, '/api/chat');
    assert.equal(rec.body.options.num_ctx, 1234);
    assert.equal(rec.headers.authorization, 'Bearer secret');
    assert.ok(rec.clientClosedAt! >= rec.receivedAt);
    assert.equal(rec.finishedAt, undefined);
  });

  it('sends no headers before the first token (first-byte delay)', async () => {
    double.enqueue({ tokens: ['late'], firstByteDelayMs: 300 });
    const started = Date.now();
    const pending = client.chat({ model: 'plain-model', messages: [], stream: true });
    const rec = await double.waitForRequest((r) => r.path === '/api/chat');
    assert.equal(rec.status, 0, 'no status line yet');
    const stream = await pending;
    assert.ok(Date.now() - started >= 250);
    let last;
    for await (const p of stream) last = p;
    assert.ok(last!.load_duration >= 250e6);
  });

  it('refuses a foreign Origin with an empty 403, unknown routes with a text 404, and says it is running', async () => {
    const r = await fetch(`${double.url}/api/tags`, { headers: { Origin: 'https://elsewhere.example' } });
    assert.equal(r.status, 403);
    assert.equal(await r.text(), '');
    const ok = await fetch(`${double.url}/api/tags`, { headers: { Origin: 'http://localhost:3000' } });
    assert.equal(ok.status, 200);
    const nf = await fetch(`${double.url}/api/nothing`);
    assert.equal(nf.status, 404);
    assert.match(nf.headers.get('content-type')!, /text\/plain/);
    assert.equal(await (await fetch(`${double.url}/`)).text(), 'Ollama is running');
  });

  it('goes away and comes back on the same port', async () => {
    const url = double.url;
    await double.stop();
    await assert.rejects(client.list());
    await double.start();
    assert.equal(double.url, url);
    assert.equal((await client.list()).models.length, 2);
  });

  it('counts a reload when num_ctx changes between requests', async () => {
    const chat = async (num_ctx: number) => {
      for await (const _ of await client.chat({ model: 'plain-model', messages: [], options: { num_ctx }, stream: true })) void _;
    };
    await chat(2048);
    await chat(2048);
    assert.equal(double.loads('plain-model'), 1);
    await chat(4096);
    assert.equal(double.loads('plain-model'), 2);
  });
  it('embeds through the official client: one normalized vector per input, and 400 for a model that cannot embed', async () => {
    double.addModel({ name: 'all-minilm', capabilities: ['embedding'] });
    const res = await client.embed({ model: 'all-minilm', input: ['find the retry loop', 'render a chart'] });
    assert.equal(res.embeddings.length, 2);
    for (const v of res.embeddings) assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-9);
    assert.notDeepEqual(res.embeddings[0], res.embeddings[1]);
    const show = await client.show({ model: 'all-minilm' });
    assert.deepEqual(show.capabilities, ['embedding']);
    await assert.rejects(client.embed({ model: 'plain-model', input: 'x' }), (e: Error & { status_code?: number }) => e.status_code === 400 && /does not support embeddings/.test(e.message));
  });
});
