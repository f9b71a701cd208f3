import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { createChatService } from '../../../src/gateway/chat/chatService';
import { isChatError } from '../../../src/gateway/chat/errors';
import type { ChatService, TurnSettings } from '../../../src/gateway/chat/types';
import { FileSessionStore } from '../../../src/gateway/sessions/fileStore';
import { FakeEngine } from './fakeEngine';
import { collect, tempDir, until } from './helpers';

describe('ChatService', () => {
  let dir: string;
  let store: FileSessionStore;
  let engine: FakeEngine;
  let service: ChatService;
  let settings: TurnSettings;

  beforeEach(async () => {
    dir = await tempDir('hearth-chat-');
    store = new FileSessionStore({ dir, fsync: false });
    engine = new FakeEngine();
    settings = {};
    service = createChatService({ store, engine, settings: () => settings, flushIntervalMs: 10 });
  });
  afterEach(async () => {
    await service.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('stores the user message and a streaming placeholder before the engine is called', async () => {
    let seen: unknown;
    engine.scripts.push({
      tokens: ['a'],
      onStart: async (req) => {
        const s = await store.get(req.sessionId);
        seen = s?.messages.map((m) => [m.role, m.content, m.status, m.id === req.turnId]);
      },
    });
    const turn = await service.send({ content: 'question?', model: 'm1' });
    await turn.finished;
    assert.deepEqual(seen, [
      ['user', 'question?', 'complete', false],
      ['assistant', '', 'streaming', true],
    ]);
  });

  it('a reply another process marked interrupted mid-turn ends complete, without the stale error', async () => {
    engine.scripts.push({ tokens: ['a', 'b'], manual: true });
    const turn = await service.send({ content: 'q', model: 'm1' });
    // A second gateway starting on the same folder runs its start-up recovery now.
    assert.equal(await new FileSessionStore({ dir, fsync: false }).recoverInterrupted(), 1);
    engine.release(2);
    assert.equal(await turn.finished, 'stop');
    const reply = (await new FileSessionStore({ dir, fsync: false }).get(turn.sessionId))!.messages[1]!;
    assert.equal(reply.status, 'complete');
    assert.equal(reply.content, 'ab');
    assert.equal(reply.error, undefined);
  });

  it('streams sequenced events from 1: first carries ids, done last with ids; final state stored', async () => {
    const turn = await service.send({ content: 'hi there', model: 'm1' });
    const events = await collect(turn.events());
    assert.deepEqual(events.map((e) => e.id), events.map((_, i) => i + 1));
    const first = events[0]!.event;
    assert.equal(first.type, 'status_update');
    assert.ok(first.type === 'status_update' && first.session_id === turn.sessionId && first.message_id === turn.assistantMessage.id);
    const last = events.at(-1)!.event;
    assert.deepEqual(last, { type: 'done', session_id: turn.sessionId, message_id: turn.assistantMessage.id, finish_reason: 'stop' });
    assert.deepEqual(events.filter((e) => e.event.type === 'token').map((e) => (e.event as { content: string }).content), ['Hello', ', ', 'world']);
    assert.equal(await turn.finished, 'stop');
    const s = (await store.get(turn.sessionId))!;
    assert.equal(s.title, 'hi there');
    assert.equal(s.model, 'm1');
    const reply = s.messages[1]!;
    assert.equal(reply.content, 'Hello, world');
    assert.equal(reply.status, 'complete');
    assert.equal(reply.finish_reason, 'stop');
    assert.equal(reply.usage?.completion_tokens, 3);
  });

  it('done is published only after the final state is stored', async () => {
    const turn = await service.send({ content: 'x', model: 'm1' });
    for await (const e of turn.events()) {
      if (e.event.type === 'done') assert.equal((await store.get(turn.sessionId))!.messages[1]!.status, 'complete');
    }
  });

  it('sends the session history (without empty or failed replies) plus settings', async () => {
    settings = { systemPrompt: 'be brief', options: { temperature: 0.1 } };
    const t1 = await service.send({ content: 'one', model: 'm1' });
    await t1.finished;
    engine.scripts.push({ tokens: [], error: { code: 'upstream_error', message: 'boom' } });
    await (await service.send({ sessionId: t1.sessionId, content: 'two', model: 'm1' })).finished;
    engine.scripts.push({ tokens: ['partial'], error: { code: 'upstream_error', message: 'boom' } });
    await (await service.send({ sessionId: t1.sessionId, content: 'three', model: 'm1' })).finished;
    await (await service.send({ sessionId: t1.sessionId, content: 'four', model: 'm2' })).finished;
    const req = engine.requests.at(-1)!;
    assert.deepEqual(req.messages, [
      { role: 'user', content: 'one' },
      { role: 'assistant', content: 'Hello, world' },
      { role: 'user', content: 'two' },
      { role: 'user', content: 'three' },
      { role: 'user', content: 'four' },
    ]);
    assert.equal(req.systemPrompt, 'be brief');
    assert.deepEqual(req.options, { temperature: 0.1 });
    assert.equal(req.model, 'm2');
    assert.equal((await store.get(t1.sessionId))!.model, 'm2');
  });

  it('sends no system prompt when none is configured', async () => {
    await (await service.send({ content: 'x', model: 'm1' })).finished;
    assert.equal('systemPrompt' in engine.requests[0]!, false);
  });

  it('flushes partial text while streaming, and keeps exactly the streamed text on cancel', async () => {
    engine.scripts.push({ tokens: ['a', 'b', 'c', 'd'], manual: true });
    const turn = await service.send({ content: 'x', model: 'm1' });
    engine.release(2);
    await until(async () => (await store.get(turn.sessionId))!.messages[1]!.content === 'ab', 'partial flush');
    assert.equal((await store.get(turn.sessionId))!.messages[1]!.status, 'streaming');
    assert.equal(service.cancel(turn.sessionId), true);
    assert.equal(await turn.finished, 'cancelled');
    const reply = (await store.get(turn.sessionId))!.messages[1]!;
    assert.equal(reply.content, 'ab');
    assert.equal(reply.status, 'stopped');
    assert.equal(reply.finish_reason, 'cancelled');
    assert.deepEqual(engine.cancelled, [turn.assistantMessage.id]);
    const events = await collect(turn.events());
    assert.deepEqual(events.at(-1)!.event, { type: 'done', session_id: turn.sessionId, message_id: turn.assistantMessage.id, finish_reason: 'cancelled' });
    assert.equal(service.cancel(turn.sessionId), false);
  });

  it('stores partial text and the error on an engine error', async () => {
    engine.scripts.push({ tokens: ['par', 'tial'], error: { code: 'upstream_error', message: 'model crashed' } });
    const turn = await service.send({ content: 'x', model: 'm1' });
    assert.equal(await turn.finished, 'error');
    const reply = (await store.get(turn.sessionId))!.messages[1]!;
    assert.equal(reply.content, 'partial');
    assert.equal(reply.status, 'error');
    assert.deepEqual(reply.error, { code: 'upstream_error', message: 'model crashed' });
    const types = (await collect(turn.events())).map((e) => e.event.type);
    assert.deepEqual(types.slice(-2), ['error', 'done']);
  });

  it('survives an engine that throws or ends without done', async () => {
    engine.scripts.push({ tokens: ['a'], throwAfterTokens: true });
    const t1 = await service.send({ content: 'x', model: 'm1' });
    assert.equal(await t1.finished, 'error');
    assert.equal((await store.get(t1.sessionId))!.messages[1]!.error?.code, 'internal');
    engine.scripts.push({ tokens: ['b'], omitDone: true });
    const t2 = await service.send({ sessionId: t1.sessionId, content: 'y', model: 'm1' });
    assert.equal(await t2.finished, 'error');
    const events = await collect(t2.events());
    assert.deepEqual(events.slice(-2).map((e) => e.event.type), ['error', 'done']);
    assert.equal((await store.get(t1.sessionId))!.messages[3]!.content, 'b');
  });

  it('allows one open turn per session', async () => {
    engine.scripts.push({ tokens: ['a'], manual: true });
    const turn = await service.send({ content: 'x', model: 'm1' });
    await assert.rejects(service.send({ sessionId: turn.sessionId, content: 'y', model: 'm1' }), (e) => isChatError(e, 'conflict'));
    await assert.rejects(service.storeUserMessage({ sessionId: turn.sessionId, content: 'y', model: 'm1' }), (e) => isChatError(e, 'conflict'));
    await assert.rejects(service.regenerate(turn.sessionId, 'm1'), (e) => isChatError(e, 'conflict'));
    // Another session is not blocked.
    await (await service.send({ content: 'other', model: 'm1' })).finished;
    engine.release(1);
    await turn.finished;
    await (await service.send({ sessionId: turn.sessionId, content: 'y', model: 'm1' })).finished;
    assert.equal((await store.get(turn.sessionId))!.messages.length, 4);
  });

  it('two concurrent sends to one session: exactly one wins', async () => {
    const t = await service.send({ content: 'x', model: 'm1' });
    await t.finished;
    const results = await Promise.allSettled([
      service.send({ sessionId: t.sessionId, content: 'a', model: 'm1' }),
      service.send({ sessionId: t.sessionId, content: 'b', model: 'm1' }),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'fulfilled') await r.value.finished;
    assert.equal((await store.get(t.sessionId))!.messages.length, 4);
  });

  it('events(afterId) resumes without gap or duplicate, for several subscribers, during and after the turn', async () => {
    engine.scripts.push({ tokens: ['a', 'b', 'c', 'd', 'e'], manual: true });
    const turn = await service.send({ content: 'x', model: 'm1' });
    const full = collect(turn.events());
    engine.release(2);
    const it = turn.events(0)[Symbol.asyncIterator]();
    const seen: number[] = [];
    while (seen.length < 3) seen.push((await it.next()).value!.id);
    await it.return?.(undefined);
    const resumed = collect(turn.events(seen.at(-1)));
    engine.release(3);
    const all = await full;
    const rest = await resumed;
    assert.deepEqual([...seen, ...rest.map((e) => e.id)], all.map((e) => e.id));
    const after = await collect(service.turn(turn.sessionId)!.events(2));
    assert.deepEqual(after, all.slice(2));
    assert.deepEqual(await collect(turn.events(all.at(-1)!.id)), []);
  });

  it('reports a replay gap when the asked-for events are no longer buffered', async () => {
    service = createChatService({ store, engine, settings: () => settings, maxBufferedEvents: 4 });
    engine.scripts.push({ tokens: Array.from({ length: 20 }, (_, i) => `t${i}`) });
    const turn = await service.send({ content: 'x', model: 'm1' });
    await turn.finished;
    assert.throws(() => turn.events(1), (e) => isChatError(e, 'replay_gap'));
    // ours + the engine's status, 20 tokens, usage, done = 24 events; the last 2 are still there.
    const tail = await collect(turn.events(22));
    assert.deepEqual(tail.map((e) => [e.id, e.event.type]), [[23, 'usage'], [24, 'done']]);
  });

  it('titles a session from the first user message; renames an empty "New chat" session', async () => {
    const t = await service.send({ content: '```js\ncode\n```\nExplain this   please', model: 'm1' });
    await t.finished;
    assert.equal((await store.get(t.sessionId))!.title, 'Explain this please');
    const empty = await store.create({});
    await (await service.send({ sessionId: empty.id, content: 'Second title', model: 'm1' })).finished;
    assert.equal((await store.get(empty.id))!.title, 'Second title');
  });

  it('two-step form: storeUserMessage, then startReply answers it with the stored model', async () => {
    const { sessionId, messageId } = await service.storeUserMessage({ content: 'stored q', model: 'm9', messageId: 'client-msg-0001' });
    assert.equal(messageId, 'client-msg-0001');
    assert.deepEqual((await store.get(sessionId))!.messages.map((m) => m.role), ['user']);
    const turn = await service.startReply(sessionId);
    assert.equal(turn.userMessage.id, messageId);
    await turn.finished;
    assert.equal(engine.requests[0]!.model, 'm9');
    assert.deepEqual(engine.requests[0]!.messages, [{ role: 'user', content: 'stored q' }]);
    await assert.rejects(service.startReply(sessionId), (e) => isChatError(e, 'conflict'));
    await assert.rejects(service.startReply('nosuchsession-1'), (e) => isChatError(e, 'not_found'));
  });

  it('validates input: content, model, message id shape, duplicate message id, unknown session', async () => {
    await assert.rejects(service.send({ content: '  ', model: 'm' }), (e) => isChatError(e, 'bad_request'));
    await assert.rejects(service.send({ content: 'x', model: '' }), (e) => isChatError(e, 'bad_request'));
    await assert.rejects(service.send({ content: 'x', model: 'm', messageId: '../etc' }), (e) => isChatError(e, 'bad_request'));
    await assert.rejects(service.send({ content: 'x', model: 'm', sessionId: '../../x' }), (e) => isChatError(e, 'not_found'));
    await assert.rejects(service.send({ content: 'x', model: 'm', sessionId: 'abcdefgh-none' }), (e) => isChatError(e, 'not_found'));
    const t = await service.send({ content: 'x', model: 'm', messageId: 'client-msg-0001' });
    await t.finished;
    await assert.rejects(service.send({ sessionId: t.sessionId, content: 'x', model: 'm', messageId: 'client-msg-0001' }), (e) => isChatError(e, 'conflict'));
    assert.equal((await store.get(t.sessionId))!.messages.length, 2);
  });

  it('regenerate replaces the last reply; editLast replaces the last question and its reply', async () => {
    const t = await service.send({ content: 'q1', model: 'm1' });
    await t.finished;
    engine.scripts.push({ tokens: ['again'] });
    await (await service.regenerate(t.sessionId, 'm1')).finished;
    let s = (await store.get(t.sessionId))!;
    assert.deepEqual(s.messages.map((m) => [m.role, m.content]), [['user', 'q1'], ['assistant', 'again']]);
    assert.deepEqual(engine.requests[1]!.messages, [{ role: 'user', content: 'q1' }]);
    engine.scripts.push({ tokens: ['edited answer'] });
    await (await service.editLast(t.sessionId, 'q1 edited', 'm1')).finished;
    s = (await store.get(t.sessionId))!;
    assert.deepEqual(s.messages.map((m) => [m.role, m.content]), [['user', 'q1 edited'], ['assistant', 'edited answer']]);
    assert.equal(s.title, 'q1 edited');
  });

  it('dispose cancels open turns, waits for their final write, and refuses new work', async () => {
    engine.scripts.push({ tokens: ['a', 'b'], manual: true });
    const turn = await service.send({ content: 'x', model: 'm1' });
    engine.release(1);
    await until(async () => (await store.get(turn.sessionId))!.messages[1]!.content === 'a', 'first token stored');
    await service.dispose();
    const reply = (await store.get(turn.sessionId))!.messages[1]!;
    assert.equal(reply.content, 'a');
    await assert.rejects(service.send({ content: 'x', model: 'm1' }), (e) => isChatError(e, 'disposed'));
    // Nobody pressed Stop: the reply is recorded as interrupted (as after a crash), so the UI offers Retry.
    assert.equal(reply.status, 'interrupted');
    assert.equal(reply.error?.code, 'interrupted');
  });

  it('a reply cut off by dispose says who stopped it, and its stream ends with that error', async () => {
    await service.dispose();
    service = createChatService({ store, engine, settings: () => settings, interruptedBy: 'editor' });
    engine.scripts.push({ tokens: ['a', 'b'], manual: true });
    const turn = await service.send({ content: 'x', model: 'm1' });
    engine.release(1);
    const seen: string[] = [];
    const reading = (async () => {
      for await (const { event } of turn.events()) seen.push(event.type === 'done' ? `done:${event.finish_reason}` : event.type);
    })();
    await until(async () => seen.includes('token'), 'first token streamed');
    await service.dispose();
    await reading;
    assert.deepEqual(seen.slice(-2), ['error', 'done:error']);
    const reply = (await store.get(turn.sessionId))!.messages[1]!;
    assert.equal(reply.status, 'interrupted');
    assert.match(reply.error?.message ?? '', /VS Code closed/);
  });

  it('a reply stopped by the user before dispose stays stopped', async () => {
    engine.scripts.push({ tokens: ['a', 'b'], manual: true });
    const turn = await service.send({ content: 'x', model: 'm1' });
    engine.release(1);
    await until(async () => (await store.get(turn.sessionId))!.messages[1]!.content === 'a', 'first token stored');
    service.cancel(turn.sessionId);
    await service.dispose();
    assert.equal((await store.get(turn.sessionId))!.messages[1]!.status, 'stopped');
  });

  it('a turn whose session is deleted mid-stream still ends with done', async () => {
    const logged: string[] = [];
    service = createChatService({ store, engine, settings: () => settings, log: (m) => logged.push(m) });
    engine.scripts.push({ tokens: ['a', 'b'], manual: true });
    const turn = await service.send({ content: 'x', model: 'm1' });
    await store.delete(turn.sessionId);
    engine.release(2);
    assert.equal(await turn.finished, 'stop');
    assert.ok(logged.some((m) => m.includes('could not save')));
  });
});
