import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { createChatService } from '../../../src/gateway/chat/chatService';
import { isChatError } from '../../../src/gateway/chat/errors';
import type { ChatService, TurnSettings } from '../../../src/gateway/chat/types';
import { FileSessionStore } from '../../../src/gateway/sessions/fileStore';
import { userContentForModel } from '../../../src/shared/attachments';
import { foldEvents } from '../../../src/shared/fold';
import type { Attachment } from '../../../src/shared/session';
import { FakeEngine } from '../../support/fakeEngine';
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
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  describe('write-ahead beside the model call', () => {
    /** A store whose writes wait until the test lets them through, and that logs what became durable. */
    class SlowStore extends FileSessionStore {
      private gate: Promise<void> | undefined;
      private open: (() => void) | undefined;
      failNextAppend: Error | undefined;
      failPlaceholder = false;
      readonly durable: string[] = [];
      hold(): void {
        this.gate = new Promise((r) => (this.open = r));
      }
      release(): void {
        this.open?.();
        this.gate = undefined;
      }
      override async create(init: Parameters<FileSessionStore['create']>[0]) {
        await this.gate;
        const s = await super.create(init);
        for (const m of init.messages ?? []) this.durable.push(`${m.role}:${m.content}`);
        return s;
      }
      override async appendMessage(sessionId: string, message: Parameters<FileSessionStore['appendMessage']>[1]) {
        await this.gate;
        const failure = this.failNextAppend;
        this.failNextAppend = undefined;
        if (failure) throw failure;
        if (this.failPlaceholder && message.status === 'streaming') {
          this.failPlaceholder = false;
          throw new Error('placeholder write failed');
        }
        await super.appendMessage(sessionId, message);
        this.durable.push(`${message.role}:${message.content}`);
      }
    }
    let slow: SlowStore;
    beforeEach(async () => {
      await service.dispose();
      slow = new SlowStore({ dir, fsync: false });
      service = createChatService({ store: slow, engine, settings: () => settings, flushIntervalMs: 10 });
    });

    it('the request to the model leaves before the question is saved', async () => {
      slow.hold();
      const sending = service.send({ content: 'question?', model: 'm1' });
      await until(() => engine.requests.length === 1, 'the engine was called');
      assert.deepEqual(slow.durable, [], 'nothing saved yet');
      slow.release();
      const turn = await sending;
      assert.equal(await turn.finished, 'stop');
      assert.deepEqual(slow.durable, ['user:question?', 'assistant:']);
    });

    it('the question is stored before any reply text is shown, also when the save is slower than the model', async () => {
      slow.hold();
      const sending = service.send({ content: 'slow disk', model: 'm1' });
      // The (fake) model answers in full while the save is still held.
      await until(() => engine.requests.length === 1, 'the engine was called');
      await new Promise((r) => setTimeout(r, 20));
      let durableAtFirstText: string[] | undefined;
      const seen = (async () => {
        const turn = await sending;
        for await (const { event } of turn.events()) {
          if (event.type === 'token') durableAtFirstText ??= [...slow.durable];
        }
        return turn;
      })();
      slow.release();
      const turn = await seen;
      assert.equal(durableAtFirstText?.[0], 'user:slow disk', 'the question was durable first');
      assert.equal((await store.get(turn.sessionId))!.messages[1]!.content, 'Hello, world');
    });

    it('a question that cannot be saved closes the model call, and the turn never happened', async () => {
      const t = await service.send({ content: 'first', model: 'm1' });
      await t.finished;
      engine.scripts.push({ tokens: ['never', 'shown'], manual: true });
      slow.failNextAppend = new Error('disk full');
      await assert.rejects(service.send({ sessionId: t.sessionId, content: 'second', model: 'm1' }), /disk full/);
      await until(() => engine.cancelled.length === 1, 'the model call was closed');
      assert.equal(engine.requests.at(-1)!.signal!.aborted, true);
      assert.deepEqual((await store.get(t.sessionId))!.messages.map((m) => m.content), ['first', 'Hello, world']);
      assert.equal(service.turn(t.sessionId), undefined);
      // The session is free again.
      await (await service.send({ sessionId: t.sessionId, content: 'third', model: 'm1' })).finished;
      assert.deepEqual((await store.get(t.sessionId))!.messages.map((m) => m.content).slice(2), ['third', 'Hello, world']);
    });

    it('a placeholder that cannot be written does not lose the reply: it is stored whole at the end', async () => {
      slow.failPlaceholder = true;
      const turn = await service.send({ content: 'q', model: 'm1' });
      assert.equal(await turn.finished, 'stop');
      const s = (await store.get(turn.sessionId))!;
      assert.deepEqual(s.messages.map((m) => [m.role, m.content, m.status]), [
        ['user', 'q', 'complete'],
        ['assistant', 'Hello, world', 'complete'],
      ]);
    });

    it('a cancel while the question is still being saved stops the turn; the question stays', async () => {
      const t = await service.send({ content: 'first', model: 'm1' });
      await t.finished;
      engine.scripts.push({ tokens: ['a', 'b'], manual: true });
      slow.hold();
      const sending = service.send({ sessionId: t.sessionId, content: 'stop me', model: 'm1' });
      await until(() => engine.requests.length === 2, 'the engine was called');
      assert.equal(service.cancel(t.sessionId), true);
      slow.release();
      const turn = await sending;
      assert.equal(await turn.finished, 'cancelled');
      const s = (await store.get(t.sessionId))!;
      assert.deepEqual(s.messages.slice(2).map((m) => [m.role, m.content, m.status]), [
        ['user', 'stop me', 'complete'],
        ['assistant', '', 'stopped'],
      ]);
    });
  });

  it('the stored reply is the fold of its events (src/shared/fold.ts)', async () => {
    engine.scripts.push({ thinking: ['hm', 'm'], tokens: ['par', 'tial'], error: { code: 'upstream_error', message: 'model crashed' } });
    const turn = await service.send({ content: 'x', model: 'm1' });
    await turn.finished;
    const events = (await collect(turn.events())).map((e) => e.event);
    const folded = foldEvents(turn.assistantMessage, events);
    const stored = (await store.get(turn.sessionId))!.messages[1]!;
    assert.deepEqual(stored, folded);
    assert.equal(stored.thinking, 'hmm');
    assert.equal(stored.status, 'error');
  });

  it('a reply another process marked interrupted mid-turn ends complete, without the stale error', async () => {
    engine.scripts.push({ tokens: ['a', 'b'], manual: true });
    const turn = await service.send({ content: 'q', model: 'm1' });
    // The reply's placeholder is written off the critical path: once it is on disk,
    await until(async () => (await store.get(turn.sessionId))?.messages[1]?.status === 'streaming', 'the placeholder stored');
    // another process that misjudges this one as dead runs its start-up recovery.
    assert.equal(await new FileSessionStore({ dir, fsync: false, isAlive: () => false }).recoverInterrupted(), 1);
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
    await until(async () => (await store.get(turn.sessionId))!.messages[1]?.content === 'ab', 'partial flush');
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

  describe('attachments', () => {
    const file: Attachment = { kind: 'file', name: 'app.ts', language: 'typescript', content: 'export const x = 1;\n' };
    const other: Attachment = { kind: 'file', name: 'b.py', content: 'print(1)' };
    const sent = (i: number) => engine.requests[i]!.messages.map((m) => m.content);

    it('are stored with the question and reach the model in the one shared format, on later turns too', async () => {
      const t = await service.send({ content: 'Explain', model: 'm1', attachments: [file] });
      await t.finished;
      const q = (await store.get(t.sessionId))!.messages[0]!;
      assert.deepEqual(q.attachments, [file]);
      assert.equal(q.content, 'Explain', 'the text stays the text');
      assert.deepEqual(sent(0), [userContentForModel({ content: 'Explain', attachments: [file] })]);
      assert.match(sent(0)[0]!, /File `app.ts` \(typescript\)\n```typescript\nexport const x = 1;\n```\n\nExplain$/);
      await (await service.send({ sessionId: t.sessionId, content: 'And then?', model: 'm1' })).finished;
      assert.equal(sent(1)[0], sent(0)[0], 'history keeps the attachment');
      assert.equal(sent(1)[2], 'And then?');
    });

    it('regenerate keeps the question’s attachments; editLast takes new ones (or none)', async () => {
      const t = await service.send({ content: 'Explain', model: 'm1', attachments: [file] });
      await t.finished;
      await (await service.regenerate(t.sessionId, 'm1')).finished;
      assert.equal(sent(1).at(-1), userContentForModel({ content: 'Explain', attachments: [file] }));
      await (await service.editLast(t.sessionId, 'Compare', 'm1', [file, other])).finished;
      assert.equal(sent(2).at(-1), userContentForModel({ content: 'Compare', attachments: [file, other] }));
      assert.deepEqual((await store.get(t.sessionId))!.messages[0]!.attachments, [file, other]);
      await (await service.editLast(t.sessionId, 'Plain', 'm1')).finished;
      assert.equal(sent(3).at(-1), 'Plain');
      assert.equal((await store.get(t.sessionId))!.messages[0]!.attachments, undefined);
    });

    it('the two-step form stores them too', async () => {
      const { sessionId } = await service.storeUserMessage({ content: 'Look', model: 'm1', attachments: [other] });
      await (await service.startReply(sessionId)).finished;
      assert.deepEqual(sent(0), [userContentForModel({ content: 'Look', attachments: [other] })]);
    });

    it('refuses malformed attachments as bad_request, storing nothing', async () => {
      const bad = [{ kind: 'file', name: '', content: 'x' }] as unknown as Attachment[];
      await assert.rejects(service.send({ content: 'x', model: 'm1', attachments: bad }), (e) => isChatError(e, 'bad_request') && /attachments/.test((e as Error).message));
      const many = Array.from({ length: 51 }, () => other);
      await assert.rejects(service.send({ content: 'x', model: 'm1', attachments: many }), (e) => isChatError(e, 'bad_request'));
      assert.deepEqual(await store.list(), []);
      assert.equal(engine.requests.length, 0);
    });
  });

  it('editing the first question renames a session named after it, but keeps a title the user chose', async () => {
    const t = await service.send({ content: 'first question', model: 'm1' });
    await t.finished;
    await store.rename(t.sessionId, 'My own title');
    await (await service.editLast(t.sessionId, 'edited question', 'm1')).finished;
    assert.equal((await store.get(t.sessionId))!.title, 'My own title');
  });

  it('dispose cancels open turns, waits for their final write, and refuses new work', async () => {
    engine.scripts.push({ tokens: ['a', 'b'], manual: true });
    const turn = await service.send({ content: 'x', model: 'm1' });
    engine.release(1);
    await until(async () => (await store.get(turn.sessionId))!.messages[1]?.content === 'a', 'first token stored');
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
    await until(async () => (await store.get(turn.sessionId))!.messages[1]?.content === 'a', 'first token stored');
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
