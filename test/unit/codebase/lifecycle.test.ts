import assert from 'node:assert/strict';
import { CodebaseIndex } from '../../../src/shared/codebase/codebaseIndex';
import { decodeStored, INDEX_MAGIC, INDEX_VERSION } from '../../../src/shared/codebase/storedIndex';
import { MemoryFileSource, MemoryIndexStorage } from '../../support/memoryFileSource';

const fn = (name: string) => `export function ${name}() {\n  return '${name}';\n}\n`;

function workspace(): MemoryFileSource {
  return new MemoryFileSource()
    .set('src/app.ts', fn('startServer'))
    .set('src/util/strings.ts', fn('padLeft'))
    .set('.gitignore', 'build/\n*.log\n')
    .set('build/out.js', fn('startServerCompiled'))
    .set('debug.log', 'startServer failed')
    .set('.env', 'API_KEY=startServer-secret')
    .set('config/.env.local', 'TOKEN=startServer')
    .set('keys/server.pem', 'startServer')
    .set('node_modules/dep/index.js', fn('startServerDep'));
}

/** The workspace indexed once and stored (the first run before a restart). */
async function storedOnce(src: MemoryFileSource): Promise<MemoryIndexStorage> {
  const storage = new MemoryIndexStorage();
  const first = new CodebaseIndex({ source: src, storage });
  await first.start();
  await first.flush();
  first.dispose();
  return storage;
}

async function paths(index: CodebaseIndex, q: string): Promise<string[]> {
  return (await index.search(q, { limit: 50 })).map((r) => r.path);
}

describe('codebase index lifecycle', () => {
  it('indexes what the picker offers: never .gitignored, secret or excluded files', async () => {
    const index = new CodebaseIndex({ source: workspace() });
    assert.equal(index.state().state, 'off');
    await index.start();
    const s = index.state();
    assert.equal(s.state, 'ready');
    assert.deepEqual(await paths(index, 'startServer'), ['src/app.ts']);
    assert.equal(s.indexed_files, 3); // app.ts, strings.ts, .gitignore
    index.dispose();
  });

  it('takes the user exclusions and the injected real-path rule', async () => {
    const index = new CodebaseIndex({ source: workspace(), exclude: ['**/util/**', '**/.env*'], mayIndex: (rel) => rel !== '.gitignore' });
    await index.start();
    assert.deepEqual(await paths(index, 'padLeft'), []);
    // app.ts, keys/server.pem and node_modules/dep/index.js: the given globs replace the defaults (the caller passes the settings whole)
    assert.equal(index.state().indexed_files, 3);
    assert.equal(index.state().skipped.outside, 1);
    index.dispose();
  });

  it('skips a binary file, an oversized one, an unreadable one and a vanishing one, counting each', async () => {
    const src = workspace();
    src.set('img/logo.png', new Uint8Array([137, 80, 78, 71, 0, 0]));
    src.set('data/blob.txt', new Uint8Array([1, 2, 0, 3, 4]));
    src.set('big/huge.ts', new Uint8Array(2 * 1024 * 1024).fill(97));
    src.set('src/locked.ts', fn('lockedFn'));
    src.failing.add('src/locked.ts');
    const vanishing = new Proxy(src, {
      get(target, prop, recv) {
        if (prop === 'read') return async (rel: string) => (rel === 'src/util/strings.ts' ? Promise.reject(Object.assign(new Error('ENOENT'), { code: 'ENOENT' })) : target.read(rel));
        return Reflect.get(target, prop, recv);
      },
    });
    const index = new CodebaseIndex({ source: vanishing });
    await index.start();
    const s = index.state();
    assert.deepEqual(s.skipped, { binary: 2, too_large: 1, unreadable: 2, outside: 0 });
    assert.equal(src.reads.get('big/huge.ts'), undefined, 'an oversized file is not read');
    assert.equal(src.reads.get('img/logo.png'), undefined, 'a binary extension is not read');
    assert.deepEqual(await paths(index, 'startServer'), ['src/app.ts']);
    index.dispose();
  });

  it('finds a 1 MB single-line minified file by its name only', async () => {
    const src = workspace().set('vendor-lib/widget.min.js', 'var a=1;'.repeat(125_000) + 'function uniqueMinifiedName(){}');
    const index = new CodebaseIndex({ source: src });
    await index.start();
    assert.deepEqual(await paths(index, 'uniqueMinifiedName'), []);
    const [hit] = await index.search('widget');
    assert.equal(hit?.path, 'vendor-lib/widget.min.js');
    assert.ok(hit.text.length <= 1001, 'the line is cut in the result');
    index.dispose();
  });

  it('indexes a symlinked file only when its real path is inside and allowed', async () => {
    const src = workspace();
    src.links.set('src/linked.ts', 'src/app.ts');
    src.links.set('src/outside.ts', null);
    src.links.set('src/secret-link.ts', '.env');
    const index = new CodebaseIndex({ source: src });
    await index.start();
    assert.deepEqual((await paths(index, 'startServer')).sort(), ['src/app.ts', 'src/linked.ts']);
    assert.equal(index.state().skipped.outside, 2);
    index.dispose();
  });

  it('caps a folder of 100,000 files at 50,000 and says so', async function () {
    this.timeout(120_000);
    const src = new MemoryFileSource();
    for (let i = 0; i < 100_000; i++) src.set(`f/d${Math.floor(i / 1000)}/x${i}.txt`, `w${i}`);
    const index = new CodebaseIndex({ source: src });
    await index.start();
    const s = index.state();
    assert.equal(s.capped, true);
    assert.equal(s.files, 50_000);
    assert.equal(s.indexed_files, 50_000);
    assert.match(s.message ?? '', /more than 50,000 files/);
    index.dispose();
  });

  it('after a restart reads only files whose size or mtime changed, and drops deleted ones', async () => {
    const src = workspace();
    const storage = await storedOnce(src);
    assert.equal(storage.writes, 1);
    src.reads.clear();
    src.set('src/app.ts', fn('stopServer'));
    src.delete('src/util/strings.ts');
    const b = new CodebaseIndex({ source: src, storage });
    await b.start();
    assert.deepEqual([...src.reads.keys()].sort(), ['.gitignore', 'src/app.ts']); // .gitignore: the walk reads it
    assert.deepEqual(await paths(b, 'stopServer'), ['src/app.ts']);
    assert.deepEqual(await paths(b, 'padLeft'), []);
    b.dispose();
  });

  it('rebuilds when the stored index is damaged, cut short, of another version, or the old JSON store', async () => {
    const good = (await storedOnce(workspace())).bytes!;
    const header = (version: number) => {
      const b = good.slice();
      new Uint32Array(b.buffer, 0, 2).set([INDEX_MAGIC, version]);
      return b;
    };
    const bad: [string, Uint8Array][] = [
      ['the JSON store of version 2', new TextEncoder().encode(JSON.stringify({ format: 'hearth-codebase-index', version: 2, meta: [], lexical: {} }))],
      ['another version', header(INDEX_VERSION + 1)],
      ['cut short', good.slice(0, good.length - 40)],
      ['empty', new Uint8Array(0)],
      ['noise', new Uint8Array(4096).map((_, i) => (i * 7919) & 255)],
    ];
    for (const [what, bytes] of bad) {
      const src = workspace();
      const logs: string[] = [];
      const storage = new MemoryIndexStorage();
      storage.bytes = bytes;
      const index = new CodebaseIndex({ source: src, storage, log: (m) => logs.push(m) });
      await index.start();
      assert.deepEqual(await paths(index, 'padLeft'), ['src/util/strings.ts'], what);
      assert.match(logs.join('\n'), /another version or damaged/, what);
      assert.ok(src.reads.has('src/util/strings.ts'), `${what}: indexed anew`);
      await index.flush();
      assert.deepEqual(storage.bytes!.slice(0, 8), header(INDEX_VERSION).slice(0, 8), `${what}: stored again in this version`);
      index.dispose();
    }
  });

  it('rebuilds when postings name chunks that do not exist', async () => {
    const src = workspace();
    const storage = await storedOnce(src);
    const steps = decodeStored(storage.bytes!);
    let r = steps.next();
    while (!r.done) r = steps.next();
    // The decoded columns are views of the stored bytes: this damages the store itself.
    r.value.cols.postings[0] = 99_999 * 1024 + 17; // chunk 99,999 of a handful
    src.reads.clear();
    const logs: string[] = [];
    const b = new CodebaseIndex({ source: src, storage, log: (m) => logs.push(m) });
    await b.start();
    assert.match(logs.join('\n'), /damaged \(a posting of term 0 names 99999 of \d+\)/);
    assert.ok(src.reads.has('src/app.ts'), 'indexed anew');
    assert.deepEqual(await paths(b, 'startServer'), ['src/app.ts']);
    b.dispose();
  });

  it('applies notified changes: a save, a create, a delete, a folder, a .gitignore', async () => {
    const src = workspace();
    const index = new CodebaseIndex({ source: src, debounceMs: 5 });
    await index.start();
    src.set('src/app.ts', fn('renamedEntry'));
    src.set('src/new/feature.ts', fn('brandNewFeature'));
    src.delete('src/util/strings.ts');
    index.notify(['src/app.ts', 'src/new', 'src/util/strings.ts']);
    await index.settled();
    assert.deepEqual(await paths(index, 'renamedEntry'), ['src/app.ts']);
    assert.deepEqual(await paths(index, 'brandNewFeature'), ['src/new/feature.ts']);
    assert.deepEqual(await paths(index, 'padLeft'), []);
    // A folder deleted (a branch switch): everything under it goes.
    src.delete('src/new/feature.ts');
    index.notify(['src/new']);
    await index.settled();
    assert.deepEqual(await paths(index, 'brandNewFeature'), []);
    // A changed .gitignore re-decides which files are in.
    src.set('.gitignore', '*.log\n');
    index.notify(['.gitignore']);
    await index.settled();
    assert.deepEqual(await paths(index, 'startServerCompiled'), ['build/out.js']);
    // A file now ignored leaves the index.
    src.set('.gitignore', 'src/\n');
    index.notify(['.gitignore']);
    await index.settled();
    assert.deepEqual(await paths(index, 'renamedEntry'), []);
    index.dispose();
  });

  it('answers searches while it builds, and reports progress', async () => {
    const src = new MemoryFileSource();
    for (let i = 0; i < 3000; i++) src.set(`m/file${i}.ts`, fn(`handler${i}`) + 'export const shared = 1;\n');
    const index = new CodebaseIndex({ source: src, sliceMs: 1 });
    const seen: number[] = [];
    let midSearch: number | undefined;
    index.onProgress((s) => {
      seen.push(s.indexed_files);
    });
    const done = index.start();
    while (index.state().indexed_files === 0) await new Promise((r) => setTimeout(r, 1));
    const partial = index.state();
    assert.equal(partial.state, 'indexing');
    midSearch = (await index.search('shared', { limit: 50 })).length;
    await done;
    assert.ok(midSearch > 0, 'a search during the build answers from what is indexed');
    assert.equal(index.state().indexed_files, 3000);
    assert.ok(seen.length >= 2 && seen[seen.length - 1] === 3000, `progress events: ${seen.length}`);
    index.dispose();
  });

  it('saves and compacts in slices: searches between the slices answer as before', async function () {
    this.timeout(30_000);
    const src = new MemoryFileSource();
    for (let i = 0; i < 1500; i++) src.set(`m/f${i}.ts`, fn(`handler${i}`) + `export const shared${i % 7} = 1;\n`);
    const storage = new MemoryIndexStorage();
    // sliceMs 0: the index yields after every step of work.
    const index = new CodebaseIndex({ source: src, storage, sliceMs: 0, saveDelayMs: 60_000, debounceMs: 5 });
    await index.start();
    const expected = await paths(index, 'handler77 shared3');
    assert.equal(expected[0], 'm/f77.ts');
    let done = false;
    let between = 0;
    const saving = index.flush().then(() => (done = true));
    while (!done) {
      assert.deepEqual(await paths(index, 'handler77 shared3'), expected);
      between++;
      await new Promise((r) => setTimeout(r, 0));
    }
    await saving;
    assert.ok(between >= 3, `searches answered while saving: ${between}`);
    // 1,200 files deleted (a branch switch): compaction runs in slices too.
    for (let i = 300; i < 1500; i++) src.delete(`m/f${i}.ts`);
    index.notify(['m']);
    await index.settled();
    assert.ok(!(await paths(index, 'handler1200')).includes('m/f1200.ts'));
    assert.equal((index as unknown as { lexical: { needsCompaction: boolean } }).lexical.needsCompaction, false, 'the removed chunks were compacted away');
    assert.equal((await paths(index, 'handler77 shared3'))[0], 'm/f77.ts');
    assert.equal(index.state().indexed_files, 300);
    await index.flush();
    index.dispose();
    const again = new CodebaseIndex({ source: src, storage });
    src.reads.clear();
    await again.start();
    assert.equal(again.state().indexed_files, 300);
    assert.equal(src.totalReads(), 0, 'nothing re-read after the restart');
    again.dispose();
  });

  it('a search whose files are slow to read still names the right files when a compaction renumbers the index meanwhile', async function () {
    this.timeout(30_000);
    const src = new MemoryFileSource();
    for (let i = 0; i < 1500; i++) src.set(`m/f${i}.ts`, fn(`handler${i}`) + `export const shared${i % 7} = 1;\n`);
    let gate: (() => void) | undefined;
    const held = new Promise<void>((r) => (gate = r));
    let holding = false;
    const slow = new Proxy(src, {
      get(target, prop, recv) {
        if (prop === 'read') return async (rel: string) => (holding && rel.startsWith('m/f') ? held.then(() => target.read(rel)) : target.read(rel));
        return Reflect.get(target, prop, recv);
      },
    });
    const index = new CodebaseIndex({ source: slow, debounceMs: 5 });
    await index.start();
    const expected = await index.search('shared3', { limit: 10 });
    holding = true;
    const searching = index.search('shared3', { limit: 10 });
    // Files not among the answers go (ids of the rest are renumbered by the compaction).
    for (let i = 0; i < 1500; i++) if (i % 7 !== 3) src.delete(`m/f${i}.ts`);
    holding = false;
    index.notify(['m']);
    await index.settled();
    assert.equal((index as unknown as { lexical: { needsCompaction: boolean } }).lexical.needsCompaction, false, 'compacted');
    gate!();
    const results = await searching;
    // The same files and chunks as before: ids were resolved before the reads waited.
    assert.deepEqual(results, expected);
    for (const r of results) assert.ok(r.text.includes(`handler${/m\/f(\d+)\.ts/.exec(r.path)![1]}`) || r.text.includes('shared3'), `${r.path}: ${r.text}`);
    index.dispose();
  });

  it('a file that vanishes after indexing is left out of results, not an error; a storage that fails is said and retried', async () => {
    const src = workspace();
    const failing = { writes: 0, async readBytes() { return undefined; }, async writeBytes() { failing.writes++; throw new Error('ENOSPC: no space left on device'); } };
    const index = new CodebaseIndex({ source: src, storage: failing, saveDelayMs: 60_000 });
    await index.start();
    src.delete('src/util/strings.ts'); // gone, and the index not told yet
    assert.deepEqual(await paths(index, 'padLeft'), []);
    assert.deepEqual(await paths(index, 'startServer'), ['src/app.ts']);
    await index.flush();
    assert.equal(failing.writes, 1);
    assert.match(index.state().message ?? '', /could not be saved \(ENOSPC: no space left on device\); it works, but will be rebuilt after a restart/);
    assert.deepEqual(await paths(index, 'startServer'), ['src/app.ts'], 'it still answers');
    await index.flush();
    assert.equal(failing.writes, 2, 'what was not saved is tried again');
    index.dispose();
  });

  it('a search stops when its signal aborts', async () => {
    const index = new CodebaseIndex({ source: workspace() });
    await index.start();
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(index.search('startServer', { signal: ac.signal }), { name: 'AbortError' });
    index.dispose();
  });
});
