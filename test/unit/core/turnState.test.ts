/** The one owner of what a page shows: the open session, the provisional one, the live reply, apply marks. */
import assert from 'node:assert/strict';
import { TurnState } from '../../../src/core/turnState';
import type { ChatMessage, Session } from '../../../src/shared/session';

const T0 = 1_700_000_000_000;
const msg = (id: string, role: ChatMessage['role'], content: string, extra: Partial<ChatMessage> = {}): ChatMessage => ({ id, role, content, status: 'complete', created_at: T0, ...extra });
const session = (id: string, messages: ChatMessage[]): Session => ({ id, title: 't', created_at: T0, updated_at: T0, messages });
const start = (sessionId: string) => ({
  sessionId,
  userMessage: msg('u1', 'user', 'Fix it please'),
  assistantMessage: msg('a1', 'assistant', '', { status: 'streaming' }),
});

describe('TurnState', () => {
  it('a turn in a new chat shows a provisional session (its question) with the live reply laid over it', () => {
    const t = new TurnState();
    const { turn, switched } = t.begin(start('s1'));
    assert.equal(switched, true);
    assert.equal(t.isProvisional, true);
    t.fold(turn, { type: 'token', content: 'Hello' });
    assert.deepEqual(t.session()?.messages.map((m) => [m.id, m.content]), [['u1', 'Fix it please'], ['a1', 'Hello']]);
    assert.equal(t.session()?.title, 'Fix it please');
    assert.deepEqual(t.streaming, { sessionId: 's1', messageId: 'a1' });
  });

  it('the stored copy replaces the provisional one; of two reads only the latest counts, and only for the open session', () => {
    const t = new TurnState();
    t.begin(start('s1'));
    const older = t.startRead('s1');
    const newer = t.startRead('s1');
    assert.equal(t.stored(older, session('s1', [msg('u1', 'user', 'old read')])), false);
    assert.equal(t.stored(newer, session('s1', [msg('u1', 'user', 'Fix it please'), msg('a1', 'assistant', '', { status: 'streaming' })])), true);
    assert.equal(t.isProvisional, false);
    t.show(session('s2', []));
    assert.equal(t.stored(t.startRead('s1'), session('s1', [])), false, 'another chat is open now');
    assert.equal(t.sessionId, 's2');
  });

  it('a turn that ends keeps its reply in the open session until the stored copy is read', () => {
    const t = new TurnState();
    const { turn } = t.begin(start('s1'));
    t.fold(turn, { type: 'token', content: 'Done.' });
    assert.equal(t.end(turn), true);
    assert.equal(t.end(turn), false, 'once');
    assert.equal(t.live, undefined);
    assert.equal(t.session()?.messages[1]?.content, 'Done.');
  });

  it('a mark on the live reply survives later tokens, the end of the turn and a stored copy read before it was stored', () => {
    const t = new TurnState();
    const { turn } = t.begin(start('s1'));
    const read = t.startRead('s1');
    t.fold(turn, { type: 'token', content: '```py\nx = 1\n```\n' });
    assert.deepEqual(t.mark('s1', 'a1', 'k1', 'applied'), { k1: 'applied' });
    t.fold(turn, { type: 'token', content: 'more' });
    assert.deepEqual(t.session()?.messages[1]?.applied, { k1: 'applied' });
    t.end(turn);
    // The store's copy, read before the mark was written.
    t.stored(read, session('s1', [msg('u1', 'user', 'q'), msg('a1', 'assistant', 'final')]));
    assert.deepEqual(t.session()?.messages[1]?.applied, { k1: 'applied' });
    assert.deepEqual(t.marksOf('a1'), { k1: 'applied' });
    t.markStored('a1', { k1: 'applied' });
    assert.equal(t.marksOf('a1'), undefined);
  });

  it('marks add up; a mark recorded while others were being written stays unstored', () => {
    const t = new TurnState();
    t.show(session('s1', [msg('a1', 'assistant', 'x', { applied: { k0: 'rejected' } })]));
    assert.deepEqual(t.mark('s1', 'a1', 'k1', 'applied'), { k0: 'rejected', k1: 'applied' });
    const writing = { ...t.marksOf('a1')! };
    t.mark('s1', 'a1', 'k2', 'applied');
    t.markStored('a1', writing);
    assert.deepEqual(t.marksOf('a1'), { k0: 'rejected', k1: 'applied', k2: 'applied' });
  });

  it('a reply it does not hold is left to the caller, unless the caller read it (its marks so far)', () => {
    const t = new TurnState();
    assert.equal(t.mark('s9', 'a9', 'k', 'applied'), undefined);
    assert.deepEqual(t.mark('s9', 'a9', 'k', 'applied', { old: 'rejected' }), { old: 'rejected', k: 'applied' });
    t.forgetSession('s9');
    assert.equal(t.marksOf('a9'), undefined, 'a deleted session holds nothing');
  });

  it('show says whether the open session changed (what the last-session memory follows)', () => {
    const t = new TurnState();
    assert.equal(t.show(session('s1', [])), true);
    assert.equal(t.show(session('s1', [msg('u', 'user', 'renamed')])), false);
    assert.equal(t.show(null), true);
    assert.equal(t.session(), null);
  });
});
