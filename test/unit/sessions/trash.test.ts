/**
 * The trash removes only what Hearth put there (a symlinked trash, foreign names,
 * folders and links in it are left alone), and is bounded by count and bytes each
 * time something is trashed, not only by age at start-up.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileSessionStore } from '../../../src/gateway/sessions/fileStore';
import { TRASH_MAX_SESSIONS } from '../../../src/gateway/sessions/trash';

const OLD = new Date(Date.now() - 40 * 86_400_000);

async function oldFile(file: string, content = 'x'): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content);
  await fs.utimes(file, OLD, OLD);
}

async function exists(file: string): Promise<boolean> {
  return fs.lstat(file).then(
    () => true,
    () => false,
  );
}

describe('the trash', function () {
  this.timeout(60_000);
  let root: string;
  let dir: string;
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-trash-'));
    dir = path.join(root, 'data');
    await fs.mkdir(dir);
  });
  afterEach(() => fs.rm(root, { recursive: true, force: true, maxRetries: 5 }));

  it('a trash folder that is a symlink to another folder: nothing there is removed at start-up, nothing moved into it, logged', async () => {
    const elsewhere = path.join(root, 'elsewhere');
    await oldFile(path.join(elsewhere, 'thesis.tex'));
    await oldFile(path.join(elsewhere, 'abcdefgh-named-like-a-session.json'));
    await oldFile(path.join(elsewhere, 'project', 'main.c'));
    await fs.symlink(elsewhere, path.join(dir, 'trash'));
    const logs: string[] = [];
    const store = new FileSessionStore({ dir, fsync: false, maxSessions: 1, log: (l) => logs.push(l) });
    await store.recoverInterrupted();
    for (const f of ['thesis.tex', 'abcdefgh-named-like-a-session.json', 'project/main.c']) assert.ok(await exists(path.join(elsewhere, f)), f);
    assert.equal(logs.filter((l) => /trash folder .* is a symbolic link; left alone/.test(l)).length, 1, logs.join('\n'));

    // Pruning does not move sessions into someone else's folder: they stay in the history.
    await store.create({ title: 'one' });
    await store.create({ title: 'two' });
    await store.settled();
    assert.equal((await store.list()).length, 2);
    assert.deepEqual((await fs.readdir(elsewhere)).sort(), ['abcdefgh-named-like-a-session.json', 'project', 'thesis.tex']);
    assert.equal(logs.filter((l) => l.includes('symbolic link')).length, 1, 'logged once, not at every create');
  });

  it('in a real trash only regular files named <id>.json are removed: other names, folders and symlinks stay (and a link target is never touched)', async () => {
    const trash = path.join(dir, 'trash');
    const outside = path.join(root, 'outside.json');
    await oldFile(outside);
    await oldFile(path.join(trash, 'abcdefgh-pruned.json'), '{}');
    await oldFile(path.join(trash, 'notes.txt'));
    await oldFile(path.join(trash, 'abcdefgh-folder.json', 'inner.txt'));
    await fs.utimes(path.join(trash, 'abcdefgh-folder.json'), OLD, OLD);
    await fs.symlink(outside, path.join(trash, 'abcdefgh-link.json'));
    await fs.lutimes(path.join(trash, 'abcdefgh-link.json'), OLD, OLD);
    const logs: string[] = [];
    await new FileSessionStore({ dir, fsync: false, log: (l) => logs.push(l) }).recoverInterrupted();
    assert.equal(await exists(path.join(trash, 'abcdefgh-pruned.json')), false);
    assert.ok(await exists(path.join(trash, 'notes.txt')));
    assert.ok(await exists(path.join(trash, 'abcdefgh-folder.json', 'inner.txt')));
    assert.ok(await exists(path.join(trash, 'abcdefgh-link.json')));
    assert.ok(await exists(outside));
    assert.match(logs.join('\n'), /^removed 1 session older than 30 days from /m);
  });

  it('is bounded by count each time something is trashed (300 creates, maxSessions 5)', async () => {
    const store = new FileSessionStore({ dir, fsync: false, maxSessions: 5, trashMaxSessions: 20 });
    for (let i = 0; i < 300; i++) await store.create({ title: `s${i}` });
    await store.settled();
    const trashed = await fs.readdir(path.join(dir, 'trash'));
    assert.equal((await store.list()).length, 5);
    assert.equal(trashed.length, 20);
    // The most recently trashed are the ones kept.
    const kept = new Set(await Promise.all(trashed.map(async (n) => JSON.parse(await fs.readFile(path.join(dir, 'trash', n), 'utf8')).title as string)));
    assert.ok(kept.has('s294'), [...kept].join(' '));
    assert.ok(!kept.has('s0'));
  });

  it('is bounded by bytes each time something is trashed', async () => {
    const big = 'x'.repeat(20_000);
    const store = new FileSessionStore({ dir, fsync: false, maxSessions: 2, trashMaxBytes: 100_000 });
    for (let i = 0; i < 30; i++) await store.create({ title: `s${i}`, messages: [{ id: `user-${String(i).padStart(5, '0')}`, role: 'user', content: big, status: 'complete', created_at: 1 }] });
    await store.settled();
    const names = await fs.readdir(path.join(dir, 'trash'));
    let bytes = 0;
    for (const n of names) bytes += (await fs.stat(path.join(dir, 'trash', n))).size;
    assert.ok(bytes <= 100_000, `${bytes} bytes in the trash`);
    assert.ok(names.length >= 3, `${names.length} kept`);
  });

  it(`the default bound: at most ${TRASH_MAX_SESSIONS} sessions`, async () => {
    const trash = path.join(dir, 'trash');
    await fs.mkdir(trash);
    for (let i = 0; i < TRASH_MAX_SESSIONS + 40; i++) await fs.writeFile(path.join(trash, `abcdefgh-t${String(i).padStart(4, '0')}.json`), '{}');
    await new FileSessionStore({ dir, fsync: false }).recoverInterrupted();
    assert.equal((await fs.readdir(trash)).length, TRASH_MAX_SESSIONS);
  });
});
