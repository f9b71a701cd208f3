import assert from 'node:assert/strict';
import { TurnEmitter, type WindowTimers } from '../../../src/gateway/engine/turnEmitter';
import { GatewayError } from '../../../src/gateway/engine/errors';
import type { GatewayEvent } from '../../../src/shared/events';

function emitter(coalesceMs = 0, onConsumerGone = () => {}, timers?: WindowTimers, coalesceMaxChars = 1000) {
  return new TurnEmitter({ sessionId: 's-1', messageId: 'm-1', coalesceMs, coalesceMaxChars, startedAt: performance.now(), onConsumerGone, ...(timers ? { timers } : {}) });
}

/** A window clock the test moves by hand: nothing ends a window unless the test says so. */
class ManualTimers implements WindowTimers {
  private pending = new Map<number, () => void>();
  private next = 1;
  set(fn: () => void): unknown {
    const id = this.next++;
    this.pending.set(id, fn);
    return id;
  }
  clear(h: unknown): void {
    this.pending.delete(h as number);
  }
  get open(): number {
    return this.pending.size;
  }
  /** Ends every open window. */
  fire(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const f of due) f();
  }
}

/** The next event if one is already queued, else 'nothing yet' (no timer can fire meanwhile: they are manual). */
async function ready(it: AsyncIterator<GatewayEvent>): Promise<GatewayEvent | 'nothing yet'> {
  let settled: IteratorResult<GatewayEvent> | undefined;
  const p = it.next().then((r) => (settled = r));
  await new Promise((r) => setImmediate(r));
  if (!settled) {
    pendingNext.set(it, p);
    return 'nothing yet';
  }
  return settled.done ? 'nothing yet' : settled.value;
}
/** A next() still waiting from ready(): the following read continues it. */
const pendingNext = new WeakMap<AsyncIterator<GatewayEvent>, Promise<IteratorResult<GatewayEvent>>>();
async function nextOf(it: AsyncIterator<GatewayEvent>): Promise<GatewayEvent | undefined> {
  const p = pendingNext.get(it) ?? it.next();
  pendingNext.delete(it);
  const r = await p;
  return r.done ? undefined : r.value;
}
const text = (e: GatewayEvent | 'nothing yet' | undefined) => (e && e !== 'nothing yet' && (e.type === 'token' || e.type === 'thinking') ? `${e.type}:${e.content}` : e === 'nothing yet' ? e : e?.type);

async function drain(e: TurnEmitter): Promise<GatewayEvent[]> {
  const out: GatewayEvent[] = [];
  for await (const ev of e) out.push(ev);
  return out;
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TurnEmitter', () => {
  it('starts with a status_update carrying the ids, and ends with one done after a final status', async () => {
    const e = emitter();
    e.setPhase('queued');
    e.text('token', 'a');
    e.finish('stop');
    e.finish('error'); // ignored
    e.text('token', 'late'); // ignored
    const events = await drain(e);
    assert.deepEqual(events[0], { type: 'status_update', status: 'planning', phase: 'queued', session_id: 's-1', message_id: 'm-1', elapsed_ms: (events[0] as { elapsed_ms: number }).elapsed_ms });
    assert.deepEqual(events.slice(1).map((x) => x.type), ['token', 'status_update', 'done']);
    assert.deepEqual(events.at(-1), { type: 'done', session_id: 's-1', message_id: 'm-1', finish_reason: 'stop' });
  });

  it('phases only move forward', async () => {
    const e = emitter();
    e.setPhase('queued');
    e.setPhase('generating');
    e.setPhase('thinking');
    e.setPhase('generating');
    e.finish('stop');
    const phases = (await drain(e)).flatMap((x) => (x.type === 'status_update' && x.phase ? [x.phase] : []));
    assert.deepEqual(phases, ['queued', 'generating']);
  });

  it('a lagging consumer gets bigger events rather than a longer queue', async () => {
    const e = emitter(1);
    e.setPhase('queued');
    for (let i = 0; i < 50; i++) {
      e.text('token', `${i},`);
      if (i % 10 === 9) await tick(5); // let the window flush several times
    }
    e.error(new GatewayError('truncated', 'cut', true));
    e.finish('error');
    const events = await drain(e);
    const tokens = events.filter((x) => x.type === 'token');
    assert.equal(tokens.length, 1);
    assert.equal((tokens[0] as { content: string }).content, Array.from({ length: 50 }, (_, i) => `${i},`).join(''));
    assert.deepEqual(events.map((x) => x.type), ['status_update', 'token', 'error', 'status_update', 'done']);
  });

  it('reports a consumer that stops early, once, and not one that read to the end', async () => {
    let gone = 0;
    const e = emitter(0, () => gone++);
    e.setPhase('queued');
    e.text('token', 'a');
    for await (const ev of e) if (ev.type === 'token') break;
    assert.equal(gone, 1);
    e.finish('cancelled');
    assert.equal(gone, 1);

    let gone2 = 0;
    const f = emitter(0, () => gone2++);
    f.finish('stop');
    await drain(f);
    assert.equal(gone2, 0);
  });

  describe('leading-edge coalescing', () => {
    function started(t = new ManualTimers(), maxChars = 1000) {
      const e = emitter(16, () => {}, t, maxChars);
      e.setPhase('queued');
      const it = e[Symbol.asyncIterator]();
      return { e, it, t };
    }

    it('sends the first text of a turn at once, without waiting for the window', async () => {
      const { e, it } = started();
      assert.equal((await nextOf(it))?.type, 'status_update');
      e.text('token', 'Hel');
      assert.equal(text(await ready(it)), 'token:Hel');
    });

    it('merges text that follows within the window into one event, sent when the window ends', async () => {
      const { e, it, t } = started();
      await nextOf(it);
      e.text('token', 'a');
      assert.equal(text(await ready(it)), 'token:a');
      e.text('token', 'b');
      e.text('token', 'c');
      assert.equal(await ready(it), 'nothing yet', 'held within the window');
      t.fire();
      assert.equal(text(await nextOf(it)), 'token:bc');
    });

    it('a steady stream gets at most one event per window; the first text after a pause goes out at once', async () => {
      const { e, it, t } = started();
      await nextOf(it);
      e.text('token', '1');
      assert.equal(text(await ready(it)), 'token:1');
      e.text('token', '2');
      t.fire(); // '2' goes out, a new window opens
      assert.equal(text(await nextOf(it)), 'token:2');
      e.text('token', '3');
      assert.equal(await ready(it), 'nothing yet', 'still inside the second window');
      t.fire();
      assert.equal(text(await nextOf(it)), 'token:3');
      t.fire(); // a window with nothing waiting closes
      assert.equal(t.open, 0);
      e.text('token', '4');
      assert.equal(text(await ready(it)), 'token:4', 'after a pause: a leading edge again');
    });

    it('text the consumer has not taken yet grows that event instead of waiting', async () => {
      const { e, it } = started();
      await nextOf(it);
      e.text('token', 'a');
      e.text('token', 'b'); // the consumer has not read 'a' yet
      assert.equal(text(await ready(it)), 'token:ab');
    });

    it('done never overtakes text: what waits in the window goes out before the final status and done', async () => {
      const { e, it, t } = started();
      await nextOf(it);
      e.text('token', 'a');
      await nextOf(it);
      e.text('token', 'b');
      e.usage({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3, cost_usd: 0, tokens_per_second: null, time_to_first_token_ms: null, load_ms: null, context_window: null, context_used: 3, truncated: false });
      e.finish('stop');
      assert.equal(t.open, 0, 'no window left open');
      const rest: (string | undefined)[] = [];
      for (let ev = await nextOf(it); ev; ev = await nextOf(it)) rest.push(text(ev));
      assert.deepEqual(rest, ['token:b', 'usage', 'status_update', 'done']);
    });

    it('an error or a new phase flushes waiting text first, and the text after it is a leading edge', async () => {
      const { e, it } = started();
      await nextOf(it);
      e.text('thinking', 'x');
      await nextOf(it);
      e.text('thinking', 'y');
      e.setPhase('generating');
      e.text('token', '1');
      assert.equal(text(await nextOf(it)), 'thinking:y');
      assert.equal(text(await nextOf(it)), 'status_update');
      assert.equal(text(await ready(it)), 'token:1', 'the first answer text is not held for the window');
    });

    it('never merges thinking into answer text', async () => {
      const { e, it, t } = started();
      await nextOf(it);
      e.text('thinking', 'x');
      e.text('thinking', 'y');
      e.text('token', '1');
      e.text('token', '2');
      t.fire();
      e.finish('stop');
      const seen: (string | undefined)[] = [];
      for (let ev = await nextOf(it); ev; ev = await nextOf(it)) seen.push(text(ev));
      assert.deepEqual(seen, ['thinking:xy', 'token:12', 'status_update', 'done']);
    });

    it('flushes early once the window holds coalesceMaxChars', async () => {
      const { e, it } = started(new ManualTimers(), 4);
      await nextOf(it);
      e.text('token', 'a');
      await nextOf(it);
      e.text('token', 'bc');
      assert.equal(await ready(it), 'nothing yet');
      e.text('token', 'de');
      assert.equal(text(await nextOf(it)), 'token:bcde');
    });

    it('a consumer that leaves clears the window', async () => {
      const { e, it, t } = started();
      await nextOf(it);
      e.text('token', 'a');
      await it.return!();
      assert.equal(t.open, 0);
      e.text('token', 'b');
      assert.equal(t.open, 0, 'nothing is sent to a consumer that left');
    });
  });

  it('wakes a waiting consumer when events arrive later', async () => {
    const e = emitter();
    e.setPhase('queued');
    const p = drain(e);
    await tick(5);
    e.text('token', 'x');
    await tick(5);
    e.finish('stop');
    assert.deepEqual((await p).map((x) => x.type), ['status_update', 'token', 'status_update', 'done']);
  });
});
