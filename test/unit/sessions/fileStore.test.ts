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
    const fresh = new FileSessionStore({ dir });
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
});
