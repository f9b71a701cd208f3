import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createChatService } from '../../../src/gateway/chat/chatService';
import type { ChatService } from '../../../src/gateway/chat/types';
import { ChatController } from '../../../src/extension/chat/chatController';
import { ModelState } from '../../../src/extension/models/modelState';
import { ExtensionSessionStore } from '../../../src/extension/sessions/extensionSessionStore';
import type { HostToWebview } from '../../../src/shared/protocol';
import { FakeEngine } from './fakeEngine';
import { MemoryMemento } from './memento';

const WS = 'file:///ws';

function until(probe: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (probe()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

describe('ChatController (with the real ChatService and store)', () => {
  let dir: string;
  let engine: FakeEngine;
  let store: ExtensionSessionStore;
  let chat: ChatService;
  let models: ModelState;
  let posted: HostToWebview[];
  let controller: ChatController;
  let streamingChanges: boolean[];

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'hearth-ctl-'));
    engine = new FakeEngine();
    const memento = new MemoryMemento();
    store = new ExtensionSessionStore({ memento, dir, workspace: WS, maxSessions: () => 100, fsync: false });
    chat = createChatService({ store, engine, settings: () => ({}), flushIntervalMs: 5 });
    models = new ModelState({ source: () => engine, memento, configuredModel: () => '', baseUrl: () => 'http://127.0.0.1:1' });
    await models.refresh();
    posted = [];
    streamingChanges = [];
    controller = new ChatController({ store, chat: async () => chat, models, post: (m) => posted.push(m), workspace: WS, capabilities: () => ({ editor: true, pull: true }), log: () => {} });
    controller.onStreamingChange.on((s) => streamingChanges.push(s));
  });
  afterEach(async () => {
    await chat.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const types = () => posted.map((m) => (m.type === 'event' ? `event:${m.event.type}` : m.type));
  const finished = () => until(() => posted.some((m) => m.type === 'sessions'), 'the turn to finish');

  it('a failed session read right after a turn starts does not leave the chat stuck "streaming"', async () => {
    const realGet = store.get.bind(store);
    let failNext = false;
    store.get = async (id: string) => {
      if (failNext) {
        failNext = false;
        throw new Error('EIO');
      }
      return realGet(id);
    };
    engine.script({ tokens: ['a'] });
    failNext = true;
    assert.ok(await controller.sendMessage('first'));
    await finished();
    await until(() => controller.streaming === undefined, 'the turn to be over');
    engine.script({ tokens: ['b'] });
    assert.ok(await controller.sendMessage('second'), 'the next message is accepted');
    assert.equal(posted.filter((m) => m.type === 'notice').length, 0);
  });

  it('streams a turn: turnStarted, events ending with done, then the stored reply and the session list', async () => {
    engine.script({ tokens: ['Hel', 'lo'] });
    const handle = await controller.sendMessage('Say hello');
    assert.ok(handle);
    await finished();
    const t = types();
    assert.equal(t[0], 'turnStarted');
    assert.ok(t.indexOf('event:done') > t.lastIndexOf('event:token'), 'done comes after the text');
    assert.equal(t.at(-1), 'sessions');
    assert.deepEqual(streamingChanges, [true, false]);
    const s = await store.get(handle.sessionId);
    assert.deepEqual(s?.messages.map((m) => [m.role, m.content, m.status]), [
      ['user', 'Say hello', 'complete'],
      ['assistant', 'Hello', 'complete'],
    ]);
    assert.equal(s?.workspace, WS);
    assert.equal(s?.model, 'fake-a', 'the first listed model is used when none is chosen');
    assert.equal(controller.currentSessionId, handle.sessionId);
    assert.equal(controller.streaming, undefined);
  });

  it('a snapshot taken mid-stream holds every token so far (the view was hidden and shown again)', async () => {
    engine.script({ tokens: ['one ', 'two ', 'three'], holdAt: 2 });
    const handle = await controller.sendMessage('count');
    await engine.holding;
    await until(() => posted.filter((m) => m.type === 'event' && m.event.type === 'token').length === 2, 'two tokens');
    const snap = (await controller.prepareSnapshot())();
    assert.deepEqual(snap.streaming, { sessionId: handle!.sessionId, messageId: handle!.assistantMessage.id });
    assert.equal(snap.current?.messages[1]?.content, 'one two ');
    assert.equal(snap.current?.messages[1]?.status, 'streaming');
    assert.equal(snap.sessions[0]?.id, handle!.sessionId);
    assert.equal(snap.workspace, WS);
    engine.releaseHold();
    await finished();
    const after = (await controller.prepareSnapshot())();
    assert.equal(after.current?.messages[1]?.content, 'one two three');
    assert.equal(after.streaming, undefined);
  });

  it('cancel closes the request and keeps the partial text, marked stopped', async () => {
    engine.script({ tokens: ['partial ', 'never'], holdAt: 1 });
    const handle = await controller.sendMessage('long one');
    await engine.holding;
    assert.equal(controller.cancel(), true);
    await finished();
    assert.deepEqual(engine.cancelled, [handle!.assistantMessage.id]);
    const reply = (await store.get(handle!.sessionId))?.messages[1];
    assert.equal(reply?.status, 'stopped');
    assert.equal(reply?.content, 'partial ');
    assert.equal(controller.cancel(), false, 'nothing left to cancel');
  });

  it('refuses a second send while a reply streams, with a notice', async () => {
    engine.script({ tokens: ['a', 'b'], holdAt: 1 });
    await controller.sendMessage('first');
    await engine.holding;
    assert.equal(await controller.sendMessage('second'), undefined);
    assert.ok(posted.some((m) => m.type === 'notice'));
    assert.equal(engine.requests.length, 1);
    engine.releaseHold();
    await finished();
  });

  it('asks the server for its models when none was chosen or listed yet (first use from the editor)', async () => {
    const memento = new MemoryMemento();
    const fresh = new ModelState({ source: () => engine, memento, configuredModel: () => '', baseUrl: () => 'http://127.0.0.1:1' });
    const c = new ChatController({ store, chat: async () => chat, models: fresh, post: (m) => posted.push(m), capabilities: () => ({ editor: true, pull: true }), log: () => {} });
    assert.equal(fresh.hasChecked, false);
    const h = await c.sendMessage('first ever question');
    assert.ok(h);
    assert.equal(engine.requests[0]?.model, 'fake-a');
    await finished();
  });

  it('still sends a snapshot (and says why) when the history cannot be read', async () => {
    const broken = Object.create(store) as ExtensionSessionStore;
    broken.list = () => Promise.reject(new Error('disk on fire'));
    const logs: string[] = [];
    const c = new ChatController({ store: broken, chat: async () => chat, models, post: (m) => posted.push(m), capabilities: () => ({ editor: true, pull: true }), log: (l) => logs.push(l) });
    const snap = (await c.prepareSnapshot())();
    assert.deepEqual(snap.sessions, []);
    await new Promise((r) => setImmediate(r));
    assert.ok(posted.some((m) => m.type === 'notice' && m.level === 'error'));
    assert.match(logs[0]!, /disk on fire/);
  });

  it('tells the user when no model exists', async () => {
    engine.models = [];
    await models.refresh();
    assert.equal(await controller.sendMessage('hi'), undefined);
    const notice = posted.find((m) => m.type === 'notice');
    assert.ok(notice && notice.type === 'notice' && /No model/.test(notice.message));
  });

  it('regenerate replaces the last reply and editLast the last question', async () => {
    engine.script({ tokens: ['first answer'] }).script({ tokens: ['second answer'] }).script({ tokens: ['third answer'] });
    const h = await controller.sendMessage('question one');
    await finished();
    posted = [];
    await controller.regenerate();
    await finished();
    let s = await store.get(h!.sessionId);
    assert.deepEqual(s?.messages.map((m) => m.content), ['question one', 'second answer']);
    posted = [];
    await controller.editLast('question two');
    await finished();
    s = await store.get(h!.sessionId);
    assert.deepEqual(s?.messages.map((m) => m.content), ['question two', 'third answer']);
  });

  it('opens, renames and deletes sessions, and starts new chats', async () => {
    const h = await controller.sendMessage('keep me');
    await finished();
    controller.newChat();
    assert.equal(controller.currentSessionId, undefined);
    assert.deepEqual(posted.at(-1), { type: 'session', session: null });
    assert.equal(await controller.openSession(h!.sessionId), true);
    assert.equal(controller.currentSessionId, h!.sessionId);
    await controller.renameSession(h!.sessionId, 'Renamed');
    assert.equal((await store.list())[0]?.title, 'Renamed');
    assert.equal(controller.currentSession()?.title, 'Renamed');
    await controller.deleteSession(h!.sessionId);
    assert.equal(controller.currentSessionId, undefined);
    assert.deepEqual(await store.list(), []);
    assert.equal(await controller.openSession(h!.sessionId), false);
  });

  it('a reply failing with unreachable marks the connection unreachable', async () => {
    engine.script({ tokens: [], error: { code: 'unreachable', message: 'connect ECONNREFUSED 127.0.0.1:1' } });
    await controller.sendMessage('hello?');
    await finished();
    assert.equal(models.connection.status, 'unreachable');
  });
});
