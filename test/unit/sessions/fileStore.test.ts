import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileSessionStore } from '../../../src/gateway/sessions/fileStore';
import { isStoreError } from '../../../src/gateway/sessions/errors';
import { sessionSchema } from '../../../src/shared/session';
import { SESSION_ID_RE, type ChatMessage } from '../../../src/shared/session';

function msg(id: string, role: ChatMessage['role'], content: string, status: ChatMessage['status'] = 'complete'): ChatMessage {
  return { id, role, content, status, created_at: 1 };
}

describe('FileSessionStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-store-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('creates a session as <id>.json, valid against sessionSchema, with a generated safe id', async () => {
    const store = new FileSessionStore({ dir });
    const s = await store.create({ model: 'm1' });
    assert.match(s.id, SESSION_ID_RE);
    assert.equal(s.title, 'New chat');
    const raw = JSON.parse(await fs.readFile(path.join(dir, `${s.id}.json`), 'utf8'));
    assert.deepEqual(sessionSchema.parse(raw), s);
  });

  it('creates a session with its first question in one durable write', async () => {
    const store = new FileSessionStore({ dir });
    const q = msg('user-00001', 'user', 'first question');
    const s = await store.create({ title: 'T', messages: [q] });
    const raw = JSON.parse(await fs.readFile(path.join(dir, `${s.id}.json`), 'utf8'));
    assert.deepEqual(raw.messages, [q]);
    assert.equal((await store.list())[0]?.message_count, 1);
  });

  it('appends, updates, truncates, renames, sets the model, and lists summaries newest first', async () => {
    let t = 1000;
    const store = new FileSessionStore({ dir, now: () => t++ });
    const a = await store.create({ title: 'A' });
    const b = await store.create({ title: 'B' });
    await store.appendMessage(a.id, msg('user-00001', 'user', 'hi'));
    await store.appendMessage(a.id, msg('asst-00001', 'assistant', '', 'streaming'));
    await store.updateMessage(a.id, 'asst-00001', { content: 'hello', status: 'complete', finish_reason: 'stop' });
    await store.rename(a.id, '  Renamed ');
    await store.setModel(a.id, 'mx');
    const got = (await store.get(a.id))!;
    assert.equal(got.title, 'Renamed');
    assert.equal(got.model, 'mx');
    assert.deepEqual(got.messages.map((m) => [m.id, m.content, m.status]), [
      ['user-00001', 'hi', 'complete'],
      ['asst-00001', 'hello', 'complete'],
    ]);
    const list = await store.list();
    assert.deepEqual(list.map((x) => x.id), [a.id, b.id]);
    assert.equal(list[0]!.status, 'complete');
    assert.equal(list[0]!.message_count, 2);
    assert.equal(list[1]!.status, 'empty');
    await store.truncateFrom(a.id, 'asst-00001');
    assert.deepEqual((await store.get(a.id))!.messages.map((m) => m.id), ['user-00001']);
  });

  it('refuses duplicate message ids and unknown sessions/messages with typed errors', async () => {
    const store = new FileSessionStore({ dir });
    const s = await store.create({});
    await store.appendMessage(s.id, msg('user-00001', 'user', 'hi'));
    await assert.rejects(store.appendMessage(s.id, msg('user-00001', 'user', 'again')), (e) => isStoreError(e, 'duplicate_message'));
    await assert.rejects(store.updateMessage(s.id, 'nope-00000', { content: 'x' }), (e) => isStoreError(e, 'message_not_found'));
    await assert.rejects(store.appendMessage('abcdefgh-0000', msg('x-00000001', 'user', 'x')), (e) => isStoreError(e, 'session_not_found'));
    await assert.rejects(store.create({ id: s.id }), (e) => isStoreError(e, 'session_exists'));
  });

  it('never touches paths from ids that are not valid session ids', async () => {
    const store = new FileSessionStore({ dir });
    for (const bad of ['../outside', '..', '%2e%2e', 'ABCDEFGHIJ', 'a/b/c/d/e/f', '', 'short']) {
      assert.equal(await store.get(bad), undefined, bad);
      assert.equal(await store.delete(bad), false, bad);
      await assert.rejects(store.rename(bad, 'x'), (e) => isStoreError(e, 'session_not_found'));
      await assert.rejects(store.create({ id: bad }), (e) => isStoreError(e, 'invalid_id'));
    }
  });

  it('deletes a session', async () => {
    const store = new FileSessionStore({ dir });
    const s = await store.create({});
    assert.equal(await store.delete(s.id), true);
    assert.equal(await store.delete(s.id), false);
    assert.equal(await store.get(s.id), undefined);
    assert.deepEqual(await store.list(), []);
  });

  it('quarantines a corrupt file instead of crashing, and lists the rest', async () => {
    const seen: string[] = [];
    const store = new FileSessionStore({ dir, onCorrupt: (f) => seen.push(path.basename(f)) });
    const good = await store.create({ title: 'good' });
    await fs.writeFile(path.join(dir, 'abcdefgh-bad1.json'), '{"truncated": ');
    await fs.writeFile(path.join(dir, 'abcdefgh-bad2.json'), JSON.stringify({ id: 'abcdefgh-bad2', title: 5 }));
    const list = await store.list();
    assert.deepEqual(list.map((x) => x.id), [good.id]);
    assert.deepEqual(seen.sort(), ['abcdefgh-bad1.json', 'abcdefgh-bad2.json']);
    const names = await fs.readdir(dir);
    assert.ok(names.some((n) => n.startsWith('abcdefgh-bad1.json.corrupt-')));
    assert.equal(await store.get('abcdefgh-bad1'), undefined);
  });

  it('a file whose content names another id is treated as corrupt', async () => {
    const store = new FileSessionStore({ dir });
    const s = await store.create({});
    await fs.copyFile(path.join(dir, `${s.id}.json`), path.join(dir, 'abcdefgh-other.json'));
    assert.equal(await store.get('abcdefgh-other'), undefined);
    assert.equal((await store.list()).length, 1);
  });

  it('returns copies: mutating a returned session does not change the store', async () => {
    const store = new FileSessionStore({ dir });
    const s = await store.create({ title: 'T' });
    const got = (await store.get(s.id))!;
    got.title = 'changed';
    got.messages.push(msg('x-00000001', 'user', 'x'));
    assert.equal((await store.get(s.id))!.title, 'T');
    assert.equal((await store.get(s.id))!.messages.length, 0);
  });

  it('two store instances on one folder see each other\'s writes (cache invalidated by file identity)', async () => {
    const a = new FileSessionStore({ dir });
    const b = new FileSessionStore({ dir });
    const s = await a.create({ title: 'shared' });
    assert.equal((await b.get(s.id))!.title, 'shared');
    assert.equal((await b.list()).length, 1);
    await b.rename(s.id, 'by b');
    assert.equal((await a.get(s.id))!.title, 'by b');
    assert.equal((await a.list())[0]!.title, 'by b');
    await a.delete(s.id);
    assert.deepEqual(await b.list(), []);
  });

  it('two store instances appending concurrently lose nothing', async () => {
    const a = new FileSessionStore({ dir, fsync: false });
    const b = new FileSessionStore({ dir, fsync: false });
    const s = await a.create({});
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 ? a : b).appendMessage(s.id, msg(`m-${String(i).padStart(8, '0')}`, 'user', `n${i}`)),
      ),
    );
    const ids = (await a.get(s.id))!.messages.map((m) => m.id).sort();
    assert.equal(ids.length, 30);
    assert.equal(new Set(ids).size, 30);
  });

  it('a child process appending to the same session concurrently loses nothing', async function () {
    this.timeout(60_000);
    const store = new FileSessionStore({ dir, fsync: false });
    const s = await store.create({});
    const worker = path.join(__dirname, 'fixtures', 'appendWorker.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', worker, dir, s.id, 'child', '25'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    for (let i = 0; i < 25; i++) await store.appendMessage(s.id, msg(`parent-${String(i).padStart(4, '0')}`, 'user', 'p'));
    assert.equal(await exited, 0, stderr);
    const ids = (await store.get(s.id))!.messages.map((m) => m.id);
    assert.equal(ids.filter((x) => x.startsWith('parent-')).length, 25);
    assert.equal(ids.filter((x) => x.startsWith('child-')).length, 25);
    // Each writer's own messages stay in its order.
    const parents = ids.filter((x) => x.startsWith('parent-'));
    assert.deepEqual(parents, [...parents].sort());
  });

  it('recoverInterrupted marks streaming replies interrupted, keeping their text', async () => {
    const store = new FileSessionStore({ dir });
    const s = await store.create({});
    await store.appendMessage(s.id, msg('user-00001', 'user', 'q'));
    await store.appendMessage(s.id, msg('asst-00001', 'assistant', 'partial ans', 'streaming'));
    const other = await store.create({});
    await store.appendMessage(other.id, msg('user-00002', 'user', 'q2'));
    // A new process: the writer's pid is gone.
    const fresh = new FileSessionStore({ dir, isAlive: () => false });
    assert.equal(await fresh.recoverInterrupted(), 1);
    const m = (await fresh.get(s.id))!.messages[1]!;
    assert.equal(m.status, 'interrupted');
    assert.equal(m.content, 'partial ans');
    assert.equal(m.error?.code, 'interrupted');
    assert.equal((await fresh.list()).find((x) => x.id === s.id)!.status, 'interrupted');
    assert.equal(await fresh.recoverInterrupted(), 0);
  });

  it('recoverInterrupted removes old temp files left by a crash', async () => {
    const store = new FileSessionStore({ dir });
    await store.create({});
    const tmp = path.join(dir, '.abcdefgh-x.json.0123.tmp');
    await fs.writeFile(tmp, '{"half');
    const old = new Date(Date.now() - 3600_000);
    await fs.utimes(tmp, old, old);
    await store.recoverInterrupted();
    await assert.rejects(fs.stat(tmp));
  });

  it('keeps at most maxSessions, deleting the least recently updated', async () => {
    let t = 1;
    const store = new FileSessionStore({ dir, maxSessions: 3, now: () => t++ });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await store.create({ title: `s${i}` })).id);
    await store.rename(ids[0]!, 'touched'); // now s1 is the oldest
    const newest = await store.create({ title: 's3' });
    const left = (await store.list()).map((x) => x.id).sort();
    assert.deepEqual(left, [ids[0]!, ids[2]!, newest.id].sort());
  });

  describe('partial saves of a streaming reply', () => {
    const statKey = async (f: string) => {
      const st = await fs.stat(f, { bigint: true });
      return `${st.ino}:${st.mtimeNs}:${st.size}`;
    };
    const streamingSession = async (store: FileSessionStore) => {
      const s = await store.create({});
      await store.appendMessage(s.id, msg('user-00001', 'user', 'q'));
      await store.appendMessage(s.id, msg('asst-00001', 'assistant', '', 'streaming'));
      return s.id;
    };

    it('go to live/<id>.json only; reads show them; the final write folds them in and removes the side file', async () => {
      const store = new FileSessionStore({ dir });
      const id = await streamingSession(store);
      const file = path.join(dir, `${id}.json`);
      const before = await statKey(file);
      await store.updateMessage(id, 'asst-00001', { content: 'Hel', status: 'streaming' });
      await store.updateMessage(id, 'asst-00001', { thinking: 'hmm' });
      await store.updateMessage(id, 'asst-00001', { content: 'Hello', status: 'streaming' });
      assert.equal(await statKey(file), before, 'the session file is not rewritten by a partial save');
      const live = JSON.parse(await fs.readFile(path.join(dir, 'live', `${id}.json`), 'utf8'));
      assert.deepEqual([live.partial.content, live.partial.thinking, live.pid], ['Hello', 'hmm', process.pid]);
      const got = (await new FileSessionStore({ dir }).get(id))!.messages[1]!;
      assert.deepEqual([got.content, got.thinking, got.status], ['Hello', 'hmm', 'streaming']);

      await store.updateMessage(id, 'asst-00001', { content: 'Hello!', status: 'complete', finish_reason: 'stop' });
      const onDisk = sessionSchema.parse(JSON.parse(await fs.readFile(file, 'utf8')));
      assert.deepEqual([onDisk.messages[1]!.content, onDisk.messages[1]!.thinking, onDisk.messages[1]!.status], ['Hello!', 'hmm', 'complete']);
      await assert.rejects(fs.access(path.join(dir, 'live', `${id}.json`)));
    });

    it('a partial folded by a later full write is never applied again', async () => {
      const store = new FileSessionStore({ dir });
      const id = await streamingSession(store);
      await store.updateMessage(id, 'asst-00001', { content: 'old partial', status: 'streaming' });
      await store.rename(id, 'renamed mid-reply'); // a full write: folds the partial into the file
      assert.equal(JSON.parse(await fs.readFile(path.join(dir, `${id}.json`), 'utf8')).messages[1].content, 'old partial');
      await store.updateMessage(id, 'asst-00001', { content: 'newer, written in full', model: 'm2' }); // not a partial-only patch
      for (const s of [store, new FileSessionStore({ dir })]) assert.equal((await s.get(id))!.messages[1]!.content, 'newer, written in full');
    });

    it('a partial for a message that is not streaming takes the full path (and its errors)', async () => {
      const store = new FileSessionStore({ dir });
      const s = await store.create({});
      await store.appendMessage(s.id, msg('asst-00001', 'assistant', 'done', 'complete'));
      await store.updateMessage(s.id, 'asst-00001', { content: 'edited' });
      assert.equal(JSON.parse(await fs.readFile(path.join(dir, `${s.id}.json`), 'utf8')).messages[0].content, 'edited');
      await assert.rejects(store.updateMessage(s.id, 'nope-00000', { content: 'x', status: 'streaming' }), (e) => isStoreError(e, 'message_not_found'));
    });

    it('SIGKILL at any moment of partial saves: both files parse, and recovery keeps a prefix of what was written', async function () {
      this.timeout(60_000);
      const worker = path.join(__dirname, 'fixtures', 'partialWriter.ts');
      for (let round = 0; round < 4; round++) {
        const id = `crash-round-${round}`;
        const child = spawn(process.execPath, ['--import', 'tsx', worker, dir, id], { stdio: ['ignore', 'pipe', 'inherit'] });
        const exited = new Promise((r) => child.on('exit', r));
        await new Promise<void>((r) => child.stdout.on('data', (d) => String(d).includes('streaming') && r()));
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 300));
        child.kill('SIGKILL');
        await exited;
        sessionSchema.parse(JSON.parse(await fs.readFile(path.join(dir, `${id}.json`), 'utf8')));
        const liveFile = path.join(dir, 'live', `${id}.json`);
        const live = JSON.parse(await fs.readFile(liveFile, 'utf8'));
        assert.ok(live.partial.content.length > 0, 'partial saves reached the disk');
        const store = new FileSessionStore({ dir });
        assert.equal(await store.recoverInterrupted(), 1);
        const reply = (await store.get(id))!.messages[1]!;
        assert.equal(reply.status, 'interrupted');
        assert.equal(reply.content, live.partial.content, 'the latest durable partial is kept');
        assert.match(reply.content, /^(w\d+ )+$/);
        assert.ok(reply.content.split(' ').filter(Boolean).every((w, i) => w === `w${i}`));
      }
    });
  });

  describe('owner records of streaming replies', () => {
    it('recovery leaves a reply of a live owner alone and recovers a dead owner\'s', async () => {
      const writer = new FileSessionStore({ dir });
      const s = await writer.create({});
      await writer.appendMessage(s.id, msg('asst-00001', 'assistant', '', 'streaming'));
      const ownerFile = path.join(dir, 'live', `${s.id}.json`);
      const rec = JSON.parse(await fs.readFile(ownerFile, 'utf8'));
      await fs.writeFile(ownerFile, JSON.stringify({ ...rec, pid: 424242 }));
      assert.equal(await new FileSessionStore({ dir, isAlive: (pid) => pid === 424242 }).recoverInterrupted(), 0);
      assert.equal((await writer.get(s.id))!.messages[0]!.status, 'streaming');
      const fresh = new FileSessionStore({ dir, isAlive: () => false, interruptedBy: 'editor' });
      assert.equal(await fresh.recoverInterrupted(), 1);
      const m = (await fresh.get(s.id))!.messages[0]!;
      assert.equal(m.status, 'interrupted');
      assert.match(m.error!.message, /VS Code/);
      await assert.rejects(fs.access(ownerFile), 'the owner record goes with the reply');
    });

    it('an owner with our pid is alive only if it is a store of this process (pid reuse after a restart)', async () => {
      const writer = new FileSessionStore({ dir });
      const s = await writer.create({});
      await writer.appendMessage(s.id, msg('asst-00001', 'assistant', '', 'streaming'));
      assert.equal(await new FileSessionStore({ dir }).recoverInterrupted(), 0, 'another live store of this process owns it');
      const ownerFile = path.join(dir, 'live', `${s.id}.json`);
      const rec = JSON.parse(await fs.readFile(ownerFile, 'utf8'));
      await fs.writeFile(ownerFile, JSON.stringify({ ...rec, token: 'from-an-earlier-process' }));
      assert.equal(await new FileSessionStore({ dir }).recoverInterrupted(), 1);
    });

    it('a streaming reply without an owner record (a crash between the two writes, or 0.1 files) is recovered', async () => {
      const writer = new FileSessionStore({ dir });
      const s = await writer.create({});
      await writer.appendMessage(s.id, msg('asst-00001', 'assistant', 'half', 'streaming'));
      await fs.rm(path.join(dir, 'live'), { recursive: true });
      const fresh = new FileSessionStore({ dir });
      assert.equal(await fresh.recoverInterrupted(), 1);
      assert.equal((await fresh.get(s.id))!.messages[0]!.content, 'half');
    });
  });

  describe('memory: summaries in memory, transcripts on demand', () => {
    const counting = () => {
      const reads: string[] = [];
      return { reads, readText: async (f: string) => (reads.push(path.basename(f)), fs.readFile(f, 'utf8')) };
    };

    it('a store starting on a folder reads no transcript whose file identity matches the persisted index; a changed file is re-read', async () => {
      const a = new FileSessionStore({ dir });
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await a.create({ title: `s${i}` })).id);
      await a.list();
      const b = counting();
      const second = new FileSessionStore({ dir, readText: b.readText });
      assert.equal((await second.list()).length, 3);
      assert.deepEqual(b.reads, [], 'summaries came from .index.json');
      await a.rename(ids[1]!, 'changed elsewhere');
      assert.equal((await second.list()).find((x) => x.id === ids[1])!.title, 'changed elsewhere');
      assert.deepEqual(b.reads, [`${ids[1]}.json`]);

      await fs.writeFile(path.join(dir, '.index.json'), '{"v":1,"entries":[{"key":"x","summary":{"id":"../evil"}}, 42]');
      const c = counting();
      assert.equal((await new FileSessionStore({ dir, readText: c.readText }).list()).length, 3, 'a broken index is only a cache');
      assert.equal(c.reads.length, 3);
    });

    it('listing and reading cache no transcript; a session being changed is cached within cacheBytes, least recently used out first', async () => {
      const w = new FileSessionStore({ dir });
      const [x, y] = [await w.create({ title: 'x' }), await w.create({ title: 'y' })];
      const f = (...ids: string[]) => ids.map((i) => `${i}.json`);
      const roomy = counting();
      const store = new FileSessionStore({ dir, readText: roomy.readText });
      await store.list();
      await store.get(x.id);
      await store.get(x.id);
      assert.deepEqual(roomy.reads.sort(), f(x.id, x.id, x.id, y.id).sort(), 'nothing kept from list or get');
      roomy.reads.length = 0;
      await store.rename(x.id, 'x2');
      await store.appendMessage(x.id, msg('user-00001', 'user', 'q'));
      const got = (await store.get(x.id))!;
      assert.deepEqual(roomy.reads, f(x.id), 'read once, then served from the cache');
      got.messages.length = 0; // a copy: the cache is not changed through it
      assert.equal((await store.get(x.id))!.messages.length, 1);

      const small = counting();
      const tight = new FileSessionStore({ dir, readText: small.readText, cacheBytes: 1 });
      await tight.rename(x.id, 'a');
      await tight.rename(x.id, 'b');
      await tight.rename(y.id, 'c');
      await tight.rename(x.id, 'd');
      assert.deepEqual(small.reads, f(x.id, y.id, x.id), 'only the most recent one is kept');
    });
  });

  describe('pruning goes to the trash', () => {
    it('moves the least recently updated beyond maxSessions to trash/<id>.json, logged; recovery empties trash older than 30 days', async () => {
      let t = 1;
      const logs: string[] = [];
      const store = new FileSessionStore({ dir, maxSessions: 2, now: () => t++, log: (l) => logs.push(l) });
      const first = await store.create({ title: 'first' });
      await store.appendMessage(first.id, msg('user-00001', 'user', 'keep me'));
      await store.create({ title: 'second' });
      await store.create({ title: 'third' });
      const trashed = path.join(dir, 'trash', `${first.id}.json`);
      const kept = sessionSchema.parse(JSON.parse(await fs.readFile(trashed, 'utf8')));
      assert.equal(kept.messages[0]!.content, 'keep me');
      assert.ok(Date.now() - (await fs.stat(trashed)).mtimeMs < 60_000, 'its 30 days start now');
      assert.equal((await store.list()).length, 2);
      assert.equal(logs.length, 1);
      assert.match(logs[0]!, new RegExp(`^pruned 1 session beyond the limit of 2 .*trash.*30 days: ${first.id}$`));

      const recent = path.join(dir, 'trash', 'abcdefgh-recent.json');
      await fs.writeFile(recent, '{}');
      await fs.utimes(recent, new Date(Date.now() - 29 * 86_400_000), new Date(Date.now() - 29 * 86_400_000));
      const old = new Date(Date.now() - 31 * 86_400_000);
      await fs.utimes(trashed, old, old);
      await new FileSessionStore({ dir, log: (l) => logs.push(l) }).recoverInterrupted();
      await assert.rejects(fs.access(trashed));
      await fs.access(recent);
      assert.match(logs.at(-1)!, /^removed 1 session older than 30 days from .*trash$/);
    });
  });
});
