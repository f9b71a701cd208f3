import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CorruptFileError,
  LockTimeoutError,
  pidAlive,
  quarantineFile,
  readJsonFile,
  withLock,
  writeFileAtomic,
} from '../../../src/gateway/sessions/atomicFile';
import { makeZombie } from './zombie';

const parseObj = (v: unknown) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
  return v as Record<string, unknown>;
};

describe('atomicFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-atomic-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('writes a file and leaves no temp file behind', async () => {
    const f = path.join(dir, 'a.json');
    await writeFileAtomic(f, JSON.stringify({ x: 1 }));
    await writeFileAtomic(f, JSON.stringify({ x: 2 }));
    assert.deepEqual(await readJsonFile(f, parseObj), { x: 2 });
    assert.deepEqual(await fs.readdir(dir), ['a.json']);
  });

  it('replaces by rename: a reader holding the old file keeps a whole old version', async () => {
    const f = path.join(dir, 'a.json');
    await writeFileAtomic(f, 'old');
    const h = await fs.open(f, 'r');
    await writeFileAtomic(f, 'new-content');
    assert.equal((await h.readFile('utf8')), 'old');
    await h.close();
    assert.equal(await fs.readFile(f, 'utf8'), 'new-content');
  });

  it('readJsonFile: missing is undefined; not-JSON and invalid are CorruptFileError', async () => {
    assert.equal(await readJsonFile(path.join(dir, 'none.json'), parseObj), undefined);
    const bad = path.join(dir, 'bad.json');
    await fs.writeFile(bad, '{"x": 1');
    await assert.rejects(readJsonFile(bad, parseObj), (e: unknown) => e instanceof CorruptFileError && /not JSON/.test(e.message));
    await fs.writeFile(bad, '[1,2]');
    await assert.rejects(readJsonFile(bad, parseObj), (e: unknown) => e instanceof CorruptFileError && /invalid content/.test(e.message));
  });

  it('quarantineFile moves a file aside and keeps its bytes', async () => {
    const f = path.join(dir, 'bad.json');
    await fs.writeFile(f, 'garbage');
    const moved = await quarantineFile(f);
    assert.ok(moved && moved.startsWith(f + '.corrupt-'));
    assert.equal(await fs.readFile(moved, 'utf8'), 'garbage');
    await assert.rejects(fs.stat(f));
    assert.equal(await quarantineFile(f), undefined);
  });

  it('withLock serializes read-modify-write cycles in one process', async () => {
    const f = path.join(dir, 'counter.json');
    await writeFileAtomic(f, JSON.stringify({ n: 0 }));
    const lock = f + '.lock';
    await Promise.all(
      Array.from({ length: 40 }, () =>
        withLock(lock, async () => {
          const cur = (await readJsonFile(f, parseObj))!;
          await new Promise((r) => setImmediate(r));
          await writeFileAtomic(f, JSON.stringify({ n: (cur.n as number) + 1 }), { fsync: false });
        }),
      ),
    );
    assert.deepEqual(await readJsonFile(f, parseObj), { n: 40 });
    await assert.rejects(fs.stat(lock));
  });

  it('withLock releases the lock when fn throws', async () => {
    const lock = path.join(dir, 'x.lock');
    await assert.rejects(withLock(lock, async () => { throw new Error('boom'); }), /boom/);
    assert.equal(await withLock(lock, async () => 'ok'), 'ok');
  });

  it('withLock recovers a lock left by a dead process', async () => {
    const lock = path.join(dir, 'x.lock');
    // A pid that is certainly not running: a child that has exited.
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    await fs.writeFile(lock, `${pid}\n${os.hostname()}\n${Date.now()}\nabcd\n`);
    assert.equal(await withLock(lock, async () => 'taken', { timeoutMs: 5000 }), 'taken');
  });

  it('a process killed with SIGKILL and not yet reaped (a zombie) is dead: its lock is taken at once', async function () {
    if (process.platform !== 'linux') this.skip();
    const zombie = await makeZombie();
    try {
      assert.equal(pidAlive(zombie.pid), false);
      assert.equal(pidAlive(process.pid), true);
      const lock = path.join(dir, 'x.lock');
      await fs.writeFile(lock, `${zombie.pid}\n${os.hostname()}\n${Date.now()}\nabcd\n`);
      assert.equal(await withLock(lock, async () => 'taken', { timeoutMs: 2000 }), 'taken');
    } finally {
      zombie.dispose();
    }
  });

  it('withLock recovers a lock older than staleMs, and times out on a fresh live one', async () => {
    const lock = path.join(dir, 'x.lock');
    await fs.writeFile(lock, `${process.pid}\n${os.hostname()}\n0\nabcd\n`);
    await assert.rejects(withLock(lock, async () => 'no', { timeoutMs: 100, staleMs: 60_000 }), LockTimeoutError);
    const old = new Date(Date.now() - 120_000);
    await fs.utimes(lock, old, old);
    assert.equal(await withLock(lock, async () => 'taken', { timeoutMs: 5000, staleMs: 60_000 }), 'taken');
  });

  it('a process killed at any moment while taking locks never leaves an empty lock that blocks the next taker', async function () {
    this.timeout(60_000);
    const lock = path.join(dir, 'x.lock');
    const worker = path.join(__dirname, 'fixtures', 'lockLoop.ts');
    for (let round = 0; round < 12; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', worker, lock], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise((r) => child.on('exit', r));
      await new Promise<void>((r) => child.stdout.on('data', (d) => String(d).includes('ready') && r()));
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));
      child.kill('SIGKILL');
      await exited;
      const left = await fs.readFile(lock, 'utf8').catch(() => undefined);
      assert.notEqual(left, '', `round ${round}: an empty lock file was left`);
      // Well below staleMs: only a lock whose content names the dead pid is recovered this fast.
      assert.equal(await withLock(lock, async () => 'taken', { timeoutMs: 2000, staleMs: 60_000 }), 'taken');
    }
  });

  it('withLock excludes another process (child increments the same counter)', async function () {
    this.timeout(60_000);
    const f = path.join(dir, 'counter.json');
    await writeFileAtomic(f, JSON.stringify({ n: 0 }));
    const worker = path.join(__dirname, 'fixtures', 'counterWorker.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', worker, f, '30'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const childDone = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    for (let i = 0; i < 30; i++) {
      await withLock(f + '.lock', async () => {
        const cur = (await readJsonFile(f, parseObj))!;
        await new Promise((r) => setTimeout(r, 1));
        await writeFileAtomic(f, JSON.stringify({ n: (cur.n as number) + 1 }), { fsync: false });
      });
    }
    assert.equal(await childDone, 0, stderr);
    assert.deepEqual(await readJsonFile(f, parseObj), { n: 60 });
  });
});
