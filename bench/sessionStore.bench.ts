/**
 * Cost of the two writes a turn makes that must not grow with the session, in a
 * short session (~10 KB) and a long one (~1 MB), through both stores, fsync on
 * (as they run) and off (CPU and bytes only). The writes alternate between the
 * two sessions so machine load hits both alike; the figure is the median.
 *
 *  - a partial save (the chat service writes the streaming reply every 500 ms
 *    through updateMessage): it writes only live/<id>.json (the reply so far plus
 *    the owner). 0.1 rewrote and fsynced the whole file: ratio 3.4-4.5 here.
 *  - appending a question (the first token waits for it): it writes only the
 *    question to live/<id>.json (the journal); the full rewrite that folds it in
 *    follows off the caller's path (awaited between questions, not timed).
 *    Before the journal it rewrote the whole file: 1.6 ms at 10 KB, 5.5 ms at 1 MB.
 *
 * Target: the cost does not grow with the session, ideal ratio long/short 1.0.
 * The bench fails above 2.0: room for noise on a shared 2-core machine, yet a
 * whole-file rewrite fails it at 1 MB already (fixed costs like the lock and
 * fsync hide part of it; it grows linearly with the session beyond). Also prints
 * a full rewrite of the long session for comparison. The gateway's store runs as
 * `npm start` runs it (it owns its folder: no lock files).
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

/** A store whose folds of appended messages can be awaited. */
type Store = SessionStore & { folded(): Promise<void> };

const SAVES = Number(process.env.BENCH_SAVES ?? 150);
const QUESTIONS = Number(process.env.BENCH_QUESTIONS ?? 40);
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
async function seed(store: Store, kb: number, tag: string): Promise<{ sid: string; mid: string }> {
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
  await store.folded();
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
  /** Appending a question. */
  askShortMs: number;
  askLongMs: number;
}

async function measure(name: string, make: (dir: string, fsync: boolean) => Store, fsync: boolean): Promise<Row> {
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
    const [shortKB, longKB] = [await size(short.sid), await size(long.sid)];
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

    // Questions, once the replies are finished; each fold runs (untimed) before the next question, as seconds apart in a chat.
    for (const t of [short, long]) await store.updateMessage(t.sid, t.mid, { content: 'Done.', status: 'complete', finish_reason: 'stop' });
    const asks = { short: [] as number[], long: [] as number[] };
    for (let i = 0; i < QUESTIONS; i++) {
      for (const [which, t] of i % 2 ? ([['long', long], ['short', short]] as const) : ([['short', short], ['long', long]] as const)) {
        const q: ChatMessage = { id: `${which}-ask-${String(i).padStart(5, '0')}`, role: 'user', content: prose(400, i), status: 'complete', created_at: i };
        const t0 = performance.now();
        await store.appendMessage(t.sid, q);
        asks[which].push(performance.now() - t0);
        await store.folded();
      }
    }
    if ((await store.get(long.sid))!.messages.at(-1)!.id !== `long-ask-${String(QUESTIONS - 1).padStart(5, '0')}`) throw new Error('the last question is not what reads return');
    return {
      store: name,
      fsync,
      shortKB,
      longKB,
      shortMs: median(times.short),
      longMs: median(times.long),
      rewriteMs: median(rewrites),
      askShortMs: median(asks.short),
      askLongMs: median(asks.long),
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
  }
}

async function main(): Promise<void> {
  const gateway = (dir: string, fsync: boolean) => new FileSessionStore({ dir, fsync, lock: { processOwnsFolder: true } });
  const memento = new MemoryMemento();
  const extension = (dir: string, fsync: boolean) => new ExtensionSessionStore({ memento, dir, maxSessions: () => 1000, fsync });
  const rows: Row[] = [];
  for (const fsync of [true, false]) {
    rows.push(await measure('gateway (FileSessionStore)', gateway, fsync));
    rows.push(await measure('extension (ExtensionSessionStore)', extension, fsync));
  }
  let failed = false;
  const table = (title: string, short: (r: Row) => number, long: (r: Row) => number) => {
    console.log(title);
    console.log('store                              fsync  short session   long session    ratio  | full rewrite of the long one');
    for (const r of rows) {
      const ratio = long(r) / short(r);
      if (ratio > MAX_RATIO) failed = true;
      console.log(
        `${r.store.padEnd(34)} ${(r.fsync ? 'on' : 'off').padEnd(5)}  ${short(r).toFixed(2).padStart(6)} ms (${r.shortKB.toFixed(0)} KB)  ` +
          `${long(r).toFixed(2).padStart(6)} ms (${r.longKB.toFixed(0)} KB)  ${ratio.toFixed(2).padStart(5)}  | ${r.rewriteMs.toFixed(1)} ms`,
      );
    }
  };
  table(`partial saves: ${SAVES} per session, alternating; reply ${REPLY_START} -> ${REPLY_START + (SAVES - 1) * REPLY_STEP} chars; medians`, (r) => r.shortMs, (r) => r.longMs);
  table(`appending a question (400 chars): ${QUESTIONS} per session, alternating; medians`, (r) => r.askShortMs, (r) => r.askLongMs);
  console.log(`target: long/short <= ${MAX_RATIO} for every row: ${failed ? 'FAILED' : 'OK'}`);
  if (failed) process.exitCode = 1;
}

void main();
