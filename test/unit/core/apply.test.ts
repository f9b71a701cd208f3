import assert from 'node:assert/strict';
import type { ApplyRequest } from '../../../src/core/apply';
import { browserPlatform } from '../../../src/core/browserPlatform';
import { codeBlockKey } from '../../../src/shared/codeBlocks';
import type { HostToWebview } from '../../../src/shared/protocol';
import type { ChatMessage, SessionStore } from '../../../src/shared/session';
import { coreFixture, finished, RecordingPlatform, until, type CoreFixture } from './helpers';

const SELECTION = { kind: 'selection' as const, name: 'calc.py', path: 'src/calc.py', uri: 'file:///ws/src/calc.py', language: 'python', range: { startLine: 4, endLine: 5 }, content: 'def add(a, b):\n    return a - b' };

let n = 0;
const msg = (role: ChatMessage['role'], content: string, extra: Partial<ChatMessage> = {}): ChatMessage => ({
  id: `msg-${String(++n).padStart(8, '0')}`,
  role,
  content,
  status: 'complete',
  created_at: Date.now(),
  ...extra,
});

describe('Conversation: applying a code block of a reply', () => {
  let f: CoreFixture;
  beforeEach(async () => {
    f = await coreFixture();
  });
  afterEach(() => f.dispose());

  /** A stored chat (question with a selection, reply) opened in a page. */
  async function chatWith(reply: ChatMessage, question = msg('user', 'Fix this', { attachments: [SELECTION] })) {
    const s = await f.store.create({ title: 't' });
    await f.store.appendMessage(s.id, question);
    await f.store.appendMessage(s.id, reply);
    const platform = new RecordingPlatform();
    const page = await f.page(platform);
    await page.c.openSession(s.id);
    return { ...page, platform, sessionId: s.id };
  }
  const applyCalls = (p: RecordingPlatform) => p.calls.filter((c) => c[0] === 'applyCode').map((c) => c[1] as ApplyRequest);

  it('asks the platform with the block and what the question was about; an accepted block is stored and shown as applied', async () => {
    const reply = msg('assistant', 'Fixed:\n\n```python title="calc.py"\ndef add(a, b):\n    return a + b\n```\n');
    const { c, sent, platform, sessionId } = await chatWith(reply);
    await c.receive({ type: 'applyCode', messageId: reply.id, code: 'def add(a, b):\n    return a + b' });
    await until(() => sent.some((m) => m.type === 'applyState'), 'the outcome to reach the page');
    assert.deepEqual(applyCalls(platform), [
      {
        code: 'def add(a, b):\n    return a + b',
        info: 'python title="calc.py"',
        targets: [{ uri: SELECTION.uri, name: 'calc.py', path: 'src/calc.py', range: { startLine: 4, endLine: 5 }, expected: SELECTION.content }],
      },
    ]);
    const key = codeBlockKey('def add(a, b):\n    return a + b');
    assert.deepEqual(sent.find((m) => m.type === 'applyState'), { type: 'applyState', sessionId, messageId: reply.id, key, state: 'applied' });
    const stored = await f.store.get(sessionId);
    assert.deepEqual(stored?.messages[1]?.applied, { [key]: 'applied' });
    // A reload of the view gets it with the snapshot.
    const snap = (await c.prepareSnapshot())();
    assert.deepEqual(snap.current?.messages[1]?.applied, { [key]: 'applied' });
  });

  it('a rejected block is stored as rejected; several blocks keep their own state', async () => {
    const reply = msg('assistant', '```py\na = 1\n```\n\n```py\nb = 2\n```');
    const { c, platform, sessionId } = await chatWith(reply);
    assert.equal((await c.applyCode(reply.id, 'a = 1')).status, 'applied');
    platform.applyOutcome = async () => ({ status: 'rejected' });
    assert.equal((await c.applyCode(reply.id, 'b = 2')).status, 'rejected');
    assert.deepEqual((await f.store.get(sessionId))?.messages[1]?.applied, { [codeBlockKey('a = 1')]: 'applied', [codeBlockKey('b = 2')]: 'rejected' });
  });

  it('a block that cannot be placed says why in the chat, and nothing is stored', async () => {
    const reply = msg('assistant', '```py\nx = 1\n```');
    const { c, sent, platform, sessionId } = await chatWith(reply);
    platform.applyOutcome = async () => ({ status: 'failed', message: 'The SEARCH block does not match calc.py: …' });
    await c.applyCode(reply.id, 'x = 1');
    assert.deepEqual(sent.filter((m) => m.type === 'notice').at(-1), { type: 'notice', level: 'warning', message: 'The SEARCH block does not match calc.py: …' });
    assert.equal((await f.store.get(sessionId))?.messages[1]?.applied, undefined);
    platform.applyOutcome = async () => ({ status: 'dismissed' });
    await c.applyCode(reply.id, 'x = 1');
    assert.equal(sent.filter((m) => m.type === 'applyState').length, 0, 'a review closed without a decision records nothing');
  });

  it('never applies reasoning: code that is only in the thinking text (or a <think> section) is refused', async () => {
    const reply = msg('assistant', '<think>\n```py\nbad = 1\n```\n</think>\nUse this:\n```py\ngood = 1\n```', { thinking: 'Maybe:\n```py\nworse = 1\n```' });
    const { c, sent, platform } = await chatWith(reply);
    for (const code of ['worse = 1', 'bad = 1', 'not in the reply']) {
      const r = await c.applyCode(reply.id, code);
      assert.equal(r.status, 'failed', code);
    }
    assert.equal(applyCalls(platform).length, 0);
    assert.match((sent.filter((m) => m.type === 'notice').at(-1) as Extract<HostToWebview, { type: 'notice' }>).message, /Only a complete code block of the reply itself/);
    assert.equal((await c.applyCode(reply.id, 'good = 1')).status, 'applied');
  });

  it('a block still being written is refused; a closed one applies while the reply streams, and keeps its mark', async () => {
    const { c, sent } = await f.page();
    f.engine.script({ tokens: ['Fixed:\n```py\n', 'x = 2\n', '```\n', 'and ', '```py\ny = ', '3\n```'], holdAt: 5 });
    const handle = await c.sendMessage('fix');
    await f.engine.holding;
    await until(() => (c.currentSession()?.messages[1]?.content ?? '').includes('y = '), 'the second block to open');
    const id = handle!.assistantMessage.id;
    assert.equal((await c.applyCode(id, 'y =')).status, 'failed', 'the open block may still grow');
    assert.equal((await c.applyCode(id, 'x = 2')).status, 'applied');
    const mid = (await c.prepareSnapshot())();
    assert.deepEqual(mid.current?.messages[1]?.applied, { [codeBlockKey('x = 2')]: 'applied' }, 'the live reply shows the mark');
    f.engine.releaseHold();
    await finished(sent);
    const after = (await c.prepareSnapshot())();
    assert.deepEqual(after.current?.messages[1]?.applied, { [codeBlockKey('x = 2')]: 'applied' }, 'the final write of the reply keeps it');
    assert.equal(after.current?.messages[1]?.content.includes('y = 3'), true);
  });

  it('a block applied before the reply\'s placeholder is stored keeps its mark (the race, ordered by hand)', async () => {
    await f.dispose();
    // The placeholder is written beside the model call: here it is held until the block was applied.
    let releasePlaceholder!: () => void;
    const placeholderHeld = new Promise<void>((r) => (releasePlaceholder = r));
    f = await coreFixture({
      store: (real) => {
        const wrapped = Object.create(real) as SessionStore;
        wrapped.appendMessage = async (id: string, m: ChatMessage) => {
          if (m.role === 'assistant') await placeholderHeld;
          return real.appendMessage(id, m);
        };
        return wrapped;
      },
    });
    // Released however the test ends, so the turn can finish and the fixture close.
    const cleanup = f.dispose.bind(f);
    f.dispose = async () => {
      releasePlaceholder();
      f.engine.releaseHold();
      await cleanup();
    };
    const { c, sent } = await f.page();
    f.engine.script({ tokens: ['```py\n', 'x = 2\n', '```\n', 'more'], holdAt: 3 });
    const handle = await c.sendMessage('fix');
    await f.engine.holding;
    await until(() => (c.currentSession()?.messages[1]?.content ?? '').includes('```\n'), 'the block to close');
    const id = handle!.assistantMessage.id;
    const key = codeBlockKey('x = 2');
    assert.equal((await c.applyCode(id, 'x = 2')).status, 'applied');
    assert.deepEqual(sent.find((m) => m.type === 'applyState'), { type: 'applyState', sessionId: handle!.sessionId, messageId: id, key, state: 'applied' }, 'the page is told at once');
    assert.deepEqual((await c.prepareSnapshot())().current?.messages[1]?.applied, { [key]: 'applied' }, 'a reload meanwhile shows it');
    releasePlaceholder();
    f.engine.releaseHold();
    await finished(sent);
    assert.deepEqual((await f.store.get(handle!.sessionId))?.messages[1]?.applied, { [key]: 'applied' }, 'stored with the reply');
    assert.deepEqual((await c.prepareSnapshot())().current?.messages[1]?.applied, { [key]: 'applied' }, 'and shown after the turn');
  });

  it('a reply can be applied as soon as its turn is over (before the stored copy is read back)', async () => {
    await f.dispose();
    let slow = false;
    f = await coreFixture({
      store: (real) => {
        const wrapped = Object.create(real) as SessionStore;
        // A store that takes its time (a real disk): the turn's final read-back is still pending.
        wrapped.get = async (id: string) => {
          if (slow) await new Promise((r) => setTimeout(r, 300));
          return real.get(id);
        };
        return wrapped;
      },
    });
    const { c, sent } = await f.page();
    f.engine.script({ tokens: ['```py\n', 'w = 1\n', '```'] });
    const handle = await c.sendMessage('fix');
    slow = true;
    await until(() => sent.some((m) => m.type === 'event' && m.event.type === 'done'), 'the done event');
    await c.idle();
    assert.equal((await c.applyCode(handle!.assistantMessage.id, 'w = 1')).status, 'applied');
  });

  it('an open fence at the end of a finished reply counts (the model forgot to close it)', async () => {
    const reply = msg('assistant', 'Here:\n```py\nz = 3\n');
    const { c } = await chatWith(reply);
    assert.equal((await c.applyCode(reply.id, 'z = 3')).status, 'applied');
  });

  it('without an editor (the browser UI) Apply is explained, not attempted', async () => {
    const posted: HostToWebview[] = [];
    const platform = browserPlatform({ post: (m) => posted.push(m), settingsHelp: '' });
    const { c, sent } = await f.page(platform);
    const r = await c.applyCode('msg-00000000', 'x');
    assert.equal(r.status, 'failed');
    assert.match((sent.at(-1) as Extract<HostToWebview, { type: 'notice' }>).message, /needs a workspace: it works in Hearth inside VS Code\. Use Copy here\./);
    assert.equal((await platform.applyCode({ code: 'x', info: '', targets: [] })).status, 'failed');
  });

  it('a reply that is not in the open chat is refused', async () => {
    const { c, sent } = await f.page();
    assert.equal((await c.applyCode('msg-99999999', 'x')).status, 'failed');
    assert.match((sent.at(-1) as Extract<HostToWebview, { type: 'notice' }>).message, /no longer in the open chat/);
  });
});
