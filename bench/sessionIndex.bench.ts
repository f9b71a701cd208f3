/**
 * The history's listing with 1,000 sessions now that `.index.json` is the only
 * summary index (the extension's globalState copy is gone). In one run on one
 * folder:
 *  - extension: ExtensionSessionStore.list() (the file store, current workspace first);
 *  - files:     FileSessionStore.list() alone, the floor the extension adds its ordering to.
 * Cold = a fresh store instance (a window opening), median of several; warm = the
 * same instance listing again; also a first start without `.index.json` and what
 * an append costs through each.
 * Run: npm run bench -- sessionIndex
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ExtensionSessionStore } from '../src/extension/sessions/extensionSessionStore';
import { FileSessionStore } from '../src/gateway/sessions/fileStore';
import { MemoryMemento } from '../test/support/memento';

const SESSIONS = 1000;
const COLD_RUNS = 7;
const WARM_RUNS = 20;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'hearth-bench-index-'));
  try {
    const memento = new MemoryMemento();
    const ws = (i: number) => `file:///home/user/projects/project-number-${i % 5}`;
    let clock = 1_700_000_000_000;
    const seeder = new ExtensionSessionStore({ memento, dir, workspace: ws(0), maxSessions: () => 10_000, fsync: false, now: () => clock++ });
    for (let i = 0; i < SESSIONS; i++) {
      const s = await seeder.create({ model: 'bench-model:7b', workspace: ws(i) });
      await seeder.appendMessage(s.id, { id: `u-${s.id}`, role: 'user', content: `Question ${i}: why is the build slow when the cache is cold?`, status: 'complete', created_at: clock });
      await seeder.appendMessage(s.id, { id: `a-${s.id}`, role: 'assistant', content: 'An answer '.repeat(200), status: 'complete', created_at: clock });
    }
    await seeder.settled();
    await seeder.folded();
    seeder.dispose();
    const sessionsDir = path.join(dir, 'sessions');
    // The file store's own cache as a window that has listed once leaves it.
    await new FileSessionStore({ dir: sessionsDir, fsync: false }).list();

    const viaExtension = async (store?: ExtensionSessionStore) => {
      const s = store ?? new ExtensionSessionStore({ memento, dir, workspace: ws(2), maxSessions: () => 10_000, fsync: false });
      const list = await s.list();
      if (!store) s.dispose();
      if (list.length !== SESSIONS || list[0]!.workspace !== ws(2)) throw new Error(`extension listed ${list.length}`);
    };
    const viaFiles = async (store = new FileSessionStore({ dir: sessionsDir, fsync: false })) => {
      const list = await store.list();
      if (list.length !== SESSIONS) throw new Error(`files listed ${list.length}`);
    };
    const cold = { ext: [] as number[], files: [] as number[] };
    for (let i = 0; i < COLD_RUNS; i++) {
      // Alternated, so drift of the machine hits both alike.
      cold.ext.push(await timed(() => viaExtension()));
      cold.files.push(await timed(() => viaFiles()));
    }
    // Without .index.json (its first start, or a lost cache): every transcript read once.
    const noCache: number[] = [];
    for (let i = 0; i < 3; i++) {
      await fs.rm(path.join(sessionsDir, '.index.json'), { force: true });
      noCache.push(await timed(() => viaExtension()));
    }

    const ext = new ExtensionSessionStore({ memento, dir, workspace: ws(2), maxSessions: () => 10_000, fsync: false });
    const files = new FileSessionStore({ dir: sessionsDir, fsync: false });
    await ext.list();
    await files.list();
    const warm = { ext: [] as number[], files: [] as number[] };
    for (let i = 0; i < WARM_RUNS; i++) {
      warm.ext.push(await timed(() => viaExtension(ext)));
      warm.files.push(await timed(() => viaFiles(files)));
    }

    const target = (await files.list())[0]!.id;
    const append = { ext: [] as number[], files: [] as number[] };
    for (let i = 0; i < WARM_RUNS; i++) {
      append.ext.push(await timed(async () => {
        await ext.appendMessage(target, { id: `xi-${i}-0000`, role: 'user', content: 'one more', status: 'complete', created_at: Date.now() });
        await ext.settled();
      }));
      append.files.push(await timed(() => files.appendMessage(target, { id: `xf-${i}-0000`, role: 'user', content: 'one more', status: 'complete', created_at: Date.now() })));
    }
    ext.dispose();

    const f = (x: number) => `${x.toFixed(1)} ms`;
    console.log(`sessions: ${SESSIONS}; globalState writes ${memento.updates}`);
    console.log(`list, cold (fresh store, median of ${COLD_RUNS}):  extension ${f(median(cold.ext))}   files ${f(median(cold.files))}   ratio ${(median(cold.ext) / median(cold.files)).toFixed(2)}`);
    console.log(`list, warm (median of ${WARM_RUNS}):             extension ${f(median(warm.ext))}   files ${f(median(warm.files))}   ratio ${(median(warm.ext) / median(warm.files)).toFixed(2)}`);
    console.log(`list, without .index.json (median of 3):       ${f(median(noCache))}`);
    console.log(`append + settle (median of ${WARM_RUNS}):        extension ${f(median(append.ext))}   files ${f(median(append.files))}`);
    if (memento.updates !== 0) process.exitCode = 1;
  } finally {
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
  }
}

void main();
