import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CodebaseIndex } from '../../../src/shared/codebase/codebaseIndex';
import { FileIndexStorage, NodeFileSource } from '../../../src/gateway/codebase/nodeFileSource';

/** Polls `check` until it holds or `ms` pass (the watcher's events arrive when the OS sends them). */
async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > ms) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }

}

describe('codebase index on a real folder (Node file source)', () => {
  let dir: string;
  let ws: string;
  const indexes: CodebaseIndex[] = [];
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-codebase-'));
    ws = path.join(dir, 'ws');
    await fs.mkdir(path.join(ws, 'src', 'deep'), { recursive: true });
    await fs.writeFile(path.join(ws, 'src', 'server.ts'), 'export function startServer() {\n  listen(8080);\n}\n');
    await fs.writeFile(path.join(ws, '.env'), 'SECRET=startServer\n');
    await fs.writeFile(path.join(dir, 'outside.ts'), 'export function startServer() {}\n');
  });
  afterEach(async () => {
    for (const i of indexes.splice(0)) i.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  });
  const open = (opts: Partial<ConstructorParameters<typeof CodebaseIndex>[0]> = {}) => {
    const i = new CodebaseIndex({ source: new NodeFileSource(ws), ...opts });
    indexes.push(i);
    return i;
  };

  it('survives a symlink loop, skips a link that leaves the workspace, and a 50 MB file', async () => {
    await fs.symlink(ws, path.join(ws, 'src', 'deep', 'loop'), 'dir');
    await fs.symlink(path.join(dir, 'outside.ts'), path.join(ws, 'src', 'escape.ts'));
    const big = await fs.open(path.join(ws, 'src', 'huge.ts'), 'w');
    await big.truncate(50 * 1024 * 1024); // sparse: 50 MB without writing them
    await big.close();
    const index = open();
    await index.start();
    const s = index.state();
    assert.equal(s.state, 'ready');
    assert.deepEqual((await index.search('startServer')).map((r) => r.path), ['src/server.ts']);
    assert.equal(s.skipped.outside, 1);
    assert.equal(s.skipped.too_large, 1);
  });

  it('a saved file, then its deletion, reach the index through the folder watcher', async function () {
    this.timeout(20_000);
    const index = open({ debounceMs: 50 });
    await index.start();
    await fs.writeFile(path.join(ws, 'src', 'fresh.ts'), 'export function freshlySavedThing() {}\n');
    await until(async () => (await index.search('freshlySavedThing')).length === 1, 10_000, 'the new file in the index');
    await fs.rm(path.join(ws, 'src', 'fresh.ts'));
    await until(async () => (await index.search('freshlySavedThing')).length === 0, 10_000, 'the deleted file to leave');
  });

  it('stores the index in a file and reads it back after a restart', async () => {
    const file = path.join(dir, 'data', 'codebase', 'index.json');
    const a = open({ storage: new FileIndexStorage(file) });
    await a.start();
    await a.flush();
    a.dispose();
    assert.equal((await fs.readFile(file)).subarray(0, 4).toString('latin1'), 'HCIX', 'the binary store (storedIndex.ts)');
    const b = open({ storage: new FileIndexStorage(file) });
    await b.start();
    assert.deepEqual((await b.search('listen')).map((r) => r.path), ['src/server.ts']);
  });

  it('FileIndexStorage: nothing stored yet reads as undefined (text and bytes), a write makes its folders, any other read failure is thrown', async () => {
    const file = path.join(dir, 'data', 'codebase', 'embeddings.json');
    const store = new FileIndexStorage(file);
    assert.equal(await store.read(), undefined);
    assert.equal(await store.readBytes(), undefined);
    await store.write('{"model":"nomic-embed-text"}');
    assert.equal(await store.read(), '{"model":"nomic-embed-text"}');
    await store.writeBytes(new Uint8Array([0x48, 0x43, 0x49, 0x58]));
    assert.deepEqual([...(await store.readBytes())!], [0x48, 0x43, 0x49, 0x58]);
    // A folder where the file should be is not "no index yet": the caller sees the error.
    const folder = new FileIndexStorage(path.join(dir, 'data'));
    await assert.rejects(folder.read(), { code: 'EISDIR' });
    await assert.rejects(folder.readBytes(), { code: 'EISDIR' });
  });
});
