import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../../../src/gateway/sessions/atomicFile';
import { FileSessionStore, type WriteText } from '../../../src/gateway/sessions/fileStore';
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
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
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

  describe('the question journal: an appended message is durable in live/<id>.json, folded into <id>.json off the caller\'s path', () => {
    const sessionFile = (id: string) => path.join(dir, `${id}.json`);
    const liveFile = (id: string) => path.join(dir, 'live', `${id}.json`);
    const onDisk = async (id: string) => sessionSchema.parse(JSON.parse(await fs.readFile(sessionFile(id), 'utf8')));
    const question = (id: string, content = 'and why is that?') => msg(id, 'user', content);

    /** Records every write of a store; `gate` holds (or fails) writes of session files until opened. */
    const recorder = () => {
      const writes: { file: string; bytes: number; phase: string }[] = [];
      let phase = 'setup';
      let gate: { open: Promise<void>; release: () => void; fail?: Error } | undefined;
      const writeText: WriteText = async (file, text, opts) => {
        const isSession = path.dirname(file) === dir && !path.basename(file).startsWith('.index');
        if (isSession && gate) {
          if (gate.fail) throw gate.fail;
          await gate.open;
        }
        writes.push({ file: path.relative(dir, file), bytes: Buffer.byteLength(text), phase });
        await writeFileAtomic(file, text, opts);
      };
      return {
        writes,
        writeText,
        phase: (p: string) => void (phase = p),
        hold: () => {
          let release!: () => void;
          gate = { open: new Promise<void>((r) => (release = r)), release: () => ((gate = undefined), release()) };
          return gate.release;
        },
        failSessionWrites: (on: boolean) => void (gate = on ? { open: Promise.resolve(), release: () => {}, fail: Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }) } : undefined),
      };
    };

    /** A finished conversation of about `kb` KB. */
    const conversation = async (store: FileSessionStore, kb: number, tag: string) => {
      const s = await store.create({ title: tag });
      const per = 5 * 1024;
      for (let i = 0; i < Math.max(2, Math.round(kb / 5)); i++) {
        await store.appendMessage(s.id, msg(`${tag}-${String(i).padStart(6, '0')}`, i % 2 ? 'assistant' : 'user', 'x'.repeat(per)));
      }
      await store.folded();
      return s.id;
    };

    it('bytes written before appendMessage resolves are the question\'s, not the session\'s: the same at 10 KB and at 1 MB, and <id>.json is not among them', async () => {
      const rec = recorder();
      const store = new FileSessionStore({ dir, fsync: false, writeText: rec.writeText });
      const small = await conversation(store, 10, 'small');
      const large = await conversation(store, 1024, 'large');
      assert.ok((await fs.stat(sessionFile(large))).size > 1_000_000);
      const q = question('user-q00001', 'Why does the cache key change? '.repeat(20));
      const caller: Record<string, { files: string[]; bytes: number }> = {};
      for (const id of [small, large]) {
        rec.phase(id);
        await store.appendMessage(id, { ...q });
        rec.phase('after');
        const mine = rec.writes.filter((w) => w.phase === id);
        caller[id] = { files: mine.map((w) => w.file), bytes: mine.reduce((n, w) => n + w.bytes, 0) };
        await store.folded();
      }
      for (const id of [small, large]) {
        assert.deepEqual(caller[id]!.files, [path.join('live', `${id}.json`)], 'only the side record is written on the caller\'s path');
        assert.ok(caller[id]!.bytes < JSON.stringify(q).length + 300, `${caller[id]!.bytes} bytes for a question of ${JSON.stringify(q).length}`);
      }
      assert.ok(Math.abs(caller[small]!.bytes - caller[large]!.bytes) < 16, 'the cost does not follow the session');
      // The fold followed, off the caller's path: the message is in <id>.json once, the side record gone.
      for (const id of [small, large]) {
        const messages = (await onDisk(id)).messages;
        assert.equal(messages.filter((m) => m.id === q.id).length, 1);
        assert.equal(messages.at(-1)!.content, q.content);
        await assert.rejects(fs.access(liveFile(id)));
      }
    });

    it('appendMessage resolves while the fold\'s write of <id>.json is held; every reader, in this store and another, sees the question meanwhile', async () => {
      let t = 5_000;
      const rec = recorder();
      const a = new FileSessionStore({ dir, fsync: false, writeText: rec.writeText, now: () => t++ });
      const id = await conversation(a, 10, 'conv');
      const before = (await a.summary(id))!;
      const release = rec.hold();
      await a.appendMessage(id, question('user-q00001')); // would never resolve if it waited for <id>.json
      assert.equal((await onDisk(id)).messages.length, before.message_count, 'not folded yet');
      const b = new FileSessionStore({ dir, fsync: false });
      for (const store of [a, b]) {
        const got = (await store.get(id))!;
        assert.equal(got.messages.length, before.message_count + 1);
        assert.equal(got.messages.at(-1)!.id, 'user-q00001');
        const summary = (await store.summary(id))!;
        assert.equal(summary.message_count, before.message_count + 1);
        assert.ok(summary.updated_at > before.updated_at);
        assert.equal(summary.updated_at, got.updated_at);
        assert.deepEqual((await store.list()).find((x) => x.id === id), summary);
      }
      release();
      await a.folded();
      const after = await b.get(id);
      assert.equal(after!.messages.filter((m) => m.id === 'user-q00001').length, 1);
      assert.deepEqual(await onDisk(id), after, 'what readers saw is what was folded, updated_at included');
      assert.deepEqual(await b.summary(id), (await a.list()).find((x) => x.id === id));
    });

    it('a fold that fails leaves the question durable and readable; the next write, by another store, folds it once', async () => {
      const logs: string[] = [];
      const rec = recorder();
      const a = new FileSessionStore({ dir, fsync: false, writeText: rec.writeText, log: (l) => logs.push(l) });
      const id = await conversation(a, 10, 'conv');
      rec.failSessionWrites(true);
      await a.appendMessage(id, question('user-q00001'));
      await a.folded();
      assert.match(logs.join('\n'), /could not fold .*ENOSPC/);
      const b = new FileSessionStore({ dir, fsync: false });
      assert.equal((await b.get(id))!.messages.at(-1)!.id, 'user-q00001');
      await assert.rejects(b.appendMessage(id, question('user-q00001')), (e) => isStoreError(e, 'duplicate_message'), 'a message in the journal is in the session');
      await b.rename(id, 'renamed by b');
      const file = await onDisk(id);
      assert.equal(file.messages.filter((m) => m.id === 'user-q00001').length, 1);
      assert.equal(file.title, 'renamed by b');
      await assert.rejects(fs.access(liveFile(id)));
      rec.failSessionWrites(false);
      assert.equal((await a.get(id))!.messages.filter((m) => m.id === 'user-q00001').length, 1);
    });

    it('while folds keep failing, questions pile up in the journal to a bound, then the append fails loudly; none is lost', async () => {
      const rec = recorder();
      const store = new FileSessionStore({ dir, fsync: false, writeText: rec.writeText, log: () => {} });
      const id = await conversation(store, 10, 'conv');
      const base = (await store.summary(id))!.message_count;
      rec.failSessionWrites(true);
      let accepted = 0;
      for (let i = 0; i < 40; i++) {
        try {
          await store.appendMessage(id, question(`user-q${String(i).padStart(5, '0')}`));
          accepted++;
        } catch (e) {
          assert.match(String(e), /ENOSPC/);
          break;
        }
        await store.folded();
      }
      assert.ok(accepted > 0 && accepted < 40, `${accepted} accepted`);
      assert.equal((await store.get(id))!.messages.length, base + accepted);
      rec.failSessionWrites(false);
      await store.appendMessage(id, question('user-qlast0'));
      await store.folded();
      const ids = (await onDisk(id)).messages.slice(base).map((m) => m.id);
      assert.deepEqual(ids, [...Array.from({ length: accepted }, (_, i) => `user-q${String(i).padStart(5, '0')}`), 'user-qlast0']);
    });

    it('the reply\'s placeholder, appended right after the question as the chat service does, folds it: one write of <id>.json', async () => {
      const rec = recorder();
      const store = new FileSessionStore({ dir, fsync: false, writeText: rec.writeText });
      const id = await conversation(store, 10, 'conv');
      rec.phase('turn');
      await store.appendMessage(id, question('user-q00001'));
      await store.appendMessage(id, msg('asst-q00001', 'assistant', '', 'streaming'));
      await store.folded();
      assert.equal(rec.writes.filter((w) => w.phase === 'turn' && w.file === `${id}.json`).length, 1);
      assert.deepEqual((await onDisk(id)).messages.slice(-2).map((m) => m.id), ['user-q00001', 'asst-q00001']);
      const owner = JSON.parse(await fs.readFile(liveFile(id), 'utf8'));
      assert.equal(owner.appended, undefined, 'the side record is the reply\'s owner record again');
      assert.equal(owner.pid, process.pid);
    });

    it('pruning a session whose question is still in the journal moves it to the trash with the question', async () => {
      let t = 1;
      const rec = recorder();
      const store = new FileSessionStore({ dir, fsync: false, maxSessions: 1, now: () => t++, writeText: rec.writeText });
      const first = await store.create({ title: 'first' });
      rec.failSessionWrites(true);
      await store.appendMessage(first.id, question('user-q00001'));
      await store.folded();
      rec.failSessionWrites(false);
      await store.create({ title: 'second' });
      await store.settled();
      const trashed = sessionSchema.parse(JSON.parse(await fs.readFile(path.join(dir, 'trash', `${first.id}.json`), 'utf8')));
      assert.deepEqual(trashed.messages.map((m) => m.id), ['user-q00001']);
    });

    describe('SIGKILL', function () {
      this.timeout(60_000);
      const worker = path.join(__dirname, 'fixtures', 'questionWriter.ts');
      const run = (id: string, mode: string, until: string) => {
        const child = spawn(process.execPath, ['--import', 'tsx', worker, dir, id, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        const exited = new Promise<void>((r) => child.on('exit', () => r()));
        const reached = new Promise<void>((resolve, reject) => {
          child.stdout.on('data', (d) => {
            out += String(d);
            if (out.includes(until)) resolve();
          });
          void exited.then(() => reject(new Error(`the writer exited before "${until}": ${out}`)));
        });
        return { reached, kill: async () => (child.kill('SIGKILL'), await exited), output: () => out };
      };

      it('between the durable side write and the fold: another store sees the question, recovery folds it once', async () => {
        const id = 'journal-crash-1';
        const child = run(id, 'before-fold', 'appended');
        await child.reached;
        await child.kill();
        assert.deepEqual((await onDisk(id)).messages.map((m) => m.id), ['user-0000', 'asst-0000'], 'the fold never ran');
        assert.equal(JSON.parse(await fs.readFile(liveFile(id), 'utf8')).appended.messages[0].id, 'user-0001');
        const reader = new FileSessionStore({ dir });
        assert.deepEqual((await reader.get(id))!.messages.map((m) => m.id), ['user-0000', 'asst-0000', 'user-0001'], 'before any recovery');
        assert.equal((await reader.list())[0]!.message_count, 3);
        const fresh = new FileSessionStore({ dir });
        assert.equal(await fresh.recoverInterrupted(), 0, 'no reply was streaming');
        assert.deepEqual((await onDisk(id)).messages.map((m) => m.id), ['user-0000', 'asst-0000', 'user-0001']);
        await assert.rejects(fs.access(liveFile(id)));
        await fresh.recoverInterrupted();
        assert.deepEqual((await new FileSessionStore({ dir }).get(id))!.messages.map((m) => m.id), ['user-0000', 'asst-0000', 'user-0001']);
      });

      it('after the fold wrote <id>.json but before it removed the side record: the question is not applied twice', async () => {
        const id = 'journal-crash-2';
        const child = run(id, 'after-write', 'folded');
        await child.reached;
        await child.kill();
        assert.deepEqual((await onDisk(id)).messages.map((m) => m.id), ['user-0000', 'asst-0000', 'user-0001']);
        assert.equal(JSON.parse(await fs.readFile(liveFile(id), 'utf8')).appended.messages[0].id, 'user-0001', 'the record outlived the fold');
        const reader = new FileSessionStore({ dir });
        assert.deepEqual((await reader.get(id))!.messages.map((m) => m.id), ['user-0000', 'asst-0000', 'user-0001']);
        assert.equal((await reader.summary(id))!.message_count, 3);
        await reader.appendMessage(id, msg('user-0002', 'user', 'next'));
        await reader.folded();
        assert.deepEqual((await onDisk(id)).messages.map((m) => m.id), ['user-0000', 'asst-0000', 'user-0001', 'user-0002']);
        await new FileSessionStore({ dir }).recoverInterrupted();
        assert.deepEqual((await onDisk(id)).messages.map((m) => m.id), ['user-0000', 'asst-0000', 'user-0001', 'user-0002']);
      });

      it('at a random moment of a stream of questions: every acknowledged one is kept, once, in order', async () => {
        for (let round = 0; round < 4; round++) {
          const id = `journal-loop-${round}`;
          const child = run(id, 'loop', 'ready');
          await child.reached;
          await new Promise((r) => setTimeout(r, 30 + Math.random() * 250));
          await child.kill();
          const acked = [...child.output().matchAll(/acked (\S+)/g)].map((m) => m[1]!);
          await new FileSessionStore({ dir }).recoverInterrupted();
          const ids = (await onDisk(id)).messages.map((m) => m.id).slice(2);
          assert.equal(new Set(ids).size, ids.length, 'no question twice');
          assert.deepEqual(ids.slice(0, acked.length), acked, 'every acknowledged question, in order');
          assert.ok(ids.length <= acked.length + 1, 'at most the one being written when killed besides');
          ids.forEach((m, i) => assert.equal(m, `user-${String(i + 1).padStart(4, '0')}`));
          await assert.rejects(fs.access(liveFile(id)));
        }
      });
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
      await store.settled(); // pruning runs off the create's path
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
