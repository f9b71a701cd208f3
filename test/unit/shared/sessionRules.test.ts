import assert from 'node:assert/strict';
import { chatMessageSchema, DEFAULT_TITLE, interruptedPatch, pruneCandidates, summarize, takesTitleFromFirstQuestion, titleFrom, type SessionSummary } from '../../../src/shared/session';

const summary = (id: string, updated: number, status: SessionSummary['status'] = 'complete'): SessionSummary => ({ id, title: id, created_at: 0, updated_at: updated, status, message_count: 2 });

describe('session rules (one domain for both stores)', () => {
  it('titles a session from its first question, code left out', () => {
    assert.equal(titleFrom('Why is ```js\nx\n``` slow?'), 'Why is slow?');
    assert.equal(titleFrom('   '), DEFAULT_TITLE);
    assert.equal(titleFrom('a'.repeat(100)).length, 60);
    assert.ok(takesTitleFromFirstQuestion({ title: DEFAULT_TITLE, messages: [] }));
    assert.ok(!takesTitleFromFirstQuestion({ title: 'Named', messages: [] }));
  });

  it('summarizes status from the last reply', () => {
    const s = summarize({ id: 'session-01', title: 't', created_at: 1, updated_at: 2, messages: [{ id: 'a1000000', role: 'assistant', content: '', status: 'stopped', created_at: 0 }, { id: 'u1000000', role: 'user', content: 'q', status: 'complete', created_at: 0 }] });
    assert.equal(s.status, 'stopped');
    assert.equal(s.message_count, 2);
    assert.equal(summarize({ id: 'session-01', title: 't', created_at: 1, updated_at: 2, messages: [] }).status, 'empty');
  });

  it('prunes the least recently updated first, never a protected or streaming one', () => {
    const all = [summary('s-000004', 4), summary('s-000001', 1), summary('s-000002', 2, 'streaming'), summary('s-000003', 3)];
    const ids = (list: SessionSummary[]) => list.map((s) => s.id);
    assert.deepEqual(ids(pruneCandidates(all)), ['s-000001', 's-000003', 's-000004']);
    assert.deepEqual(ids(pruneCandidates(all, new Set(['s-000001']))), ['s-000003', 's-000004']);
    assert.deepEqual(ids(pruneCandidates([summary('s-00000b', 5), summary('s-00000a', 5)])), ['s-00000a', 's-00000b'], 'a tie goes by id');
  });

  it('marks a recovered reply interrupted with who stopped', () => {
    assert.equal(interruptedPatch('gateway').status, 'interrupted');
    assert.match(interruptedPatch('editor').error!.message, /VS Code/);
  });

  it('reads the old provider-specific error code stored by 0.1 as the neutral one', () => {
    const m = chatMessageSchema.parse({ id: 'a1000000', role: 'assistant', content: '', status: 'error', created_at: 0, error: { code: 'ollama_unreachable', message: 'x' } });
    assert.equal(m.error?.code, 'unreachable');
  });

  it('keeps attachments when a stored message is read back (schema and type are one)', () => {
    const raw = { id: 'u1000000', role: 'user', content: 'q', status: 'complete', created_at: 0, attachments: [{ kind: 'file', name: 'a', content: 'x', range: { startLine: 1, endLine: 2 } }] };
    assert.deepEqual(chatMessageSchema.parse(raw), raw);
  });
});
