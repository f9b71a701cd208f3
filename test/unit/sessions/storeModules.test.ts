/** The small modules fileStore.ts orchestrates, each through its own API. */
import assert from 'node:assert/strict';
import { promises as fs, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CorruptFileError, HOST, writeFileAtomic } from '../../../src/gateway/sessions/atomicFile';
import { LiveRecords } from '../../../src/gateway/sessions/liveRecords';
import { Owner, removeLeftovers } from '../../../src/gateway/sessions/recovery';
import { TranscriptFiles } from '../../../src/gateway/sessions/transcriptFiles';
import type { Session } from '../../../src/shared/session';

const ID = 'session-0001';
const session = (id = ID): Session => ({ id, title: 'T', created_at: 1, updated_at: 1, messages: [] });

describe('session store modules', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-modules-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('TranscriptFiles: a write returns the identity a stat then finds; stat tells a file, nothing and a folder apart', async () => {
    const files = new TranscriptFiles(dir, { fsync: false, writeText: writeFileAtomic });
    assert.deepEqual(await files.stat(ID), { kind: 'gone' });
    const written = await files.write(session());
    const st = await files.stat(ID);
    assert.equal(st.kind, 'file');
    assert.equal(st.kind === 'file' && st.key, written?.key);
    assert.deepEqual(await files.read(ID), session());
    assert.deepEqual(await files.ids(), [ID]);
    await fs.mkdir(path.join(dir, 'session-0002.json'));
    const folder = await files.stat('session-0002');
    assert.equal(folder.kind === 'unusable' && folder.reason, 'not a regular file');
    assert.equal(await files.remove(ID), true);
    assert.equal(await files.remove(ID), false);
  });

  it('TranscriptFiles: content that names another session is corrupt, never read as this one', async () => {
    const files = new TranscriptFiles(dir, { fsync: false, writeText: writeFileAtomic });
    await fs.writeFile(files.fileOf(ID), JSON.stringify(session('session-9999')));
    await assert.rejects(files.read(ID), CorruptFileError);
  });

  it('LiveRecords: the folder is made on the first write; a record that is not one reads as none', async () => {
    const live = new LiveRecords(path.join(dir, 'live'), writeFileAtomic);
    assert.equal(await live.read(ID), undefined);
    await live.write(ID, { pid: 1, host: 'h' }, false);
    assert.deepEqual(await live.read(ID), { pid: 1, host: 'h' });
    assert.deepEqual(await live.ids(), [ID]);
    await fs.writeFile(live.fileOf(ID), '{"pid":"not a number"}');
    assert.equal(await live.read(ID), undefined);
    await live.remove(ID);
    assert.deepEqual(await live.ids(), []);
  });

  it('Owner: itself and another machine count as alive; this pid with an unknown token (an earlier process) as dead', () => {
    const owner = new Owner();
    assert.equal(owner.alive(owner.record()), true);
    assert.equal(owner.alive({ pid: process.pid, host: 'another-machine' }), true);
    assert.equal(owner.alive({ pid: process.pid, host: HOST, token: 'gone-long-ago' }), false);
    assert.equal(new Owner(() => false).alive({ pid: 12345, host: HOST }), false);
    assert.equal(new Owner(() => true).alive({ pid: 12345, host: HOST }), true);
  });

  it('removeLeftovers: temp files and stale-lock remains older than a minute go; new ones and sessions stay', async () => {
    const old = Date.now() / 1000 - 120;
    const names = { oldTemp: `.${ID}.json.a1b2c3.tmp`, newTemp: `.${ID}.json.d4e5f6.tmp`, oldStale: `${ID}.json.lock.stale`, sessionFile: `${ID}.json` };
    for (const n of Object.values(names)) await fs.writeFile(path.join(dir, n), '{}');
    utimesSync(path.join(dir, names.oldTemp), old, old);
    utimesSync(path.join(dir, names.oldStale), old, old);
    utimesSync(path.join(dir, names.sessionFile), old, old);
    await removeLeftovers([dir, path.join(dir, 'missing')]);
    assert.deepEqual((await fs.readdir(dir)).sort(), [names.newTemp, names.sessionFile].sort());
  });
});
