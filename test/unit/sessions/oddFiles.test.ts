/**
 * Odd files in the data folder: a named pipe (whose open blocks until a writer
 * comes) or an oversized file where Hearth expects one of its own. Each is refused
 * before a byte is read; nothing hangs; the good sessions stay listed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lockDataDir } from '../../../src/gateway/sessions/dataDirLock';
import { FileSessionStore } from '../../../src/gateway/sessions/fileStore';
import { NotRegularFileError, readRegularFile, readRegularFileSync } from '../../../src/gateway/sessions/regularFile';
import { PrefsFile } from '../../../src/standalone/prefsFile';
import { startOllamaDouble } from '../../double';
import { request } from '../server/httpClient';
import { spawnGateway } from '../server/spawnGateway';
import { TOKEN } from '../server/testGateway';

const mkfifo = (file: string) => execFileSync('mkfifo', [file]);

/** Fails (instead of hanging the run) when `p` takes longer than ms: today's failure mode is a hang. */
function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} still blocked after ${ms} ms`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

describe('odd files in the data folder (named pipes, oversized files)', function () {
  this.timeout(30_000);
  let dir: string;
  before(function () {
    if (process.platform === 'win32') this.skip();
  });
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-odd-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true, maxRetries: 5 }));

  it('readRegularFile: reads a regular file; refuses a FIFO, a folder and a file over the cap without blocking', async () => {
    const f = path.join(dir, 'a.json');
    await fs.writeFile(f, '{"a":1}');
    assert.equal(await readRegularFile(f, 100), '{"a":1}');
    assert.equal(readRegularFileSync(f, 100), '{"a":1}');
    await assert.rejects(readRegularFile(f, 6), (e: unknown) => e instanceof NotRegularFileError && e.reason === 'too large');
    assert.throws(() => readRegularFileSync(f, 6), NotRegularFileError);
    const fifo = path.join(dir, 'pipe');
    mkfifo(fifo);
    await within(2000, assert.rejects(readRegularFile(fifo, 100), (e: unknown) => e instanceof NotRegularFileError && e.reason === 'not a regular file'), 'read of a FIFO');
    assert.throws(() => readRegularFileSync(fifo, 100), NotRegularFileError);
    await assert.rejects(readRegularFile(dir, 100), NotRegularFileError);
    await assert.rejects(readRegularFile(path.join(dir, 'missing'), 100), { code: 'ENOENT' });
  });

  it('FileSessionStore: a FIFO at live/<id>.json, .index.json or <id>.json blocks neither list, get, recovery nor writes', async () => {
    const writer = new FileSessionStore({ dir, fsync: false });
    const a = await writer.create({ title: 'a' });
    const b = await writer.create({ title: 'b' });
    await fs.rm(path.join(dir, '.index.json'), { force: true });
    await fs.mkdir(path.join(dir, 'live'), { recursive: true });
    mkfifo(path.join(dir, 'live', `${a.id}.json`));
    mkfifo(path.join(dir, '.index.json'));
    mkfifo(path.join(dir, 'abcdefgh-a-pipe.json'));
    const logs: string[] = [];
    const store = new FileSessionStore({ dir, fsync: false, log: (l) => logs.push(l) });
    await within(5000, store.recoverInterrupted(), 'recovery');
    const listed = await within(5000, store.list(), 'list');
    assert.deepEqual(listed.map((s) => s.id).sort(), [a.id, b.id].sort());
    assert.equal((await within(5000, store.get(a.id), 'get'))?.title, 'a');
    await within(5000, store.rename(a.id, 'renamed'), 'rename');
    assert.equal((await store.get(a.id))?.title, 'renamed');
    assert.ok(logs.some((l) => l.includes('abcdefgh-a-pipe.json') && l.includes('not a regular file')), logs.join('\n'));
  });

  it('an oversized side record is ignored like an unreadable one (the session still reads)', async () => {
    const store = new FileSessionStore({ dir, fsync: false });
    const s = await store.create({ title: 'big record' });
    await fs.mkdir(path.join(dir, 'live'), { recursive: true });
    // Sparse: 65 MiB on paper, nothing on disk.
    const h = await fs.open(path.join(dir, 'live', `${s.id}.json`), 'w');
    await h.truncate(65 * 1024 * 1024);
    await h.close();
    assert.equal((await within(5000, store.get(s.id), 'get'))?.title, 'big record');
  });

  it('PrefsFile: a FIFO at prefs.json means "no preferences yet", logged, not a hang', async () => {
    mkfifo(path.join(dir, 'prefs.json'));
    const logs: string[] = [];
    const prefs = await within(2000, PrefsFile.open(dir, (m) => logs.push(m)), 'PrefsFile.open');
    assert.equal(prefs.get('anything'), undefined);
    assert.match(logs.join('\n'), /prefs\.json.*not a regular file/);
  });

  it('the data folder lock: a FIFO at gateway.lock is a clear error, not a hang', async () => {
    mkfifo(path.join(dir, 'gateway.lock'));
    await within(3000, assert.rejects(lockDataDir(dir), /gateway\.lock is not a regular file/), 'lockDataDir');
  });

  it('the standalone gateway starts and answers GET /sessions with FIFOs at prefs.json, .index.json and live/<id>.json', async () => {
    const writer = new FileSessionStore({ dir, fsync: false });
    const s = await writer.create({ title: 'kept' });
    await fs.rm(path.join(dir, '.index.json'), { force: true });
    await fs.mkdir(path.join(dir, 'live'), { recursive: true });
    mkfifo(path.join(dir, 'live', `${s.id}.json`));
    mkfifo(path.join(dir, '.index.json'));
    mkfifo(path.join(dir, 'prefs.json'));
    const double = await startOllamaDouble({ models: ['m1'] });
    const g = spawnGateway({ HEARTH_DATA_DIR: dir, OLLAMA_HOST: double.url, HEARTH_GATEWAY_TOKEN: TOKEN });
    try {
      const port = await within(20_000, g.ready, 'gateway start');
      const list = await within(5000, request(port, { path: '/sessions', token: TOKEN }), 'GET /sessions');
      assert.equal(list.status, 200);
      assert.deepEqual(list.json.sessions.map((x: { session_id: string }) => x.session_id), [s.id]);
    } finally {
      await g.kill('SIGKILL');
      await double.stop();
    }
  });
});
