import assert from 'node:assert/strict';
import { assertWellFormed, collect, errorOf, lastOf, only, tokensOf, ollamaEngine, turn, withOllama } from './helpers';

const finishOf = (events: { type: string }[]) => (lastOf(events as never) as { finish_reason: string }).finish_reason;

/** Ollama's own errors; those of every provider are in engineContract.test.ts. */
describe('Ollama chat engine: errors users meet', function () {
  this.timeout(20_000);
  const t = withOllama({ models: ['test-model', { name: 'thinker', capabilities: ['completion', 'thinking'] }] });

  for (const wording of ['new', 'old'] as const) {
    it(`maps 404 (${wording} wording) to model_not_found with a pull hint`, async () => {
      t.double.notFoundWording = wording;
      const events = await collect(t.engine.run(turn({ model: 'absent-model' })));
      assertWellFormed(events, assert);
      const err = errorOf(events)!;
      assert.equal(err.code, 'model_not_found');
      assert.match(err.message, /ollama pull absent-model/);
      assert.equal(err.retryable, false);
      assert.equal(finishOf(events), 'error');
    });
  }

  it('maps a 404 from /api/chat itself (model removed after /api/show) to model_not_found', async () => {
    t.double.enqueue({ status: 404, errorMessage: `model "test-model" not found, try pulling it first` });
    const events = await collect(t.engine.run(turn()));
    assert.equal(errorOf(events)!.code, 'model_not_found');
  });

  it('cancel during the 503 backoff ends with done(cancelled)', async () => {
    const slow = ollamaEngine(t.double.url, { busyRetryDelaysMs: [10_000] });
    try {
      t.double.failNext(5, 503);
      const req = turn();
      const pending = collect(slow.run(req));
      await t.double.waitForRequest((r) => r.path === '/api/chat' && r.status === 503);
      slow.cancel(req.turnId);
      assert.equal(finishOf(await pending), 'cancelled');
    } finally {
      await slow.close();
    }
  });

  it('retries once without think on a "does not support thinking" 400, and remembers the model', async () => {
    // /api/show fails, so the engine does not know the capabilities and tries think.
    t.double.routeFault('/api/show', { status: 500 });
    const events = await collect(t.engine.run(turn({ options: { think: true } })));
    assert.equal(finishOf(events), 'stop');
    assert.ok(tokensOf(events).startsWith('You said:'));
    const chats = t.double.requestsTo('/api/chat');
    assert.equal(chats.length, 2);
    assert.equal(chats[0]!.body.think, true);
    assert.equal(chats[0]!.status, 400);
    assert.equal('think' in chats[1]!.body, false);
    await collect(t.engine.run(turn({ options: { think: true } })));
    assert.equal(t.double.requestsTo('/api/chat').length, 3);
    assert.equal('think' in t.double.requestsTo('/api/chat')[2]!.body, false, 'remembered: not sent again');
  });

  it('does not send think to a model whose capabilities (from /api/show) lack thinking', async () => {
    await collect(t.engine.run(turn({ options: { think: true } })));
    const chats = t.double.requestsTo('/api/chat');
    assert.equal(chats.length, 1);
    assert.equal('think' in chats[0]!.body, false);
  });

  it('maps a bad option type (500) to bad_request', async () => {
    t.double.enqueue({ status: 500, errorMessage: 'json: cannot unmarshal string into Go struct field Options.num_ctx of type int' });
    const events = await collect(t.engine.run(turn()));
    assert.equal(errorOf(events)!.code, 'bad_request');
    assert.equal(errorOf(events)!.retryable, false);
  });

  it('maps another 400 capability error to capability', async () => {
    t.double.enqueue({ status: 400, errorMessage: '"test-model" does not support tools' });
    const events = await collect(t.engine.run(turn()));
    assert.equal(errorOf(events)!.code, 'capability');
  });

  it('reports an unresolvable host as unreachable', async () => {
    const e2 = ollamaEngine('http://hearth-no-such-host.invalid:11434');
    try {
      const err = errorOf(await collect(e2.run(turn())))!;
      assert.equal(err.code, 'unreachable');
    } finally {
      await e2.close();
    }
  });

  it('late headers: a first byte later than the loading hint (but within the request timeout) is no timeout', async () => {
    const e2 = ollamaEngine(t.double.url, { loadingHintMs: 50 }, { requestTimeoutMs: 10_000 });
    try {
      t.double.enqueue({ tokens: ['slow ', 'model'], firstByteDelayMs: 1500 });
      const events = await collect(e2.run(turn()));
      assert.equal(only(events, 'error').length, 0);
      assert.equal(tokensOf(events), 'slow model');
      assert.equal(finishOf(events), 'stop');
      const usage = only(events, 'usage')[0]!;
      assert.ok(usage.load_ms !== null && usage.load_ms >= 1500, `load_ms ${usage.load_ms}`);
    } finally {
      await e2.close();
    }
  });

  it('reports a line beyond the hard bound as upstream_error instead of buffering it', async () => {
    const e2 = ollamaEngine(t.double.url, { maxLineChars: 64 * 1024 });
    try {
      t.double.enqueue({ tokens: ['a', 'b'], oversizedLine: { afterTokens: 1, bytes: 256 * 1024 } });
      const events = await collect(e2.run(turn()));
      assert.equal(tokensOf(events), 'a');
      assert.equal(errorOf(events)!.code, 'upstream_error');
      assert.match(errorOf(events)!.message, /longer than|exceeds/);
    } finally {
      await e2.close();
    }
  });

  it('accepts a long (1 MB) line under the default bound', async () => {
    t.double.enqueue({ tokens: ['a'], oversizedLine: { afterTokens: 1, bytes: 1024 * 1024 } });
    const events = await collect(t.engine.run(turn()));
    assert.equal(tokensOf(events).length, 1 + 1024 * 1024);
    assert.equal(finishOf(events), 'stop');
  });

  it('sends the extra headers from the config on every request', async () => {
    const e2 = ollamaEngine(t.double.url, {}, { headers: { Authorization: 'Bearer t0ken', 'X-Proxy': 'yes' } });
    try {
      await collect(e2.run(turn()));
      await e2.listModels();
      for (const r of t.double.requests) {
        assert.equal(r.headers.authorization, 'Bearer t0ken', r.path);
        assert.equal(r.headers['x-proxy'], 'yes');
      }
    } finally {
      await e2.close();
    }
  });
});
