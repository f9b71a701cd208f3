import assert from 'node:assert/strict';
import { TurnEmitter } from '../../../src/gateway/engine/turnEmitter';
import { GatewayError } from '../../../src/gateway/engine/errors';
import type { GatewayEvent } from '../../../src/shared/events';

function emitter(coalesceMs = 0, onConsumerGone = () => {}) {
  return new TurnEmitter({ sessionId: 's-1', messageId: 'm-1', coalesceMs, coalesceMaxChars: 1000, startedAt: performance.now(), onConsumerGone });
}

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
