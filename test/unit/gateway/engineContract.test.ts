/**
 * The engine contract: what every provider's ChatEngine does, run for each
 * provider (providers.ts) against its own test double — phases, coalescing
 * with a leading edge, exactly one `done`, cancel closing the upstream socket,
 * errors mapped in the provider's own words, usage. Provider-specific behaviour
 * lives in engineStream/engineUsage/engineErrors (Ollama) and openai.test.ts.
 *
 * No timed assertions: a first token held back by coalescing is caught by a
 * window far longer than the test's timeout, not by measuring.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { GatewayEvent } from '../../../src/shared/events';
import type { ChatEngine } from '../../../src/gateway/engine/types';
import { assertWellFormed, collect, errorOf, guardUnhandledRejections, lastOf, only, phasesOf, thinkingOf, tokensOf, turn } from './helpers';
import { HARNESSES, type ProviderHarness } from './providers';

/**
 * The 100 ms target for closing the upstream socket is measured in
 * bench/cancel.bench.ts; here the bound only proves the close is caused by the
 * cancel (the next token is 10 s away), with room for a loaded CI machine.
 */
const CLOSE_BOUND_MS = 1000;
/** A coalescing window no test waits out: text it held back would time the test out. */
const HUGE_WINDOW_MS = 60_000;

const finishOf = (events: GatewayEvent[]) => (lastOf(events) as { finish_reason: string }).finish_reason;

/** Iterates until `until` sees an event, returning the iterator to continue with. */
async function readUntil(events: AsyncIterable<GatewayEvent>, until: (e: GatewayEvent) => boolean) {
  const it = events[Symbol.asyncIterator]();
  const seen: GatewayEvent[] = [];
  for (;;) {
    const r = await it.next();
    assert.ok(!r.done, 'stream ended early');
    seen.push(r.value);
    if (until(r.value)) return { it, seen };
  }
}

async function rest(it: AsyncIterator<GatewayEvent>, seen: GatewayEvent[]) {
  for (let r = await it.next(); !r.done; r = await it.next()) seen.push(r.value);
  return seen;
}

/** A loopback port with nothing listening (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

for (const makeHarness of HARNESSES) {
  const h: ProviderHarness = makeHarness();

  describe(`engine contract: ${h.name}`, function () {
    this.timeout(20_000);
    let engine: ChatEngine;
    let guard: ReturnType<typeof guardUnhandledRejections>;
    const extra: ChatEngine[] = [];
    /** An engine with other tuning or config, closed after the test. */
    const engineWith = (...a: Parameters<ProviderHarness['engine']>) => {
      const e = h.engine(...a);
      extra.push(e);
      return e;
    };

    beforeEach(async () => {
      guard = guardUnhandledRejections();
      await h.start();
      engine = h.engine();
    });
    afterEach(async () => {
      await Promise.all([engine.close(), ...extra.splice(0).map((e) => e.close())]);
      await h.stop();
      await new Promise((r) => setImmediate(r));
      guard.dispose();
      assert.deepEqual(guard.rejections, [], 'no unhandled rejections');
    });

    describe('streaming', () => {
      it('streams text as token events, then usage, a final status and exactly one done(stop)', async () => {
        h.enqueue({ tokens: ['Hel', 'lo', ' world'] });
        const events = await collect(engine.run(turn()));
        assertWellFormed(events, assert);
        assert.equal(tokensOf(events), 'Hello world');
        assert.equal(only(events, 'token').length, 3, 'coalescing off: one event per chunk');
        assert.deepEqual(phasesOf(events), ['queued', 'generating']);
        assert.deepEqual(events.slice(-3).map((e) => e.type), ['usage', 'status_update', 'done']);
        const statuses = only(events, 'status_update');
        assert.deepEqual([statuses[0]!.status, statuses[1]!.status, statuses.at(-1)!.status], ['planning', 'executing', 'complete']);
        const u = only(events, 'usage')[0]!;
        assert.equal(u.completion_tokens, 3);
        assert.ok(u.prompt_tokens > 0);
        assert.equal(u.total_tokens, u.prompt_tokens + u.completion_tokens);
        assert.equal(u.cost_usd, 0);
        assert.ok(u.time_to_first_token_ms !== null && u.time_to_first_token_ms >= 0);
        assert.equal(finishOf(events), 'stop');
      });

      it('keeps reasoning apart as thinking, reported before generating', async () => {
        h.enqueue({ thinking: ['Let me ', 'see'], tokens: ['42'] });
        const events = await collect(engine.run(turn({ model: h.thinker, options: { think: true } })));
        assert.equal(thinkingOf(events), 'Let me see');
        assert.equal(tokensOf(events), '42');
        assert.deepEqual(phasesOf(events), ['queued', 'thinking', 'generating']);
      });

      it("maps the server's length end to done(length)", async () => {
        h.enqueue({ tokens: ['x'], finish: 'length' });
        assert.equal(finishOf(await collect(engine.run(turn()))), 'length');
      });

      it('reports the waiting phase while no reply comes, then generating; elapsed_ms never decreases', async () => {
        const e2 = engineWith({ loadingHintMs: 30 });
        h.enqueue({ tokens: ['hi'], firstByteDelayMs: 600 });
        const events = await collect(e2.run(turn()));
        assert.deepEqual(phasesOf(events), ['queued', h.coldWaitingPhase, 'generating']);
        const elapsed = only(events, 'status_update').map((s) => s.elapsed_ms!);
        assert.deepEqual([...elapsed].sort((a, b) => a - b), elapsed);
      });

      it('reports the context window the turn was fitted to (the contextLength setting)', async () => {
        const events = await collect(engine.run(turn({ options: { contextLength: 3000 } })));
        const u = only(events, 'usage')[0]!;
        assert.equal(u.context_window, 3000);
        assert.equal(u.truncated, false);
        assert.equal(u.dropped_messages, 0);
        assert.ok(u.prompt_tokens_estimate! > 0);
      });
    });

    describe('coalescing', () => {
      it('sends the first text at once instead of holding it for the window', async () => {
        const e2 = engineWith({ coalesceMs: HUGE_WINDOW_MS });
        h.enqueue({ tokens: ['first', 'second'], tokenDelayMs: 10_000 });
        const req = turn();
        // Held back, this would wait out the 60 s window (and time the test out).
        const { it, seen } = await readUntil(e2.run(req), (e) => e.type === 'token');
        assert.equal(tokensOf(seen), 'first');
        e2.cancel(req.turnId);
        assert.equal(finishOf(await rest(it, seen)), 'cancelled');
      });

      it('merges text that arrives within the window into fewer events, losing nothing', async () => {
        const e2 = engineWith({ coalesceMs: 50 });
        const tokens = Array.from({ length: 200 }, (_, i) => `t${i} `);
        h.enqueue({ tokens, linesPerWrite: 50 });
        const events = await collect(e2.run(turn()));
        assert.equal(tokensOf(events), tokens.join(''));
        assert.ok(only(events, 'token').length < tokens.length / 4, `${only(events, 'token').length} token events`);
      });

      it('done never overtakes text: what waits in the window goes out before usage and done', async () => {
        const e2 = engineWith({ coalesceMs: HUGE_WINDOW_MS });
        h.enqueue({ tokens: ['a', 'b', 'c', 'd'], linesPerWrite: 10 });
        const events = await collect(e2.run(turn()));
        assertWellFormed(events, assert);
        assert.equal(tokensOf(events), 'abcd');
        const lastToken = events.map((e) => e.type).lastIndexOf('token');
        assert.ok(lastToken < events.findIndex((e) => e.type === 'usage'), 'all text before usage');
      });

      it('never merges thinking into answer text, and keeps their order', async () => {
        const e2 = engineWith({ coalesceMs: 50 });
        h.enqueue({ thinking: ['x', 'y'], tokens: ['1', '2', '3'], linesPerWrite: 10 });
        const events = await collect(e2.run(turn({ model: h.thinker })));
        const kinds = events.filter((e) => e.type === 'thinking' || e.type === 'token').map((e) => e.type);
        assert.ok(kinds.lastIndexOf('thinking') < kinds.indexOf('token'), kinds.join());
        assert.equal(thinkingOf(events), 'xy');
        assert.equal(tokensOf(events), '123');
      });
    });

    describe('cancel', () => {
      it('cancel(turnId) mid-stream closes the upstream socket at once and ends with done(cancelled), text kept', async () => {
        h.enqueue({ tokens: ['a', 'b', 'c', 'd'], tokenDelayMs: 10_000 });
        const req = turn();
        const { it, seen } = await readUntil(engine.run(req), (e) => e.type === 'token');
        const cancelledAt = Date.now();
        assert.equal(engine.cancel(req.turnId), true);
        const rec = await h.waitForClientClose();
        assert.ok(rec.clientClosedAt! - cancelledAt <= CLOSE_BOUND_MS, `closed ${rec.clientClosedAt! - cancelledAt} ms after cancel`);
        const events = await rest(it, seen);
        assertWellFormed(events, assert);
        assert.equal(tokensOf(events), 'a');
        assert.equal(finishOf(events), 'cancelled');
        assert.equal(only(events, 'error').length, 0);
        assert.equal(only(events, 'status_update').at(-1)!.status, 'cancelled');
        assert.equal(engine.cancel(req.turnId), false, 'second cancel is harmless');
      });

      it('cancel while waiting for the first byte (model loading) closes the socket too', async () => {
        h.enqueue({ tokens: ['late'], firstByteDelayMs: 10_000 });
        const req = turn();
        const collecting = collect(engine.run(req));
        await h.waitForChatRequest();
        const cancelledAt = Date.now();
        engine.cancel(req.turnId);
        const rec = await h.waitForClientClose();
        assert.ok(rec.clientClosedAt! - cancelledAt <= CLOSE_BOUND_MS, `closed ${rec.clientClosedAt! - cancelledAt} ms after cancel`);
        assert.equal(finishOf(await collecting), 'cancelled');
      });

      it("the request's AbortSignal cancels like cancel(turnId)", async () => {
        h.enqueue({ tokens: ['a', 'b'], tokenDelayMs: 10_000 });
        const ac = new AbortController();
        const { it, seen } = await readUntil(engine.run(turn({ signal: ac.signal })), (e) => e.type === 'token');
        const at = Date.now();
        ac.abort();
        const rec = await h.waitForClientClose();
        assert.ok(rec.clientClosedAt! - at <= CLOSE_BOUND_MS);
        assert.equal(finishOf(await rest(it, seen)), 'cancelled');
      });

      it('a consumer that stops iterating cancels the turn and closes the socket', async () => {
        h.enqueue({ tokens: ['a', 'b', 'c'], tokenDelayMs: 10_000 });
        for await (const e of engine.run(turn())) {
          if (e.type === 'token') break;
        }
        const rec = await h.waitForClientClose();
        assert.ok(rec.clientClosedAt !== undefined);
      });

      it('cancelling after the end, or an unknown turn, is harmless; a pre-aborted signal ends at once', async () => {
        const req = turn();
        assert.equal(finishOf(await collect(engine.run(req))), 'stop');
        assert.equal(engine.cancel(req.turnId), false);
        assert.equal(engine.cancel('no-such-turn'), false);
        const ac = new AbortController();
        ac.abort();
        const pre = await collect(engine.run(turn({ signal: ac.signal })));
        assertWellFormed(pre, assert);
        assert.equal(finishOf(pre), 'cancelled');
      });

      it('the next turn works after a cancel, and close() cancels what is open', async () => {
        h.enqueue({ tokens: ['a', 'b'], tokenDelayMs: 10_000 });
        const req = turn();
        const { it, seen } = await readUntil(engine.run(req), (e) => e.type === 'token');
        engine.cancel(req.turnId);
        await rest(it, seen);
        h.enqueue({ tokens: ['fine'] });
        assert.equal(tokensOf(await collect(engine.run(turn()))), 'fine');

        h.enqueue({ tokens: ['x', 'y'], tokenDelayMs: 10_000 });
        const open = readUntil(engine.run(turn()), (e) => e.type === 'token');
        const { it: it2, seen: seen2 } = await open;
        await engine.close();
        assert.equal(finishOf(await rest(it2, seen2)), 'cancelled');
        await h.waitForClientClose();
      });
    });

    describe('errors, in the provider’s own words', () => {
      it('an unreachable server is `unreachable`, naming the URL and saying how to start this server', async () => {
        const port = await closedPort();
        const e2 = engineWith({}, { baseUrl: `http://127.0.0.1:${port}` });
        const events = await collect(e2.run(turn()));
        assertWellFormed(events, assert);
        const err = errorOf(events)!;
        assert.equal(err.code, 'unreachable');
        assert.equal(err.retryable, true);
        assert.match(err.message, new RegExp(`127.0.0.1:${port}`));
        assert.match(err.message, h.unreachableHint);
        assert.doesNotMatch(err.message, h.foreignHint);
        assert.equal(finishOf(events), 'error');
        const health = await e2.health();
        assert.equal(health.reachable, false);
        assert.match(health.error!, h.unreachableHint);
      });

      it('the server going away for a turn, then coming back for the next', async () => {
        await h.down();
        const events = await collect(engine.run(turn()));
        assert.equal(errorOf(events)!.code, 'unreachable');
        await h.up();
        h.enqueue({ tokens: ['back'] });
        assert.equal(tokensOf(await collect(engine.run(turn()))), 'back');
      });

      it('an unknown model is `model_not_found`, not retryable', async () => {
        const err = errorOf(await collect(engine.run(turn({ model: 'absent-model' }))))!;
        assert.equal(err.code, 'model_not_found');
        assert.equal(err.retryable, false);
        assert.match(err.message, /absent-model/);
      });

      it('a busy server is retried with backoff and then answers', async () => {
        h.enqueue({ status: 503 }, { status: 503 }, { tokens: ['made it'] });
        const events = await collect(engine.run(turn()));
        assert.equal(tokensOf(events), 'made it');
        assert.equal(only(events, 'error').length, 0);
        assert.equal(h.chatRequests().length, 3);
      });

      it('a server busy beyond the retries is `busy` (retryable)', async () => {
        h.enqueue(...Array.from({ length: 5 }, () => ({ status: 503 })));
        const err = errorOf(await collect(engine.run(turn())))!;
        assert.equal(err.code, 'busy');
        assert.equal(err.retryable, true);
        assert.equal(h.chatRequests().length, 4, '1 try + 3 retries');
      });

      it('a refused request (403) names the server and says what to check', async () => {
        h.enqueue({ status: 403 });
        const err = errorOf(await collect(engine.run(turn())))!;
        assert.equal(err.code, 'upstream_error');
        assert.match(err.message, /403/);
        assert.match(err.message, /headers/);
        assert.doesNotMatch(err.message, h.foreignHint);
      });

      it('a bad request (400) is `bad_request`, not retryable', async () => {
        h.enqueue({ status: 400, errorMessage: 'temperature must be <= 2' });
        const err = errorOf(await collect(engine.run(turn())))!;
        assert.equal(err.code, 'bad_request');
        assert.equal(err.retryable, false);
      });

      it('an error inside the stream is `upstream_error`; the text before it stays', async () => {
        h.enqueue({ tokens: ['one ', 'two ', 'three'], errorAfterTokens: { tokens: 2, message: 'CUDA out of memory' } });
        const events = await collect(engine.run(turn()));
        assertWellFormed(events, assert);
        assert.equal(tokensOf(events), 'one two ');
        assert.equal(errorOf(events)!.code, 'upstream_error');
        assert.match(errorOf(events)!.message, /CUDA out of memory/);
        assert.equal(finishOf(events), 'error');
      });

      it('a stream that ends without its end marker is `truncated` (retryable), text kept, no usage', async () => {
        h.enqueue({ tokens: ['partial ', 'text'], omitEnd: true });
        const events = await collect(engine.run(turn()));
        assert.equal(tokensOf(events), 'partial text');
        assert.equal(errorOf(events)!.code, 'truncated');
        assert.equal(errorOf(events)!.retryable, true);
        assert.equal(only(events, 'usage').length, 0);
        assert.equal(finishOf(events), 'error');
      });

      it('a malformed line is `upstream_error`; the text before it stays', async () => {
        h.enqueue({ tokens: ['a', 'b'], malformedAfterTokens: 1 });
        const events = await collect(engine.run(turn()));
        assert.equal(tokensOf(events), 'a');
        assert.equal(errorOf(events)!.code, 'upstream_error');
      });

      it('a connection reset before any reply is retried once, then it works', async () => {
        h.enqueue({ resetBeforeHeaders: true }, { tokens: ['fine'] });
        const events = await collect(engine.run(turn()));
        assert.equal(tokensOf(events), 'fine');
        assert.equal(only(events, 'error').length, 0);
        assert.equal(h.chatRequests().length, 2);
      });

      it('a connection reset before any reply, twice, is `upstream_error`', async () => {
        h.enqueue({ resetBeforeHeaders: true }, { resetBeforeHeaders: true });
        const events = await collect(engine.run(turn()));
        assert.equal(errorOf(events)!.code, 'upstream_error');
        assert.match(errorOf(events)!.message, /closed unexpectedly/);
        assert.equal(h.chatRequests().length, 2);
      });

      it('a connection reset mid-stream is not retried: `upstream_error`, text kept', async () => {
        h.enqueue({ tokens: ['a', 'b', 'c'], resetAfterTokens: 2 });
        const events = await collect(engine.run(turn()));
        assert.equal(tokensOf(events), 'ab');
        assert.equal(errorOf(events)!.code, 'upstream_error');
        assert.equal(h.chatRequests().length, 1);
      });

      it('nothing within the request timeout is `timeout`, and the socket is closed', async () => {
        const e2 = engineWith({}, { requestTimeoutMs: 600 });
        h.enqueue({ stallBeforeHeaders: true });
        const events = await collect(e2.run(turn()));
        assert.equal(errorOf(events)!.code, 'timeout');
        assert.match(errorOf(events)!.message, /request timeout/);
        assert.equal(finishOf(events), 'error');
        await h.waitForClientClose();
      });

      it('a stall mid-stream times out, keeping the text', async () => {
        const e2 = engineWith({}, { requestTimeoutMs: 800 });
        h.enqueue({ tokens: ['a', 'b', 'c'], stallAfterTokens: 2 });
        const events = await collect(e2.run(turn()));
        assert.equal(tokensOf(events), 'ab');
        assert.equal(errorOf(events)!.code, 'timeout');
      });
    });
  });
}
