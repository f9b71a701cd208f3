/**
 * Does the extension's globalState summary index still pay for itself now that
 * the file store keeps `.index.json`? The history listed with 1,000 sessions both
 * ways, in one run on one folder:
 *  - index:  ExtensionSessionStore.list() (globalState + a readdir reconcile);
 *  - files:  FileSessionStore.list() (`.index.json` + one stat per session), ordered
 *            as the extension orders it (current workspace first).
 * Cold = a fresh store instance (a window opening), median of several; warm = the
 * same instance listing again. Also the cost each adds to an append.
 * Run: npm run bench -- sessionIndex
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ExtensionSessionStore } from '../src/extension/sessions/extensionSessionStore';
import { orderSummaries } from '../src/extension/sessions/sessionIndex';
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

    const viaIndex = async () => {
      const s = new ExtensionSessionStore({ memento, dir, workspace: ws(2), maxSessions: () => 10_000, fsync: false });
      const list = await s.list();
      s.dispose();
      if (list.length !== SESSIONS) throw new Error(`index listed ${list.length}`);
    };
    const viaFiles = async (store = new FileSessionStore({ dir: sessionsDir, fsync: false })) => {
      const list = orderSummaries(await store.list(), ws(2));
      if (list.length !== SESSIONS) throw new Error(`files listed ${list.length}`);
    };
    const cold = { index: [] as number[], files: [] as number[] };
    for (let i = 0; i < COLD_RUNS; i++) {
      // Alternated, so drift of the machine hits both alike.
      cold.index.push(await timed(viaIndex));
      cold.files.push(await timed(() => viaFiles()));
    }
    // Without .index.json (its first start, or a lost cache): every transcript read once.
    const noCache: number[] = [];
    for (let i = 0; i < 3; i++) {
      await fs.rm(path.join(sessionsDir, '.index.json'), { force: true });
      noCache.push(await timed(() => viaFiles()));
    }

    const ext = new ExtensionSessionStore({ memento, dir, workspace: ws(2), maxSessions: () => 10_000, fsync: false });
    const files = new FileSessionStore({ dir: sessionsDir, fsync: false });
    await ext.list();
    await files.list();
    const warm = { index: [] as number[], files: [] as number[] };
    for (let i = 0; i < WARM_RUNS; i++) {
      warm.index.push(await timed(() => ext.list()));
      warm.files.push(await timed(() => viaFiles(files)));
    }

    // What the index adds to a write: append + its index update, vs the file store alone.
    const target = (await files.list())[0]!.id;
    const append = { index: [] as number[], files: [] as number[] };
    for (let i = 0; i < WARM_RUNS; i++) {
      append.index.push(await timed(async () => {
        await ext.appendMessage(target, { id: `xi-${i}-0000`, role: 'user', content: 'one more', status: 'complete', created_at: Date.now() });
        await ext.settled();
      }));
      append.files.push(await timed(() => files.appendMessage(target, { id: `xf-${i}-0000`, role: 'user', content: 'one more', status: 'complete', created_at: Date.now() })));
    }
    ext.dispose();

    const f = (x: number) => `${x.toFixed(1)} ms`;
    console.log(`sessions: ${SESSIONS}; globalState index ${(ext.indexBytes() / 1024).toFixed(0)} KB`);
    console.log(`list, cold (fresh store, median of ${COLD_RUNS}):  index ${f(median(cold.index))}   files ${f(median(cold.files))}   ratio files/index ${(median(cold.files) / median(cold.index)).toFixed(2)}`);
    console.log(`list, warm (median of ${WARM_RUNS}):             index ${f(median(warm.index))}   files ${f(median(warm.files))}   ratio ${(median(warm.files) / median(warm.index)).toFixed(2)}`);
    console.log(`list, files without .index.json (median of 3): ${f(median(noCache))}`);
    console.log(`append + settle (median of ${WARM_RUNS}):        index ${f(median(append.index))}   files ${f(median(append.files))}`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
  }
}

void main();
