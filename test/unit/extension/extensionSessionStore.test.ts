import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExtensionSessionStore, LEGACY_INDEX_KEY } from '../../../src/extension/sessions/extensionSessionStore';
import { writeFileAtomic } from '../../../src/gateway/sessions/atomicFile';
import { DEFAULT_TITLE, type ChatMessage } from '../../../src/shared/session';
import { MemoryMemento } from '../../support/memento';

const WS = 'file:///home/me/project';

function msg(id: string, role: ChatMessage['role'], content: string, status: ChatMessage['status'] = 'complete'): ChatMessage {
  return { id, role, content, status, created_at: Date.now() };
}

describe('ExtensionSessionStore', () => {
  let dir: string;
  let memento: MemoryMemento;
  let clock: number;
  const make = (over: Partial<ConstructorParameters<typeof ExtensionSessionStore>[0]> = {}) =>
    new ExtensionSessionStore({ memento, dir, workspace: WS, maxSessions: () => 500, now: () => clock, fsync: false, ...over });

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'hearth-ext-store-'));
    memento = new MemoryMemento();
    clock = 1_700_000_000_000;
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true, maxRetries: 5 }));

  it('keeps transcripts in files and nothing in globalState', async () => {
    const store = make();
    const s = await store.create({ model: 'some-model' });
    const question = 'How do I reverse a list in Python?\n```py\nxs = [1, 2, 3]\n```';
    await store.appendMessage(s.id, msg('user-0001', 'user', question));
    await store.appendMessage(s.id, msg('asst-0001', 'assistant', '', 'streaming'));
    await store.updateMessage(s.id, 'asst-0001', { content: 'Use reversed().', status: 'complete', finish_reason: 'stop' });

    const got = await store.get(s.id);
    assert.equal(got?.messages.length, 2);
    assert.equal(got?.messages[0]?.content, question);
    assert.equal(got?.messages[1]?.content, 'Use reversed().');
    assert.equal(got?.workspace, WS);

    await store.settled();
    assert.equal(memento.updates, 0, 'globalState is not written');
    const [summary] = await store.list();
    assert.deepEqual(
      { id: summary?.id, status: summary?.status, count: summary?.message_count, model: summary?.model, ws: summary?.workspace },
      { id: s.id, status: 'complete', count: 2, model: 'some-model', ws: WS },
    );
    const file = JSON.parse(await fs.readFile(path.join(dir, 'sessions', `${s.id}.json`), 'utf8'));
    assert.equal(file.messages[1].content, 'Use reversed().');
  });

  it('leaves titles to the chat service: appending a first question does not rename the session', async () => {
    const store = make();
    const s = await store.create({});
    await store.appendMessage(s.id, msg('user-0001', 'user', 'What is a monad?'));
    assert.equal((await store.get(s.id))?.title, DEFAULT_TITLE);
    assert.equal((await store.list())[0]?.title, DEFAULT_TITLE);
  });

  it('lists the current workspace first, newest first within each group', async () => {
    const store = make();
    const other = make({ workspace: 'file:///elsewhere' });
    const a = await store.create({ title: 'a' });
    clock += 1000;
    const b = await other.create({ title: 'b' });
    clock += 1000;
    const c = await store.create({ title: 'c' });
    clock += 1000;
    const d = await other.create({ title: 'd' });
    assert.deepEqual((await store.list()).map((s) => s.id), [c.id, a.id, d.id, b.id]);
    assert.deepEqual((await other.list()).map((s) => s.id), [d.id, b.id, c.id, a.id]);
  });

  it('two windows writing at once each list both sessions', async () => {
    const mA = new MemoryMemento();
    const mB = new MemoryMemento();
    const a = make({ memento: mA });
    const b = make({ memento: mB });
    const [sa, sb] = await Promise.all([a.create({ title: 'from A' }), b.create({ title: 'from B' })]);
    await Promise.all([
      a.appendMessage(sa.id, msg('user-000a', 'user', 'hello from A')),
      b.appendMessage(sb.id, msg('user-000b', 'user', 'hello from B')),
    ]);
    const ids = (list: { id: string }[]) => list.map((s) => s.id).sort();
    assert.deepEqual(ids(await a.list()), [sa.id, sb.id].sort());
    assert.deepEqual(ids(await b.list()), [sa.id, sb.id].sort());
    assert.equal((await a.get(sb.id))?.messages[0]?.content, 'hello from B');
  });

  it('a question still in the journal (its fold held) is in the listing and in what another window reads; folded once', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let holding = false;
    const transcripts = path.join(dir, 'sessions');
    const a = make({
      writeText: async (file, text, opts) => {
        if (holding && path.dirname(file) === transcripts && !path.basename(file).startsWith('.')) await held;
        await writeFileAtomic(file, text, opts);
      },
    });
    const s = await a.create({ title: 'journal' });
    await a.appendMessage(s.id, msg('user-0001', 'user', 'first'));
    await a.appendMessage(s.id, msg('asst-0001', 'assistant', 'answer'));
    const onDisk = async () => JSON.parse(await fs.readFile(path.join(transcripts, `${s.id}.json`), 'utf8')).messages.map((m: ChatMessage) => m.id);
    await a.settled();
    for (let i = 0; i < 100 && (await onDisk()).length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    holding = true;
    clock += 1000;
    await a.appendMessage(s.id, msg('user-0002', 'user', 'a follow-up'));
    await a.settled();
    assert.deepEqual(await onDisk(), ['user-0001', 'asst-0001'], 'the fold is held');
    const entry = (await a.list()).find((x) => x.id === s.id);
    assert.equal(entry?.message_count, 3, 'the listing counts the question (the summary is read with the journal)');
    assert.equal(entry?.updated_at, clock);
    const b = make({ memento: new MemoryMemento() });
    assert.equal((await b.list()).find((x) => x.id === s.id)?.message_count, 3);
    assert.deepEqual((await b.get(s.id))?.messages.map((m) => m.id), ['user-0001', 'asst-0001', 'user-0002']);
    release();
    for (let i = 0; i < 100 && (await onDisk()).length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(await onDisk(), ['user-0001', 'asst-0001', 'user-0002']);
    assert.deepEqual((await b.get(s.id))?.messages.map((m) => m.id), ['user-0001', 'asst-0001', 'user-0002']);
  });

  it('two windows creating at once lose nothing', async () => {
    const a = make();
    const b = make();
    const created = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).create({ title: `s${i}` })));
    await Promise.all([a.settled(), b.settled()]);
    assert.equal((await b.list()).length, 10);
    assert.deepEqual((await a.list()).map((s) => s.id).sort(), created.map((s) => s.id).sort());
  });

  it("lists no session whose transcript another process deleted, and another window's append at once", async () => {
    const store = make();
    const s1 = await store.create({ title: 'one' });
    const s2 = await store.create({ title: 'two' });
    await fs.rm(path.join(dir, 'sessions', `${s1.id}.json`));
    assert.deepEqual((await store.list()).map((s) => s.id), [s2.id]);

    assert.equal((await store.list())[0]?.message_count, 0);
    const other = make({ memento: new MemoryMemento() });
    await other.appendMessage(s2.id, msg('user-0002', 'user', 'hi'));
    assert.equal((await store.list())[0]?.message_count, 1);
  });

  it('clears the old globalState index on first use and lists every session from the files', async () => {
    const earlier = make();
    const a = await earlier.create({ title: 'kept' });
    const b = await earlier.create({ title: 'also kept' });
    await earlier.settled();
    earlier.dispose();
    // What an earlier version left: summaries only (one of them stale), never anything else.
    await memento.update(LEGACY_INDEX_KEY, { v: 1, models: [], workspaces: [], entries: [[a.id, 'stale', 1, 1, 'empty', 0, -1, -1]] });
    await memento.update('hearth.other', 'untouched');
    const store = make();
    await store.settled();
    assert.equal(memento.get(LEGACY_INDEX_KEY), undefined);
    assert.equal(memento.get('hearth.other'), 'untouched');
    assert.deepEqual((await store.list()).map((x) => x.title).sort(), ['also kept', 'kept']);
    assert.deepEqual((await store.list()).map((x) => x.id).sort(), [a.id, b.id].sort());
    store.dispose();
  });

  it('keeps at most maxSessions, deleting the least recently updated but never a streaming one', async () => {
    let max = 3;
    const store = make({ maxSessions: () => max });
    const oldest = await store.create({ title: 'oldest, streaming' });
    await store.appendMessage(oldest.id, msg('asst-0001', 'assistant', '', 'streaming'));
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      clock += 1000;
      ids.push((await store.create({ title: `s${i}` })).id);
      // Each create's prune runs off its path; this test is about which sessions go, so each runs
      // before the next create (a prune that falls behind the creates: test/unit/sessions/pruneRace.test.ts).
      await store.settled();
    }
    const kept = (await store.list()).map((s) => s.id).sort();
    assert.deepEqual(kept, [oldest.id, ids[2]!, ids[3]!].sort());
    assert.equal(await store.get(ids[0]!), undefined);
    max = 10; // read live
    await store.create({ title: 'more' });
    assert.equal((await store.list()).length, 4);
  });

  it('pruning moves sessions to its own trash under globalStorage, says so in the log, and drops them from the listing', async () => {
    const logs: string[] = [];
    const store = make({ maxSessions: () => 2, log: (l) => logs.push(l) });
    const first = await store.create({ title: 'first' });
    clock += 1000;
    await store.create({ title: 'second' });
    clock += 1000;
    await store.create({ title: 'third' });
    await store.settled(); // pruning runs off the create's path
    await fs.access(path.join(dir, 'trash', `${first.id}.json`));
    assert.ok(!(await store.list()).some((x) => x.id === first.id));
    assert.equal((await store.list()).length, 2);
    assert.ok(logs.some((l) => l.startsWith('pruned 1 session') && l.includes(path.join(dir, 'trash')) && l.includes(first.id)), logs.join('\n'));
  });

  it('survives its folder being deleted: the entries go, new sessions still work', async () => {
    const store = make();
    await store.create({ title: 'gone soon' });
    await store.settled();
    await fs.rm(path.join(dir, 'sessions'), { recursive: true, force: true });
    assert.deepEqual(await store.list(), []);
    const s = await store.create({ title: 'after' });
    assert.deepEqual((await store.list()).map((x) => x.id), [s.id]);
  });

  it('delete removes the transcript and the entry', async () => {
    const store = make();
    const s = await store.create({});
    assert.equal(await store.delete(s.id), true);
    assert.equal(await store.delete(s.id), false);
    assert.deepEqual(await store.list(), []);
    assert.equal(await store.delete('../../etc/passwd'), false);
  });

  it('truncateFrom, rename and setModel change the transcript and the listing', async () => {
    const store = make();
    const s = await store.create({});
    await store.appendMessage(s.id, msg('user-0001', 'user', 'q1'));
    await store.appendMessage(s.id, msg('asst-0001', 'assistant', 'a1'));
    await store.appendMessage(s.id, msg('user-0002', 'user', 'q2'));
    await store.truncateFrom(s.id, 'user-0002');
    await store.rename(s.id, 'Renamed');
    await store.setModel(s.id, 'other-model');
    const [summary] = await store.list();
    assert.deepEqual([summary?.title, summary?.model, summary?.message_count], ['Renamed', 'other-model', 2]);
    assert.equal((await store.get(s.id))?.messages.length, 2);
  });

  describe('recoverInterrupted', () => {
    it('marks a reply of a dead process interrupted, keeping its partial text', async () => {
      const dead = make({ isAlive: () => false });
      const s = await dead.create({});
      await dead.appendMessage(s.id, msg('asst-0001', 'assistant', '', 'streaming'));
      await dead.updateMessage(s.id, 'asst-0001', { content: 'half an ans' });
      // A later activation (a new process): the owner pid is gone.
      const fresh = make({ isAlive: () => false });
      const ownerFile = path.join(dir, 'live', `${s.id}.json`);
      const rec = JSON.parse(await fs.readFile(ownerFile, 'utf8'));
      await fs.writeFile(ownerFile, JSON.stringify({ ...rec, pid: 999_999_999 }));
      assert.equal(await fresh.recoverInterrupted(), 1);
      const m = (await fresh.get(s.id))?.messages[0];
      assert.equal(m?.status, 'interrupted');
      assert.equal(m?.content, 'half an ans');
      assert.equal(m?.error?.code, 'interrupted');
      assert.equal((await fresh.list())[0]?.status, 'interrupted');
      assert.equal(await fresh.recoverInterrupted(), 0);
    });

    it('leaves a reply alone while another live window streams it', async () => {
      const other = make();
      const s = await other.create({});
      await other.appendMessage(s.id, msg('asst-0001', 'assistant', 'live', 'streaming'));
      const ownerFile = path.join(dir, 'live', `${s.id}.json`);
      const rec = JSON.parse(await fs.readFile(ownerFile, 'utf8'));
      await fs.writeFile(ownerFile, JSON.stringify({ ...rec, pid: 424242 }));
      const me = make({ isAlive: (pid) => pid === 424242 });
      assert.equal(await me.recoverInterrupted(), 0);
      assert.equal((await me.get(s.id))?.messages[0]?.status, 'streaming');
    });

    it('finishing a reply removes its owner record', async () => {
      const store = make();
      const s = await store.create({});
      await store.appendMessage(s.id, msg('asst-0001', 'assistant', '', 'streaming'));
      await fs.access(path.join(dir, 'live', `${s.id}.json`));
      await store.updateMessage(s.id, 'asst-0001', { status: 'complete' });
      await assert.rejects(fs.access(path.join(dir, 'live', `${s.id}.json`)));
    });

    it('recovers a turn from a process killed with SIGKILL mid-reply', async function () {
      this.timeout(60_000);
      const fixture = path.join(__dirname, 'fixtures', 'crashingWriter.ts');
      const out = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, ['--import', 'tsx', fixture, dir], { timeout: 50_000 }, (err, stdout) => {
          if (err && (err as { signal?: string }).signal !== 'SIGKILL') reject(err);
          else resolve(stdout);
        });
      });
      const id = out.trim();
      const store = new ExtensionSessionStore({ memento, dir, workspace: 'file:///ws', maxSessions: () => 100 });
      assert.equal(await store.recoverInterrupted(), 1);
      const s = await store.get(id);
      assert.equal(s?.messages[1]?.status, 'interrupted');
      assert.equal(s?.messages[1]?.content, 'partial ans');
      assert.equal((await store.list())[0]?.status, 'interrupted');
    });
  });

  describe('change events (what the pages are told)', () => {
    type Change = { type: string; ids: string[] };
    async function until(check: () => boolean, what: string): Promise<void> {
      const deadline = Date.now() + 5000;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }

    it("another window's create, rename, write and delete in the shared folder reach this window, listed when told", async () => {
      const here = make();
      const other = make();
      const seen: Change[] = [];
      const sub = here.onDidChange((c) => seen.push({ type: c.type, ids: c.ids }));
      const titles: string[] = [];
      const sub2 = here.onDidChange(() => void here.list().then((l) => titles.push(l.map((x) => x.title).join(','))));
      try {
        await here.list(); // this window has seen the folder
        const s = await other.create({ title: 'from the other window' });
        await until(() => seen.some((c) => c.type === 'added' && c.ids.includes(s.id)), 'added');
        await other.rename(s.id, 'renamed there');
        await until(() => seen.some((c) => c.type === 'changed' && c.ids.includes(s.id)), 'changed');
        await until(() => titles.some((t) => t === 'renamed there'), 'the listing has the new title when told');
        await other.delete(s.id);
        await until(() => seen.some((c) => c.type === 'deleted' && c.ids.includes(s.id)), 'deleted');
        assert.deepEqual(await here.list(), []);
      } finally {
        sub.dispose();
        sub2.dispose();
        here.dispose();
        other.dispose();
      }
    });

    it("this window's own writes tell nothing through the watcher; its rename and delete are told once", async () => {
      const store = make();
      const seen: Change[] = [];
      const sub = store.onDidChange((c) => seen.push({ type: c.type, ids: c.ids }));
      try {
        const s = await store.create({ title: 'mine' });
        await store.appendMessage(s.id, msg('user-0001', 'user', 'q'));
        await store.appendMessage(s.id, msg('asst-0001', 'assistant', '', 'streaming'));
        await store.updateMessage(s.id, 'asst-0001', { content: 'a', status: 'complete' });
        await store.folded();
        await store.rename(s.id, 'renamed');
        await store.delete(s.id);
        // Past the watcher's batching delay: nothing more comes.
        await new Promise((r) => setTimeout(r, 400));
        await store.settled();
        assert.deepEqual(seen, [
          { type: 'renamed', ids: [s.id] },
          { type: 'deleted', ids: [s.id] },
        ]);
      } finally {
        sub.dispose();
        store.dispose();
      }
    });
  });
});
