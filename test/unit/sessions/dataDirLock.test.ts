import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATA_DIR_LOCK_FILE, DataDirInUseError, lockDataDir } from '../../../src/gateway/sessions/dataDirLock';
import { makeZombie } from './zombie';

const HOLDER = path.join(__dirname, 'fixtures', 'lockHolder.ts');

/** A child process holding the lock on dir (resolves once it has it). */
async function holder(dir: string): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += String(d);
      if (out.includes('locked\n')) resolve();
      if (out.includes('refused')) reject(new Error(out));
    });
    void exited.then(() => reject(new Error(`holder exited: ${out}`)));
  });
  return { child, exited };
}

describe('data folder lock (one standalone gateway per folder)', function () {
  this.timeout(30_000);
  let dir: string;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-dirlock-'));
  });
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('refuses a second holder while another process holds it, naming the folder and that pid', async () => {
    const h = await holder(dir);
    children.push(h.child);
    await assert.rejects(lockDataDir(dir), (e: unknown) => {
      assert.ok(e instanceof DataDirInUseError);
      assert.equal(e.owner.pid, h.child.pid);
      assert.ok(e.message.includes(dir), e.message);
      assert.match(e.message, new RegExp(`pid ${h.child.pid}\\b`));
      assert.match(e.message, /HEARTH_DATA_DIR/);
      return true;
    });
  });

  it('a holder killed with SIGKILL does not leave the folder locked', async () => {
    const h = await holder(dir);
    children.push(h.child);
    h.child.kill('SIGKILL');
    await h.exited;
    await fs.access(path.join(dir, DATA_DIR_LOCK_FILE)); // left behind, as a crash leaves it
    const lock = await lockDataDir(dir);
    const owner = JSON.parse(await fs.readFile(lock.file, 'utf8'));
    assert.equal(owner.pid, process.pid);
    await lock.release();
    await assert.rejects(fs.access(lock.file));
  });

  it('a restart right after SIGKILL, before the supervisor reaps the killed gateway (a zombie), starts at once', async function () {
    if (process.platform !== 'linux') this.skip();
    const zombie = await makeZombie();
    try {
      const file = path.join(dir, DATA_DIR_LOCK_FILE);
      await fs.writeFile(file, JSON.stringify({ pid: zombie.pid, host: os.hostname(), token: 'killed', started_at: Date.now() }));
      const lock = await lockDataDir(dir);
      assert.equal(JSON.parse(await fs.readFile(lock.file, 'utf8')).pid, process.pid);
      await lock.release();
    } finally {
      zombie.dispose();
    }
  });

  it('in one process: held until released, then free again', async () => {
    const lock = await lockDataDir(dir);
    await assert.rejects(lockDataDir(dir), DataDirInUseError);
    await lock.release();
    const again = await lockDataDir(dir);
    await again.release();
  });

  it('our own pid without our token (a restarted container reuses pids) is a dead owner', async () => {
    const file = path.join(dir, DATA_DIR_LOCK_FILE);
    await fs.writeFile(file, JSON.stringify({ pid: process.pid, host: os.hostname(), token: 'earlier-life', started_at: 1 }));
    const lock = await lockDataDir(dir);
    await lock.release();
  });

  it('a lock from another host is honoured while its heartbeat is fresh, taken over once it is stale', async () => {
    const file = path.join(dir, DATA_DIR_LOCK_FILE);
    await fs.writeFile(file, JSON.stringify({ pid: 4242, host: 'elsewhere.example', token: 't', started_at: Date.now() }));
    await assert.rejects(lockDataDir(dir), (e: unknown) => e instanceof DataDirInUseError && /elsewhere\.example/.test(e.message));
    const old = new Date(Date.now() - 120_000);
    await fs.utimes(file, old, old);
    const lock = await lockDataDir(dir);
    await lock.release();
  });

  it('a garbled lock file left by a crash while writing it is taken over once it is a few seconds old', async () => {
    const file = path.join(dir, DATA_DIR_LOCK_FILE);
    await fs.writeFile(file, '{"pid": 12');
    const old = new Date(Date.now() - 10_000);
    await fs.utimes(file, old, old);
    const lock = await lockDataDir(dir);
    await lock.release();
  });

  it('two processes racing for a free folder: exactly one gets it', async () => {
    const spawnOne = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      let out = '';
      child.stdout!.on('data', (d) => (out += String(d)));
      return new Promise<string>((resolve) => {
        const t = setInterval(() => {
          if (out.includes('locked') || out.includes('refused')) {
            clearInterval(t);
            resolve(out.includes('locked') ? 'locked' : 'refused');
          }
        }, 20);
      });
    };
    const results = await Promise.all([spawnOne(), spawnOne(), spawnOne()]);
    assert.deepEqual(results.sort(), ['locked', 'refused', 'refused']);
  });
});
