/**
 * Cost of a partial save (the chat service writes the streaming reply every
 * 500 ms through updateMessage) in a short session (~10 KB) and a long one
 * (~1 MB), through both stores, fsync on (as they run) and off (CPU and bytes
 * only). The saves alternate between the two sessions so machine load hits both
 * alike; the figure is the median.
 *
 * Target: the cost does not grow with the session. A partial save writes only
 * live/<id>.json (the reply so far plus the owner), so the ideal ratio
 * long/short is 1.0 (measured 0.9-1.1). The bench fails above 2.0: room for
 * noise on a shared 2-core machine, yet 0.1's design fails it at 1 MB already
 * (it rewrote and fsynced the whole file: ratio 3.4-4.5 here, fixed costs like
 * the lock and fsync hiding part of it, and growing linearly with the session
 * beyond). Also prints a full rewrite of the long session for comparison.
 * Run: npm run bench -- sessionStore
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ExtensionSessionStore } from '../src/extension/sessions/extensionSessionStore';
import { MemoryMemento } from '../test/support/memento';
import { FileSessionStore } from '../src/gateway/sessions/fileStore';
import type { ChatMessage, SessionStore } from '../src/shared/session';

const SAVES = Number(process.env.BENCH_SAVES ?? 150);
const MAX_RATIO = 2.0;
/** The reply grows by this much per save (~40 tokens in 500 ms), from this start. */
const REPLY_START = 2_000;
const REPLY_STEP = 160;


function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const prose = (n: number, seed: number) => {
  const words = 'the build fails because the cache key changes when the lock file is rewritten by the installer'.split(' ');
  let s = '';
  for (let i = seed; s.length < n; i++) s += words[i % words.length] + ' ';
  return s.slice(0, n);
};

/** A session of about `kb` KB whose last message is a streaming reply; returns its ids. */
async function seed(store: SessionStore, kb: number, tag: string): Promise<{ sid: string; mid: string }> {
  const s = await store.create({ title: `${kb} KB`, model: 'bench-model' });
  const per = kb >= 100 ? 25 * 1024 : 2.5 * 1024;
  const count = Math.round((kb * 1024) / per / 2) * 2;
  for (let i = 0; i < count; i++) {
    const m: ChatMessage = { id: `${tag}-m${String(i).padStart(5, '0')}`, role: i % 2 ? 'assistant' : 'user', content: prose(per, i), status: 'complete', created_at: i };
    await store.appendMessage(s.id, m);
  }
  const mid = `${tag}-reply-0000`;
  await store.appendMessage(s.id, { id: `${tag}-q-00000`, role: 'user', content: 'and now?', status: 'complete', created_at: 1 });
  await store.appendMessage(s.id, { id: mid, role: 'assistant', content: '', status: 'streaming', created_at: 2 });
  return { sid: s.id, mid };
}

interface Row {
  store: string;
  fsync: boolean;
  shortKB: number;
  longKB: number;
  shortMs: number;
  longMs: number;
  rewriteMs: number;
}

async function measure(name: string, make: (dir: string, fsync: boolean) => SessionStore, fsync: boolean): Promise<Row> {
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'hearth-bench-store-'));
  try {
    const seeder = make(dir, false);
    const short = await seed(seeder, 10, 'short');
    const long = await seed(seeder, 1024, 'long');
    const store = make(dir, fsync);
    const size = async (id: string) => {
      const names = await fs.readdir(dir, { recursive: true });
      const file = names.find((n) => n.endsWith(`${id}.json`) && !n.includes('live'))!;
      return (await fs.stat(path.join(dir, file))).size / 1024;
    };
    const times = { short: [] as number[], long: [] as number[] };
    for (let i = 0; i < SAVES; i++) {
      const content = prose(REPLY_START + i * REPLY_STEP, 3);
      for (const [which, t] of i % 2 ? ([['long', long], ['short', short]] as const) : ([['short', short], ['long', long]] as const)) {
        const t0 = performance.now();
        await store.updateMessage(t.sid, t.mid, { content, status: 'streaming' });
        times[which].push(performance.now() - t0);
      }
    }
    // For comparison: a write of the whole long session (what every partial save cost in 0.1).
    const rewrites: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t0 = performance.now();
      await store.rename(long.sid, `long ${i}`);
      rewrites.push(performance.now() - t0);
    }
    const check = (await store.get(long.sid))!.messages.at(-1)!;
    if (check.content.length !== REPLY_START + (SAVES - 1) * REPLY_STEP || check.status !== 'streaming') throw new Error('the last partial save is not what reads return');
    return { store: name, fsync, shortKB: await size(short.sid), longKB: await size(long.sid), shortMs: median(times.short), longMs: median(times.long), rewriteMs: median(rewrites) };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const gateway = (dir: string, fsync: boolean) => new FileSessionStore({ dir, fsync });
  const memento = new MemoryMemento();
  const extension = (dir: string, fsync: boolean) => new ExtensionSessionStore({ memento, dir, maxSessions: () => 1000, fsync });
  const rows: Row[] = [];
  for (const fsync of [true, false]) {
    rows.push(await measure('gateway (FileSessionStore)', gateway, fsync));
    rows.push(await measure('extension (ExtensionSessionStore)', extension, fsync));
  }
  console.log(`partial saves: ${SAVES} per session, alternating; reply ${REPLY_START} -> ${REPLY_START + (SAVES - 1) * REPLY_STEP} chars; medians`);
  console.log('store                              fsync  short session   long session    ratio  | full rewrite of the long one');
  let failed = false;
  for (const r of rows) {
    const ratio = r.longMs / r.shortMs;
    if (ratio > MAX_RATIO) failed = true;
    console.log(
      `${r.store.padEnd(34)} ${(r.fsync ? 'on' : 'off').padEnd(5)}  ${r.shortMs.toFixed(2).padStart(6)} ms (${r.shortKB.toFixed(0)} KB)  ` +
        `${r.longMs.toFixed(2).padStart(6)} ms (${r.longKB.toFixed(0)} KB)  ${ratio.toFixed(2).padStart(5)}  | ${r.rewriteMs.toFixed(1)} ms`,
    );
  }
  console.log(`target: long/short <= ${MAX_RATIO} for every row: ${failed ? 'FAILED' : 'OK'}`);
  if (failed) process.exitCode = 1;
}

void main();
