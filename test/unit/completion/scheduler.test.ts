/** The latency discipline as a state machine: debounce, one in flight, supersede = abort, cache, typing ahead, no stale result. */
import assert from 'node:assert/strict';
import { CompletionScheduler, type CompletionQuery } from '../../../src/shared/completion/scheduler';

/** A model whose answers the test releases, recording each request's signal. */
class ManualModel {
  readonly calls: { q: CompletionQuery; signal: AbortSignal; resolve(text: string): void; reject(e: unknown): void }[] = [];
  fetch = (q: CompletionQuery, signal: AbortSignal): Promise<string> =>
    new Promise((resolve, reject) => {
      this.calls.push({ q, signal, resolve, reject });
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
}

/** Debounce timers the test fires by hand. */
class ManualTimers {
  readonly waiting: { ms: number; fire(): void }[] = [];
  delay = (ms: number, signal: AbortSignal): Promise<boolean> =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve(false);
      signal.addEventListener('abort', () => resolve(false), { once: true });
      this.waiting.push({ ms, fire: () => resolve(true) });
    });
  fireAll(): void {
    for (const t of this.waiting.splice(0)) t.fire();
  }
}

const tick = () => new Promise((r) => setImmediate(r));

function setup(debounce = 50) {
  const model = new ManualModel();
  const timers = new ManualTimers();
  const s = new CompletionScheduler({ debounceMs: () => debounce, fetch: model.fetch, delay: timers.delay, cacheSize: 3 });
  return { model, timers, s };
}

const q = (prefix: string, suffix = '', editor = 'a.ts'): CompletionQuery => ({ editor, prefix, suffix });

describe('completion scheduler', () => {
  it('debounces: ten keystrokes inside the debounce send one request, for the last position', async () => {
    const { model, timers, s } = setup();
    const outcomes = [];
    let text = 'const x = ';
    for (let i = 0; i < 10; i++) outcomes.push(s.request(q((text += 'a'))));
    await tick();
    timers.fireAll();
    await tick();
    assert.equal(model.calls.length, 1);
    assert.equal(model.calls[0]!.q.prefix, text);
    model.calls[0]!.resolve('bc;');
    const results = await Promise.all(outcomes);
    assert.deepEqual(results.slice(0, 9).map((r) => r.kind === 'none' && r.reason), Array(9).fill('superseded'));
    assert.deepEqual(results[9], { kind: 'show', text: 'bc;', source: 'model' });
    assert.equal(s.stats.started, 1);
    assert.equal(s.stats.cancelledUpstream, 0);
  });

  it('a keystroke aborts the request in flight at once (closed upstream) and its late answer is never shown', async () => {
    const { model, timers, s } = setup();
    const first = s.request(q('let a = '));
    await tick();
    timers.fireAll();
    await tick();
    assert.equal(model.calls.length, 1);
    const second = s.request(q('let a = 1'));
    // Synchronously: the first request's signal aborted as the keystroke arrived.
    assert.equal(model.calls[0]!.signal.aborted, true);
    assert.deepEqual(await first, { kind: 'none', reason: 'superseded' });
    assert.equal(s.stats.cancelledUpstream, 1);
    await tick();
    timers.fireAll();
    await tick();
    assert.equal(model.calls.length, 2);
    assert.equal(s.busy('a.ts'), true);
    model.calls[1]!.resolve('2;');
    assert.deepEqual(await second, { kind: 'show', text: '2;', source: 'model' });
    assert.equal(s.busy('a.ts'), false);
  });

  it('an answer that arrives after the position changed is dropped (stale), but cached for coming back', async () => {
    // A fetch that ignores its signal (a server that answers anyway).
    let release!: (t: string) => void;
    const timers = new ManualTimers();
    const s = new CompletionScheduler({ debounceMs: () => 0, delay: timers.delay, fetch: () => new Promise<string>((r) => (release = r)) });
    const first = s.request(q('x = '));
    await tick();
    timers.fireAll();
    await tick();
    const second = s.request(q('x = 9'));
    release('41');
    assert.deepEqual(await first, { kind: 'none', reason: 'stale' });
    assert.equal(s.stats.staleDropped, 1);
    // Back at the first position: from the cache, no request.
    const back = await s.request(q('x = '));
    assert.deepEqual(back, { kind: 'show', text: '41', source: 'cache' });
    assert.equal(s.stats.cacheHits, 1);
    void second;
  });

  it("VS Code's cancellation drops the request and closes it upstream", async () => {
    const { model, timers, s } = setup();
    const cancel = new AbortController();
    const p = s.request(q('y = '), cancel.signal);
    await tick();
    timers.fireAll();
    await tick();
    cancel.abort();
    assert.equal(model.calls[0]!.signal.aborted, true);
    assert.deepEqual(await p, { kind: 'none', reason: 'cancelled' });
    assert.equal(s.stats.cancelledUpstream, 1);
  });

  it('typing what a shown suggestion predicts consumes it without a request', async () => {
    const { model, timers, s } = setup();
    const p = s.request(q('const total = ', ';'));
    await tick();
    timers.fireAll();
    await tick();
    model.calls[0]!.resolve('items.length');
    assert.equal((await p).kind, 'show');
    assert.deepEqual(await s.request(q('const total = it', ';')), { kind: 'show', text: 'ems.length', source: 'typed-ahead' });
    assert.deepEqual(await s.request(q('const total = items.', ';')), { kind: 'show', text: 'length', source: 'typed-ahead' });
    assert.equal(model.calls.length, 1);
    assert.equal(s.stats.typedAhead, 2);
    // Typing something else: a new request.
    const other = s.request(q('const total = ix', ';'));
    await tick();
    timers.fireAll();
    await tick();
    assert.equal(model.calls.length, 2);
    model.calls[1]!.resolve('');
    assert.deepEqual(await other, { kind: 'none', reason: 'empty' });
  });

  it('editors are independent; the cache is an LRU of its size; a failure shows nothing', async () => {
    const { model, timers, s } = setup();
    const a = s.request(q('a', '', 'one.ts'));
    const b = s.request(q('b', '', 'two.ts'));
    await tick();
    timers.fireAll();
    await tick();
    assert.equal(model.calls.length, 2, 'one in flight per editor, not per window');
    model.calls[0]!.resolve('1');
    model.calls[1]!.reject(new Error('boom'));
    assert.equal((await a).kind, 'show');
    assert.deepEqual(await b, { kind: 'none', reason: 'failed' });
    for (const p of ['c', 'd', 'e']) {
      const r = s.request(q(p, '', 'one.ts'));
      await tick();
      timers.fireAll();
      await tick();
      model.calls.at(-1)!.resolve(p);
      await r;
    }
    // 'a' was the oldest of four in a cache of three.
    s.forgetShown('one.ts');
    const again = s.request(q('a', '', 'one.ts'));
    await tick();
    assert.equal(timers.waiting.length, 1, 'not from the cache: debouncing a new request');
    timers.fireAll();
    await tick();
    model.calls.at(-1)!.resolve('1');
    await again;
    assert.deepEqual(await s.request(q('e', '', 'one.ts')), { kind: 'show', text: 'e', source: 'cache' });
  });

  it('supersede (the text changed under a request) aborts it at once, before any new request', async () => {
    const { model, timers, s } = setup();
    const p = s.request(q('k = '));
    await tick();
    timers.fireAll();
    await tick();
    s.supersede('a.ts');
    assert.equal(model.calls[0]!.signal.aborted, true);
    assert.deepEqual(await p, { kind: 'none', reason: 'superseded' });
    assert.equal(s.stats.cancelledUpstream, 1);
    s.supersede('a.ts'); // nothing in flight: harmless
    s.supersede('other.ts');
    assert.equal(s.stats.cancelledUpstream, 1);
  });

  it('cancelAll and closeEditor stop what is in flight', async () => {
    const { model, timers, s } = setup();
    const p = s.request(q('z'));
    await tick();
    timers.fireAll();
    await tick();
    s.cancelAll();
    assert.equal(model.calls[0]!.signal.aborted, true);
    assert.equal((await p).kind, 'none');
    const p2 = s.request(q('w'));
    await tick();
    s.closeEditor('a.ts');
    assert.deepEqual(await p2, { kind: 'none', reason: 'superseded' });
    assert.equal(model.calls.length, 1, 'the waiting one never left');
  });
});
