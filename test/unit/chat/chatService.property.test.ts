/**
 * Property: any sequence of send / cancel-at-a-random-point / new chat / delete
 * over FileSessionStore + ChatService never loses or duplicates a message, and a
 * cancelled reply stores exactly the text streamed before the cancel.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import fc from 'fast-check';
import { createChatService } from '../../../src/gateway/chat/chatService';
import type { SequencedEvent } from '../../../src/gateway/chat/types';
import { FileSessionStore } from '../../../src/gateway/sessions/fileStore';
import { FakeEngine } from '../../support/fakeEngine';
import { tempDir, until } from './helpers';

type Op =
  | { kind: 'send'; target: number; content: string; tokens: string[]; cancelAt: number | null }
  | { kind: 'newChat' }
  | { kind: 'delete'; target: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      target: fc.nat(6),
      content: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== ''),
      tokens: fc.array(fc.string({ minLength: 1, maxLength: 6 }), { maxLength: 10 }),
      cancelAt: fc.option(fc.nat(10), { nil: null }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'newChat' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), target: fc.nat(6) }) },
);

interface ModelMsg {
  role: string;
  content: string;
  status: string;
}

describe('ChatService + FileSessionStore (property)', function () {
  this.timeout(120_000);

  it('never loses or duplicates a message; a cancel keeps exactly the streamed text', async () => {
    let cancels = 0;
    let turns = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
        const dir = await tempDir('hearth-prop-');
        const store = new FileSessionStore({ dir, fsync: false });
        const engine = new FakeEngine();
        const service = createChatService({ store, engine, settings: () => ({}), flushIntervalMs: 1 });
        const model = new Map<string, ModelMsg[]>();
        const order: string[] = [];
        try {
          for (const op of ops) {
            if (op.kind === 'newChat') {
              const s = await store.create({});
              model.set(s.id, []);
              order.push(s.id);
            } else if (op.kind === 'delete') {
              const id = order[op.target];
              if (!id) continue;
              assert.equal(await store.delete(id), true);
              model.delete(id);
              order.splice(op.target, 1);
            } else {
              const existing = order[op.target];
              engine.scripts.push({ tokens: op.tokens, manual: true });
              const turn = await service.send({ ...(existing ? { sessionId: existing } : {}), content: op.content, model: 'm' });
              turns++;
              if (!existing) {
                model.set(turn.sessionId, []);
                order.push(turn.sessionId);
              }
              const seen: SequencedEvent[] = [];
              const following = (async () => {
                for await (const e of turn.events()) seen.push(e);
              })();
              const streamedTokens = () => seen.filter((e) => e.event.type === 'token').length;
              let expected: ModelMsg;
              if (op.cancelAt !== null && op.cancelAt < op.tokens.length) {
                cancels++;
                engine.release(op.cancelAt);
                await until(() => streamedTokens() === op.cancelAt, 'tokens before the cancel');
                assert.equal(service.cancel(turn.sessionId), true);
                assert.equal(await turn.finished, 'cancelled');
                expected = { role: 'assistant', content: op.tokens.slice(0, op.cancelAt).join(''), status: 'stopped' };
              } else {
                engine.release(op.tokens.length);
                assert.equal(await turn.finished, 'stop');
                expected = { role: 'assistant', content: op.tokens.join(''), status: 'complete' };
              }
              await following;
              // Event ids: 1..n, no gap or duplicate, done last.
              assert.deepEqual(seen.map((e) => e.id), seen.map((_, i) => i + 1));
              assert.equal(seen.at(-1)!.event.type, 'done');
              const streamedText = seen.flatMap((e) => (e.event.type === 'token' ? [e.event.content] : [])).join('');
              assert.equal(streamedText, expected.content);
              model.get(turn.sessionId)!.push({ role: 'user', content: op.content, status: 'complete' }, expected);
            }
            // After every step the store equals the model exactly.
            const listed = (await store.list()).map((s) => s.id).sort();
            assert.deepEqual(listed, [...model.keys()].sort());
            for (const [id, msgs] of model) {
              const s = (await store.get(id))!;
              assert.deepEqual(
                s.messages.map((m) => ({ role: m.role, content: m.content, status: m.status })),
                msgs,
              );
              assert.equal(new Set(s.messages.map((m) => m.id)).size, s.messages.length, 'message ids unique');
            }
          }
        } finally {
          await service.dispose();
          await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
        }
      }),
      { numRuns: 40 },
    );
    assert.ok(turns > 0 && cancels > 0, 'the runs exercised turns and cancels');
  });
});
