import assert from 'node:assert/strict';
import { startOllamaDouble, type OllamaDouble } from '../../double';
import type { ChatEngine } from '../../../src/gateway/engine/types';
import type { GatewayEvent } from '../../../src/shared/events';
import { assertWellFormed, collect, lastOf, ollamaEngine, only, tokensOf, turn } from './helpers';

/**
 * The 100 ms target for closing the upstream socket is measured in
 * bench/cancel.bench.ts; here the bound only proves the close is caused by the
 * cancel (the next token is 10 s away), with room for a loaded CI machine.
 */
const CLOSE_BOUND_MS = 1000;

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

describe('Ollama chat engine: cancel', function () {
  this.timeout(20_000);
  let double: OllamaDouble;
  let engine: ChatEngine;
  beforeEach(async () => {
    double = await startOllamaDouble({ models: ['test-model'] });
    engine = ollamaEngine(double.url);
  });
  afterEach(async () => {
    await engine.close();
    await double.stop();
  });

  it('cancel(turnId) mid-stream closes the upstream socket at once and ends with done(cancelled)', async () => {
    double.enqueue({ tokens: ['a', 'b', 'c', 'd'], tokenDelayMs: 10_000 });
    const req = turn();
    const { it, seen } = await readUntil(engine.run(req), (e) => e.type === 'token');
    const cancelledAt = Date.now();
    assert.equal(engine.cancel(req.turnId), true);
    const rec = await double.waitForClientClose();
    assert.ok(rec.clientClosedAt! - cancelledAt <= CLOSE_BOUND_MS, `closed ${rec.clientClosedAt! - cancelledAt} ms after cancel`);
    const events = await rest(it, seen);
    assertWellFormed(events, assert);
    assert.equal(tokensOf(events), 'a');
    assert.equal((lastOf(events) as { finish_reason: string }).finish_reason, 'cancelled');
    assert.equal(only(events, 'error').length, 0);
    assert.equal(engine.cancel(req.turnId), false, 'second cancel is harmless');
  });

  it('cancel while waiting for headers (model loading) closes the socket too', async () => {
    double.enqueue({ tokens: ['late'], firstByteDelayMs: 10_000 });
    const req = turn();
    const events = engine.run(req);
    const collecting = collect(events);
    await double.waitForRequest((r) => r.path === '/api/chat' && r.body !== undefined);
    const cancelledAt = Date.now();
    engine.cancel(req.turnId);
    const rec = await double.waitForClientClose();
    assert.ok(rec.clientClosedAt! - cancelledAt <= CLOSE_BOUND_MS, `closed ${rec.clientClosedAt! - cancelledAt} ms after cancel`);
    const all = await collecting;
    assert.equal((lastOf(all) as { finish_reason: string }).finish_reason, 'cancelled');
  });

  it("the request's AbortSignal cancels like cancel(turnId)", async () => {
    double.enqueue({ tokens: ['a', 'b'], tokenDelayMs: 10_000 });
    const ac = new AbortController();
    const { it, seen } = await readUntil(engine.run(turn({ signal: ac.signal })), (e) => e.type === 'token');
    const at = Date.now();
    ac.abort();
    const rec = await double.waitForClientClose();
    assert.ok(rec.clientClosedAt! - at <= CLOSE_BOUND_MS);
    const events = await rest(it, seen);
    assert.equal((lastOf(events) as { finish_reason: string }).finish_reason, 'cancelled');
  });

  it('a consumer that stops iterating cancels the turn and closes the socket', async () => {
    double.enqueue({ tokens: ['a', 'b', 'c'], tokenDelayMs: 10_000 });
    for await (const e of engine.run(turn())) {
      if (e.type === 'token') break;
    }
    const rec = await double.waitForClientClose();
    assert.ok(rec.clientClosedAt !== undefined);
  });

  it('cancelling after the end, or an unknown turn, is harmless; a pre-aborted signal ends at once', async () => {
    const req = turn();
    const events = await collect(engine.run(req));
    assert.equal((lastOf(events) as { finish_reason: string }).finish_reason, 'stop');
    assert.equal(engine.cancel(req.turnId), false);
    assert.equal(engine.cancel('no-such-turn'), false);
    const ac = new AbortController();
    ac.abort();
    const pre = await collect(engine.run(turn({ signal: ac.signal })));
    assertWellFormed(pre, assert);
    assert.equal((lastOf(pre) as { finish_reason: string }).finish_reason, 'cancelled');
  });

  it('the next turn works after a cancel', async () => {
    double.enqueue({ tokens: ['a', 'b'], tokenDelayMs: 10_000 });
    const req = turn();
    const { it, seen } = await readUntil(engine.run(req), (e) => e.type === 'token');
    engine.cancel(req.turnId);
    await rest(it, seen);
    double.enqueue({ tokens: ['fine'] });
    const next = await collect(engine.run(turn()));
    assert.equal(tokensOf(next), 'fine');
  });
});
