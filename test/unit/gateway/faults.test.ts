/**
 * Fault injection: each fault is injected into the Ollama double during
 * a turn. The engine must end the turn with a clear error (or a successful retry),
 * keep the partial text, never hang, never leave an unhandled rejection, and the
 * next turn must work. The counts are printed at the end and written to
 * test-results/gateway-faults.json for docs/RELIABILITY.md.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ErrorCode, GatewayEvent } from '../../../src/shared/events';
import { type ReplyScript } from '../../double';
import { assertWellFormed, collect, errorOf, guardUnhandledRejections, tokensOf, ollamaEngine, turn, withOllama } from './helpers';

interface FaultResult {
  fault: string;
  outcome: string;
  survived: boolean;
}

const results: FaultResult[] = [];

describe('fault injection: the engine survives what Ollama and the network do', function () {
  this.timeout(30_000);
  let guard: ReturnType<typeof guardUnhandledRejections>;
  const t = withOllama({ models: ['test-model'], tuning: { busyRetryDelaysMs: [20, 40, 80] }, config: { requestTimeoutMs: 1500 } });
  beforeEach(() => {
    guard = guardUnhandledRejections();
  });
  afterEach(async function () {
    await t.engine.close();
    await t.double.stop();
    // Give any stray rejection a chance to surface before judging.
    await new Promise((r) => setImmediate(r));
    guard.dispose();
    assert.deepEqual(guard.rejections, [], 'no unhandled rejections');
  });
  afterEach(async () => {
    const survived = results.filter((r) => r.survived).length;
    console.log(`\n    gateway faults: ${results.length} injected, ${survived} survived`);
    for (const r of results) console.log(`      ${r.survived ? 'ok  ' : 'FAIL'} ${r.fault}: ${r.outcome}`);
    const dir = path.resolve(__dirname, '../../../test-results');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'gateway-faults.json'), JSON.stringify({ injected: results.length, survived, results }, null, 2));
  });

  /** Runs a faulty turn, checks it, then checks the next turn works. */
  async function inject(
    fault: string,
    script: ReplyScript | (() => Promise<GatewayEvent[]>),
    expect: { code?: ErrorCode; text?: string; finish: 'stop' | 'error' },
  ): Promise<GatewayEvent[]> {
    let outcome = 'threw';
    let survived = false;
    try {
      let events: GatewayEvent[];
      if (typeof script === 'function') events = await script();
      else {
        t.double.enqueue(script);
        events = await collect(t.engine.run(turn()));
      }
      assertWellFormed(events, assert);
      const err = errorOf(events);
      const done = events.at(-1) as { finish_reason: string };
      assert.equal(done.finish_reason, expect.finish);
      assert.equal(err?.code, expect.code);
      if (err) assert.ok(err.message.length > 20, 'a message that says something');
      if (expect.text !== undefined) assert.equal(tokensOf(events), expect.text, 'partial text kept');
      outcome = err ? `error ${err.code} (${JSON.stringify(tokensOf(events))} kept)` : `recovered (${JSON.stringify(tokensOf(events))})`;

      // The next turn works.
      t.double.enqueue({ tokens: ['next ', 'turn'] });
      const next = await collect(t.engine.run(turn()));
      assert.equal(tokensOf(next), 'next turn', 'the next turn works');
      survived = true;
      return events;
    } finally {
      results.push({ fault, outcome, survived });
    }
  }

  it('connection reset mid-stream', async () => {
    await inject('connection reset mid-stream', { tokens: ['a', 'b', 'c'], resetAfterTokens: 2 }, { code: 'upstream_error', text: 'ab', finish: 'error' });
  });

  it('connection reset before any reply: retried once, then it works', async () => {
    t.double.enqueue({ resetBeforeHeaders: true });
    await inject('connection reset before headers (retried once)', { tokens: ['fine'] }, { text: 'fine', finish: 'stop' });
    assert.equal(t.double.requestsTo('/api/chat').length, 3, 'reset, retry, next turn');
  });

  it('connection reset before any reply, twice', async () => {
    await inject(
      'connection reset before headers, twice',
      async () => {
        t.double.enqueue({ resetBeforeHeaders: true }, { resetBeforeHeaders: true });
        return collect(t.engine.run(turn()));
      },
      { code: 'upstream_error', text: '', finish: 'error' },
    );
  });

  it('truncated body (half a line, then EOF)', async () => {
    await inject('truncated body', { tokens: ['a', 'b', 'c'], truncateAfterTokens: 2 }, { code: 'truncated', text: 'ab', finish: 'error' });
  });

  it('stream ends without done:true', async () => {
    await inject('missing done line', { tokens: ['a', 'b'], omitDone: true }, { code: 'truncated', text: 'ab', finish: 'error' });
  });

  it('stall before the first byte, longer than the client timeout', async () => {
    await inject('stall before first byte', { stallBeforeHeaders: true }, { code: 'timeout', text: '', finish: 'error' });
    assert.ok(t.double.requestsTo('/api/chat')[0]!.clientClosedAt, 'the stalled request was closed');
  });

  it('stall mid-stream', async () => {
    await inject('stall mid-stream', { tokens: ['a', 'b', 'c'], stallAfterTokens: 1 }, { code: 'timeout', text: 'a', finish: 'error' });
  });

  it('a burst of 503s, then success', async () => {
    t.double.failNext(3, 503);
    await inject('503 burst (3) then success', { tokens: ['ok'] }, { text: 'ok', finish: 'stop' });
  });

  it('503s beyond the retries', async () => {
    await inject(
      '503 burst beyond retries (4)',
      async () => {
        t.double.failNext(4, 503);
        return collect(t.engine.run(turn()));
      },
      { code: 'busy', text: '', finish: 'error' },
    );
  });

  it('a malformed line mid-stream', async () => {
    await inject('malformed line', { tokens: ['a', 'b'], malformedAfterTokens: 1 }, { code: 'upstream_error', text: 'a', finish: 'error' });
  });

  it('an oversized line (beyond the hard bound)', async () => {
    const small = ollamaEngine(t.double.url, { maxLineChars: 256 * 1024 }, { requestTimeoutMs: 5000 });
    try {
      await inject(
        'oversized line (1 MB > 256 KB bound)',
        async () => {
          t.double.enqueue({ tokens: ['a', 'b'], oversizedLine: { afterTokens: 1, bytes: 1024 * 1024 } });
          return collect(small.run(turn()));
        },
        { code: 'upstream_error', text: 'a', finish: 'error' },
      );
    } finally {
      await small.close();
    }
  });

  it('a mid-stream {"error"} line', async () => {
    await inject('mid-stream error line', { tokens: ['a', 'b'], errorAfterTokens: { tokens: 1, message: 'model runner crashed' } }, { code: 'upstream_error', text: 'a', finish: 'error' });
  });

  it('Ollama goes away mid-stream and comes back', async () => {
    await inject(
      'Ollama gone mid-stream, back for the next turn',
      async () => {
        t.double.enqueue({ tokens: ['a', 'b', 'c'], tokenDelayMs: 10_000 });
        const it = t.engine.run(turn())[Symbol.asyncIterator]();
        const events: GatewayEvent[] = [];
        // Read up to the first token, then take the server down.
        for (let r = await it.next(); !r.done; r = await it.next()) {
          events.push(r.value);
          if (r.value.type === 'token') break;
        }
        await t.double.stop();
        for (let r = await it.next(); !r.done; r = await it.next()) events.push(r.value);
        await t.double.start();
        return events;
      },
      { code: 'upstream_error', text: 'a', finish: 'error' },
    );
  });

  it('Ollama down for a turn, back for the next', async () => {
    await inject(
      'Ollama down for a whole turn',
      async () => {
        await t.double.stop();
        const events = await collect(t.engine.run(turn()));
        await t.double.start();
        return events;
      },
      { code: 'unreachable', text: '', finish: 'error' },
    );
  });
});
