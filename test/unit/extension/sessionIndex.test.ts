import assert from 'node:assert/strict';
import { decodeIndex, encodeIndex, orderSummaries, reconcilePlan, summaryDiffers, trimTitle } from '../../../src/extension/sessions/sessionIndex';
import { sessionsToPrune } from '../../../src/shared/session';
import type { SessionSummary } from '../../../src/shared/session';

const sum = (id: string, over: Partial<SessionSummary> = {}): SessionSummary => ({
  id,
  title: `title ${id}`,
  created_at: 1,
  updated_at: 2,
  status: 'complete',
  message_count: 2,
  ...over,
});

describe('session index', () => {
  it('round-trips summaries, interning models and workspaces', () => {
    const items = [
      sum('aaaaaaaa-1', { model: 'm1', workspace: 'file:///a' }),
      sum('aaaaaaaa-2', { model: 'm1', workspace: 'file:///a', status: 'streaming' }),
      sum('aaaaaaaa-3'),
    ];
    const enc = encodeIndex(items);
    assert.deepEqual(enc.models, ['m1']);
    assert.deepEqual(enc.workspaces, ['file:///a']);
    const dec = decodeIndex(JSON.parse(JSON.stringify(enc)));
    assert.deepEqual([...dec.values()], items);
  });

  it('skips malformed entries instead of throwing', () => {
    const dec = decodeIndex({ v: 1, models: [], workspaces: [], entries: [['BAD ID', 't', 1, 1, 'complete', 0, -1, -1], ['aaaaaaaa-1', 't', 1, 1, 'weird', 0, -1, -1], null, ['aaaaaaaa-2', 't', 1, 1, 'empty', 0, 5, 7]] });
    assert.deepEqual([...dec.keys()], ['aaaaaaaa-2']);
    assert.equal(dec.get('aaaaaaaa-2')?.model, undefined);
    for (const junk of [undefined, null, 3, 'x', { v: 2 }]) assert.equal(decodeIndex(junk).size, 0);
  });

  it('trims titles to one short line', () => {
    assert.equal(trimTitle('  a\n\n b  '), 'a b');
    assert.equal(trimTitle('x'.repeat(300)).length, 80);
  });

  it('orders the current workspace first, then newest first', () => {
    const items = [sum('aaaaaaaa-1', { updated_at: 5 }), sum('aaaaaaaa-2', { updated_at: 1, workspace: 'w' }), sum('aaaaaaaa-3', { updated_at: 9 }), sum('aaaaaaaa-4', { updated_at: 3, workspace: 'w' })];
    assert.deepEqual(orderSummaries(items, 'w').map((s) => s.id), ['aaaaaaaa-4', 'aaaaaaaa-2', 'aaaaaaaa-3', 'aaaaaaaa-1']);
    assert.deepEqual(orderSummaries(items).map((s) => s.id), ['aaaaaaaa-3', 'aaaaaaaa-1', 'aaaaaaaa-4', 'aaaaaaaa-2']);
  });

  it('prunes the least recently updated beyond max, sparing protected ones', () => {
    const items = [1, 2, 3, 4, 5].map((n) => sum(`aaaaaaaa-${n}`, { updated_at: n }));
    assert.deepEqual(sessionsToPrune(items, 3), ['aaaaaaaa-1', 'aaaaaaaa-2']);
    assert.deepEqual(sessionsToPrune(items, 3, new Set(['aaaaaaaa-1'])), ['aaaaaaaa-2', 'aaaaaaaa-3']);
    assert.deepEqual(sessionsToPrune(items, 10), []);
  });

  it('plans reconciliation: files win', () => {
    assert.deepEqual(reconcilePlan(['a', 'b'], ['b', 'c']), { missingFromIndex: ['c'], orphanedEntries: ['a'] });
  });

  it('detects drift between an entry and a transcript summary', () => {
    const s = sum('aaaaaaaa-1');
    assert.equal(summaryDiffers(s, { ...s }), false);
    assert.equal(summaryDiffers(undefined, s), true);
    assert.equal(summaryDiffers(s, { ...s, message_count: 3 }), true);
    assert.equal(summaryDiffers({ ...s, title: trimTitle('y'.repeat(200)) }, { ...s, title: 'y'.repeat(200) }), false);
  });
});
