/**
 * A messy data folder: a folder named <id>.json (EISDIR), a file
 * that cannot be read (EACCES, injected: CI runs as root, where chmod 000 does not
 * stop a read), a corrupt file. Each is skipped and logged; every good session is
 * listed; a create never fails because pruning did; the gateway starts.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExtensionSessionStore } from '../../../src/extension/sessions/extensionSessionStore';
import type { ReadText } from '../../../src/gateway/sessions/atomicFile';
import { FileSessionStore } from '../../../src/gateway/sessions/fileStore';
import { startOllamaDouble } from '../../double';
import { FakeEngine } from '../../support/fakeEngine';
import { MemoryMemento } from '../../support/memento';
import { request } from '../server/httpClient';
import { spawnGateway } from '../server/spawnGateway';
import { startTestGateway, TOKEN } from '../server/testGateway';

const DIR_ID = 'abcdefgh-is-a-folder';
const LOCKED_ID = 'abcdefgh-no-access';

/** fs.readFile, except that files named in `denied` fail as a chmod 000 file does for a normal user. */
function denying(...denied: string[]): ReadText {
  return async (file) => {
    if (denied.some((id) => path.basename(file) === `${id}.json`)) {
      throw Object.assign(new Error(`EACCES: permission denied, open '${file}'`), { code: 'EACCES', errno: -13, syscall: 'open', path: file });
    }
    return fs.readFile(file, 'utf8');
  };
}

/** Two good sessions, a folder named like a session, and a session file the reader will be denied. */
async function messyFolder(dir: string): Promise<string[]> {
  const writer = new FileSessionStore({ dir, fsync: false });
  const good = [(await writer.create({ title: 'good one' })).id, (await writer.create({ title: 'good two' })).id];
  await writer.create({ id: LOCKED_ID, title: 'locked' });
  await fs.mkdir(path.join(dir, `${DIR_ID}.json`));
  return good;
}

describe('data folder faults: one bad entry never stops the store', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-faults-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true, maxRetries: 5 }));

  it('FileSessionStore: lists every good session, skips and logs each bad entry once, recovery runs', async () => {
    const good = await messyFolder(dir);
    await fs.writeFile(path.join(dir, 'abcdefgh-corrupt.json'), '{"half');
    const logs: string[] = [];
    const corrupt: string[] = [];
    const store = new FileSessionStore({ dir, readText: denying(LOCKED_ID), log: (l) => logs.push(l), onCorrupt: (f) => corrupt.push(f) });
    assert.equal(await store.recoverInterrupted(), 0);
    assert.deepEqual((await store.list()).map((s) => s.id).sort(), good.sort());
    await store.list();
    assert.equal(logs.filter((l) => l.includes(DIR_ID)).length, 1, logs.join('\n'));
    assert.equal(logs.filter((l) => l.includes(LOCKED_ID) && l.includes('EACCES')).length, 1, logs.join('\n'));
    assert.equal(corrupt.length, 1);
    assert.equal(await store.get(DIR_ID), undefined);
    assert.equal(await store.get(LOCKED_ID), undefined);
    // Left where they are: not ours to move or delete.
    assert.ok((await fs.stat(path.join(dir, `${DIR_ID}.json`))).isDirectory());
    await fs.access(path.join(dir, `${LOCKED_ID}.json`));
  });

  it('FileSessionStore: a create with pruning due succeeds beside bad entries, and when pruning itself fails', async () => {
    await messyFolder(dir);
    const logs: string[] = [];
    const store = new FileSessionStore({ dir, maxSessions: 2, readText: denying(LOCKED_ID), log: (l) => logs.push(l) });
    const s = await store.create({ title: 'new' });
    assert.ok((await store.list()).some((x) => x.id === s.id));
    assert.ok(logs.some((l) => l.startsWith('pruned 1 session')), logs.join('\n'));

    // The trash cannot be made (a file is in its way): the create still succeeds, the failure is logged.
    await fs.writeFile(path.join(dir, 'trash-blocker'), '');
    const blocked = new FileSessionStore({ dir, maxSessions: 1, trashDir: path.join(dir, 'trash-blocker', 'trash'), readText: denying(LOCKED_ID), log: (l) => logs.push(l) });
    const t = await blocked.create({ title: 'newer' });
    assert.ok((await blocked.list()).some((x) => x.id === t.id));
    assert.ok(logs.some((l) => /could not prune session/.test(l)), logs.join('\n'));
  });

  it('ExtensionSessionStore: the same rules (list, recovery, create with pruning)', async () => {
    const sessions = path.join(dir, 'sessions');
    const good = await messyFolder(sessions);
    const logs: string[] = [];
    const store = new ExtensionSessionStore({ memento: new MemoryMemento(), dir, maxSessions: () => 3, readText: denying(LOCKED_ID), log: (l) => logs.push(l), fsync: false });
    assert.equal(await store.recoverInterrupted(), 0);
    assert.deepEqual((await store.list()).map((s) => s.id).sort(), good.sort());
    const s = await store.create({ title: 'new' });
    assert.deepEqual((await store.list()).map((x) => x.id).sort(), [...good, s.id].sort());
    assert.ok(logs.some((l) => l.includes(DIR_ID)) && logs.some((l) => l.includes(LOCKED_ID)), logs.join('\n'));
  });

  it('gateway routes: GET /sessions lists the good ones, POST /chat/message succeeds and prunes, nothing answers 500', async () => {
    const good = await messyFolder(dir);
    const gw = await startTestGateway({ engine: new FakeEngine(), dir, storeOptions: { maxSessions: 2, readText: denying(LOCKED_ID) } });
    try {
      const list = await request(gw.port, { path: '/sessions', token: TOKEN });
      assert.equal(list.status, 200, list.text);
      assert.deepEqual(list.json.sessions.map((s: { session_id: string }) => s.session_id).sort(), good.sort());
      const posted = await request(gw.port, { method: 'POST', path: '/chat/message', token: TOKEN, body: { model: 'fake-model', content: 'hello' } });
      assert.equal(posted.status, 201, posted.text);
      const after = await request(gw.port, { path: '/sessions', token: TOKEN });
      assert.equal(after.status, 200);
      assert.ok(after.json.sessions.some((s: { session_id: string }) => s.session_id === posted.json.session_id));
      assert.equal(after.json.sessions.length, 2, 'pruned to maxSessions');
      assert.ok(gw.logs.some((l) => l.startsWith('store pruned 1 session')), gw.logs.join('\n'));
      assert.equal((await request(gw.port, { path: `/sessions/${DIR_ID}`, token: TOKEN })).status, 404);
      assert.ok(!gw.logs.some((l) => l.startsWith('error')), gw.logs.join('\n'));
    } finally {
      await gw.close();
    }
  });

  it('the standalone gateway starts on a folder holding a folder named <id>.json and lists the good sessions', async () => {
    const good = await messyFolder(dir);
    const double = await startOllamaDouble({ models: ['m1'] });
    const g = spawnGateway({ HEARTH_DATA_DIR: dir, OLLAMA_HOST: double.url, HEARTH_GATEWAY_TOKEN: TOKEN });
    try {
      const port = await g.ready;
      const list = await request(port, { path: '/sessions', token: TOKEN });
      assert.equal(list.status, 200);
      // Without the injected fault the 'locked' file reads fine: it is listed too.
      assert.deepEqual(list.json.sessions.map((s: { session_id: string }) => s.session_id).sort(), [...good, LOCKED_ID].sort());
      assert.match(g.stderr(), new RegExp(`skipped session file .*${DIR_ID}\\.json: not a regular file`));
    } finally {
      await g.kill('SIGKILL');
      await double.stop();
    }
  });
});
