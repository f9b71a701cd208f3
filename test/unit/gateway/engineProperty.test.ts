/**
 * Property: however Ollama's bytes are cut into writes (inside lines, inside UTF-8
 * code points, several lines per write), the engine produces the same events
 * (with coalescing off; times normalised).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { GatewayEvent } from '../../../src/shared/events';
import { type ReplyScript } from '../../double';
import { collect, thinkingOf, tokensOf, turn, withOllama } from './helpers';

/** Drops what depends on the clock or on model-load bookkeeping. */
function normalise(events: GatewayEvent[]): unknown[] {
  return events.map((e) => {
    switch (e.type) {
      case 'status_update': {
        const { elapsed_ms: _e, session_id: _s, message_id: _m, ...rest } = e;
        return rest;
      }
      case 'usage': {
        const { time_to_first_token_ms: _t, load_ms: _l, ...rest } = e;
        return rest;
      }
      case 'done': {
        const { message_id: _m, ...rest } = e;
        return rest;
      }
      default:
        return e;
    }
  });
}

describe('Ollama engine: property — any chunking gives the same events', function () {
  this.timeout(120_000);
  const t = withOllama({ models: [{ name: 'test-model', capabilities: ['completion', 'thinking'] }], tuning: { coalesceMs: 0 }, once: true });

  const text = fc.string({ unit: fc.constantFrom('a', 'b', ' ', 'é', '🔥', '世', '<', '>', '&', '"', '\\', '\n'), minLength: 1, maxLength: 6 });

  it('holds for random tokens, thinking, ends and cut points', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(text, { minLength: 1, maxLength: 12 }),
        fc.array(text, { maxLength: 4 }),
        fc.constantFrom<ReplyScript['doneReason']>('stop', 'length', null),
        fc.boolean(),
        fc.array(fc.nat(4000), { minLength: 1, maxLength: 25 }),
        async (tokens, thinking, doneReason, omitDone, cuts) => {
          const script: ReplyScript = { tokens, thinking, doneReason, omitDone, evalDurationNs: 1e9, promptEvalCount: 7 };
          t.double.enqueue({ ...script, chunking: { kind: 'line' } });
          const refEvents = await collect(t.engine.run(turn()));
          assert.equal(tokensOf(refEvents), tokens.join(''));
          assert.equal(thinkingOf(refEvents), thinking.join(''));
          const reference = normalise(refEvents);
          t.double.enqueue({ ...script, chunking: { kind: 'cuts', at: cuts } });
          const cut = normalise(await collect(t.engine.run(turn())));
          assert.deepEqual(cut, reference);
          t.double.enqueue({ ...script, chunking: { kind: 'bytes', size: 1 + (cuts[0]! % 7) } });
          assert.deepEqual(normalise(await collect(t.engine.run(turn()))), reference);
        },
      ),
      { numRuns: 40 },
    );
  });
});
