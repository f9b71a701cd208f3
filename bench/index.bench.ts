/**
 * Speed of the codebase index on this machine, on corpora assembled at bench
 * time from the sources in node_modules (.js, .ts, .md of 1-400 KB, copied into
 * a temp folder under their package paths; repeated with a numbered prefix
 * when more are needed):
 *
 *  - 2,300 files / ~24 MB: a cold index ≤ 15 s; ready again after a restart
 *    (stored index loaded, every file stat'ed, none re-read) ≤ 2 s; a saved
 *    file searchable (fs.watch → index → search) ≤ 1 s; query p50 ≤ 30 ms.
 *  - 10,000 files / ~100 MB: cold ≤ 60 s with ≤ 150 MB of memory added
 *    (heap + external memory, which includes array buffers, after GC, index held).
 *  - never freezing the caller: for each phase (cold build, save, restart; both
 *    corpora) the longest the event loop was kept from running, ≤ 50 ms,
 *    measured two ways: the worst lateness of a 5 ms timer
 *    (perf_hooks.monitorEventLoopDelay: wall-clock, so it also counts time other
 *    processes held the shared cores) and the most CPU time the main thread
 *    used between two ticks of that timer (Linux: /proc/thread-self/schedstat,
 *    garbage collection on that thread included, time spent waiting for a core
 *    not; elsewhere the process's CPU time, helper threads included: an upper
 *    bound). Garbage-collection pauses (PerformanceObserver 'gc', wall-clock)
 *    are printed beside them.
 *
 * Figures are printed with the load average. The bench exits 1 when a target
 * is missed on a quiet machine. When the machine is too loaded to judge (the
 * load average per core over BENCH_LOAD_LIMIT, default 0.75, before or after,
 * or a busy loop here getting under 80 % of a core) a missed time target is
 * INCONCLUSIVE and the exit code 0 (BENCH_STRICT=1: 1); memory is judged always.
 * Run: npm run bench -- index   (BENCH_INDEX_LARGE=0 skips the 10,000-file corpus)
 */
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { CodebaseIndex } from '../src/shared/codebase/codebaseIndex';
import { FileIndexStorage, NodeFileSource } from '../src/gateway/codebase/nodeFileSource';
import { nodeSyntaxChunker } from '../src/gateway/codebase/treeSitter';
import { probeLoad, tooLoaded, type LoadProbe } from './machineLoad';

/** As the gateway indexes: tree-sitter chunks (BENCH_INDEX_REGEX=1: the definition-line chunker alone, to compare). */
const chunking = process.env.BENCH_INDEX_REGEX === '1' ? {} : { chunker: nodeSyntaxChunker() };

const ROOT = path.resolve(__dirname, '..');
const QUESTIONS = [
  'how are retries with backoff done?', 'where is the not found handler?', 'parse http header', 'which rule reports unused variables',
  'where are cookies parsed', 'how is the config file loaded', 'websocket frame mask', 'timeout of a test', 'render markdown heading',
  'where is the cache stored', 'how does the lexer tokenize strings', 'event listener dispatch', 'abort signal', 'JSON schema validation',
  'how are source maps generated', 'where is the CLI argument parser', 'compress gzip stream', 'highlight syntax language', 'selector matching', 'URL encoding',
];

interface Check {
  what: string;
  ok: boolean;
  /** A time, which a loaded machine can miss (memory is judged always). */
  timed: boolean;
}
const checks: Check[] = [];
function check(what: string, value: number, max: number, unit: string, timed = true): void {
  const ok = value <= max;
  console.log(`${ok ? 'ok  ' : 'MISS'} ${what}: ${value.toFixed(unit === 'ms' ? 1 : 2)} ${unit} (target ≤ ${max} ${unit})`);
  checks.push({ what, ok, timed });
}

// Is the machine quiet enough to judge: bench/machineLoad.ts.

async function sourceFiles(): Promise<{ rel: string; size: number }[]> {
  const out: { rel: string; size: number }[] = [];
  const walk = async (dir: string) => {
    for (const e of await fs.readdir(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) await walk(rel);
      else if (e.isFile() && /\.(js|ts|md)$/.test(e.name)) {
        const { size } = await fs.stat(path.join(ROOT, rel));
        if (size >= 1024 && size <= 400 * 1024) out.push({ rel, size });
      }
    }
  };
  await walk('node_modules');
  return out.sort((a, b) => (a.rel < b.rel ? -1 : 1));
}

/** Copies files until `count` files (about `bytes` in all): picks files whose sizes keep the running average on target. */
async function corpus(dir: string, pool: { rel: string; size: number }[], count: number, bytes: number): Promise<number> {
  const avg = bytes / count;
  const small = pool.filter((f) => f.size <= avg);
  const large = pool.filter((f) => f.size > avg);
  let total = 0;
  let si = 0;
  let li = 0;
  for (let i = 0; i < count; i++) {
    const wantLarge = total < avg * i;
    const f = wantLarge && large.length ? large[li++ % large.length]! : small[si++ % small.length]!;
    const round = Math.floor((wantLarge ? li - 1 : si - 1) / (wantLarge ? large.length : small.length));
    const to = path.join(dir, round ? `copy${round}` : '', f.rel.replace(/^node_modules\//, 'packages/'));
    await fs.mkdir(path.dirname(to), { recursive: true });
    await fs.copyFile(path.join(ROOT, f.rel), to);
    total += f.size;
  }
  return total;
}

/**
 * CPU time of the calling (main) thread, ms: Linux's /proc/thread-self/schedstat
 * (time on a CPU, ns — not the time other processes held it); elsewhere the
 * whole process's (helper threads included: an upper bound).
 */
const threadCpu: { what: string; ms: () => number } = (() => {
  try {
    const read = () => Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
    if (Number.isFinite(read()) && read() > 0) return { what: 'main-thread CPU', ms: read };
  } catch {
    // not Linux
  }
  return {
    what: 'process CPU',
    ms: () => {
      const c = process.cpuUsage();
      return (c.user + c.system) / 1000;
    },
  };
})();

interface Watched {
  /** Worst lateness of the 5 ms timer (wall-clock). */
  delayMs: number;
  /** Most CPU used between two of its ticks. */
  cpuMs: number;
  gcMaxMs: number;
  gcCount: number;
  gcTotalMs: number;
}

/** Runs `fn` while watching the event loop and the garbage collector. */
async function watch<T>(fn: () => Promise<T>): Promise<{ value: T; w: Watched }> {
  let cpuMs = 0;
  let lastCpu = threadCpu.ms();
  const timer = setInterval(() => {
    const now = threadCpu.ms();
    cpuMs = Math.max(cpuMs, now - lastCpu);
    lastCpu = now;
  }, 5);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  const gcs: number[] = [];
  const gcWatch = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push(e.duration);
  });
  gcWatch.observe({ entryTypes: ['gc'] });
  delay.enable();
  try {
    const value = await fn();
    return { value, w: { delayMs: delay.max / 1e6, cpuMs, gcMaxMs: Math.max(0, ...gcs), gcCount: gcs.length, gcTotalMs: gcs.reduce((a, b) => a + b, 0) } };
  } finally {
    delay.disable();
    clearInterval(timer);
    // Entries still queued arrive on the next tick; they belong to this phase.
    await new Promise((r) => setImmediate(r));
    gcWatch.disconnect();
  }
}

const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

/** Prints a phase's main-thread figures and checks its longest stall. */
function stalls(phase: string, w: Watched): void {
  console.log(`     ${phase}: gc ${w.gcCount} pauses, longest ${w.gcMaxMs.toFixed(1)} ms, ${w.gcTotalMs.toFixed(0)} ms in all; load average ${load()}`);
  check(`${phase}: longest event-loop delay`, w.delayMs, 50, 'ms');
  check(`${phase}: longest busy stretch (${threadCpu.what})`, w.cpuMs, 50, 'ms');
}

/** Heap and external memory after full collections; buffers let go are freed by a sweeper after the collection, so it runs until the figure settles. */
async function memory(): Promise<number> {
  let last = Infinity;
  for (let i = 0; i < 10; i++) {
    global.gc?.();
    await new Promise((r) => setTimeout(r, 50));
    const m = process.memoryUsage();
    // `external` includes `arrayBuffers` (the index's typed columns live there).
    const now = m.heapUsed + m.external;
    if (Math.abs(now - last) < 256 * 1024) return now;
    last = now;
  }
  return last;
}

async function main(): Promise<void> {
  const cores = os.cpus().length;
  const probes: LoadProbe[] = [probeLoad()];
  console.log(`before: load average ${load()} on ${cores} cores, a busy loop got ${(probes[0]!.cpuShare * 100).toFixed(0)} % of a core`);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-index-bench-'));
  try {
    const pool = await sourceFiles();
    console.log(`source pool: ${pool.length} files from node_modules`);

    // --- 2,300 files / 24 MB ---
    const ws = path.join(tmp, 'ws');
    const bytes = await corpus(ws, pool, 2300, 24 * 1024 * 1024);
    console.log(`corpus: 2,300 files, ${(bytes / 1024 / 1024).toFixed(1)} MB`);
    const storeFile = path.join(tmp, 'data', 'index.bin');
    let t0 = performance.now();
    const cold = new CodebaseIndex({ source: new NodeFileSource(ws), storage: new FileIndexStorage(storeFile), ...chunking });
    const built = await watch(() => cold.start());
    const coldS = (performance.now() - t0) / 1000;
    const s = cold.state();
    console.log(`indexed ${s.indexed_files} files, ${s.chunks} chunks; skipped ${JSON.stringify(s.skipped)}; load average ${load()}`);
    check('2,300 files cold', coldS, 15, 's');
    stalls('2,300 files, cold build', built.w);
    t0 = performance.now();
    const saved = await watch(() => cold.close());
    console.log(`stored index: ${((await fs.stat(storeFile)).size / 1024 / 1024).toFixed(1)} MB, saved in ${(performance.now() - t0).toFixed(0)} ms`);
    stalls('2,300 files, save', saved.w);

    t0 = performance.now();
    const warm = new CodebaseIndex({ source: new NodeFileSource(ws), storage: new FileIndexStorage(storeFile), debounceMs: 50, ...chunking });
    const restart = await watch(() => warm.start());
    check('ready after a restart', (performance.now() - t0) / 1000, 2, 's');
    stalls('2,300 files, restart', restart.w);

    const times: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (const q of QUESTIONS) {
        const t = performance.now();
        await warm.search(q, { limit: 10 });
        times.push(performance.now() - t);
      }
    }
    times.sort((a, b) => a - b);
    console.log(`query: p90 ${times[Math.floor(times.length * 0.9)]!.toFixed(1)} ms, max ${times[times.length - 1]!.toFixed(1)} ms over ${times.length}`);
    check('query p50', times[Math.floor(times.length / 2)]!, 30, 'ms');

    const saves: number[] = [];
    for (let i = 0; i < 5; i++) {
      const name = `freshlySavedSymbol${i}`;
      const t = performance.now();
      await fs.writeFile(path.join(ws, 'packages', `saved${i}.ts`), `export function ${name}() {\n  return ${i};\n}\n`);
      while ((await warm.search(name, { limit: 1 }))[0]?.symbol !== name) {
        if (performance.now() - t > 10_000) throw new Error(`${name} never became searchable`);
        await new Promise((r) => setTimeout(r, 5));
      }
      saves.push(performance.now() - t);
    }
    saves.sort((a, b) => a - b);
    console.log(`saved file searchable: ${saves.map((x) => x.toFixed(0)).join(', ')} ms`);
    check('a saved file searchable (median of 5)', saves[2]! / 1000, 1, 's');
    warm.dispose();

    // --- 10,000 files / 100 MB ---
    if (process.env.BENCH_INDEX_LARGE !== '0') {
      const big = path.join(tmp, 'big');
      const bigBytes = await corpus(big, pool, 10_000, 100 * 1024 * 1024);
      console.log(`corpus: 10,000 files, ${(bigBytes / 1024 / 1024).toFixed(1)} MB; load average ${load()}`);
      const bigStore = path.join(tmp, 'data', 'big.bin');
      const before = await memory();
      t0 = performance.now();
      const large = new CodebaseIndex({ source: new NodeFileSource(big), storage: new FileIndexStorage(bigStore), ...chunking });
      const watched = await watch(() => large.start());
      const secs = (performance.now() - t0) / 1000;
      const added = ((await memory()) - before) / 1024 / 1024;
      const ls = large.state();
      console.log(`indexed ${ls.indexed_files} files, ${ls.chunks} chunks; load average ${load()}`);
      check('10,000 files cold', secs, 60, 's');
      check('memory added by the 10,000-file index', added, 150, 'MB', false);
      stalls('10,000 files, cold build', watched.w);
      t0 = performance.now();
      const bigSaved = await watch(() => large.close());
      console.log(`stored index: ${((await fs.stat(bigStore)).size / 1024 / 1024).toFixed(1)} MB, saved in ${(performance.now() - t0).toFixed(0)} ms`);
      stalls('10,000 files, save', bigSaved.w);
      t0 = performance.now();
      const again = new CodebaseIndex({ source: new NodeFileSource(big), storage: new FileIndexStorage(bigStore) });
      const bigRestart = await watch(() => again.start());
      console.log(`10,000 files ready after a restart: ${((performance.now() - t0) / 1000).toFixed(2)} s (reported)`);
      stalls('10,000 files, restart', bigRestart.w);
      again.dispose();
    }
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
  probes.push(probeLoad());
  console.log(`after: load average ${load()}, a busy loop got ${(probes[1]!.cpuShare * 100).toFixed(0)} % of a core`);
  const loaded = tooLoaded(probes, cores);
  const missed = checks.filter((c) => !c.ok);
  const judged = missed.filter((c) => !c.timed || !loaded);
  if (judged.length) {
    console.log(`\nMISSED: ${judged.map((c) => c.what).join('; ')}`);
    process.exitCode = 1;
  } else if (missed.length) {
    console.log(`\nINCONCLUSIVE: missed ${missed.map((c) => c.what).join('; ')} — but the machine was too loaded to judge (${loaded}). Run it again on a quiet machine.`);
    if (process.env.BENCH_STRICT) process.exitCode = 1;
  } else {
    console.log(`\nAll targets met${loaded ? ` (even though the machine was loaded: ${loaded})` : ''}.`);
  }
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
