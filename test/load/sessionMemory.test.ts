/**
 * Memory of the standalone gateway with a large history: 200 stored
 * sessions of ~1 MB each. The real entry point runs in a child process; its RSS
 * (from /proc) after start-up plus `GET /sessions` must stay under 200 MB, both on
 * a first start (no summary index yet: every transcript is read once, then
 * dropped) and on the next one (summaries from .index.json, no transcript read).
 * Opening every session one after another must not make it keep them (only
 * sessions being changed are cached, within a byte budget). HEARTH_MEMORY_SESSIONS / HEARTH_MEMORY_SESSION_KB change the sizes.
 */
import assert from 'node:assert/strict';
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { sessionSchema, type ChatMessage, type Session } from '../../src/shared/session';
import { startOllamaDouble, type OllamaDouble } from '../double';
import { tempDir } from '../unit/chat/helpers';
import { request } from '../unit/server/httpClient';
import { spawnGateway, type GatewayProcess } from '../unit/server/spawnGateway';

const TOKEN = 'memory-test-token-0123456789';
const SESSIONS = Number(process.env.HEARTH_MEMORY_SESSIONS ?? 200);
const SESSION_KB = Number(process.env.HEARTH_MEMORY_SESSION_KB ?? 1024);
const LIMIT_MB = 200;
const BROWSE_LIMIT_MB = 260;

/** VmRSS and VmHWM (peak) of a process, in MB (Linux). */
function memoryOf(pid: number): { rssMB: number; peakMB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
  return { rssMB: kb('VmRSS') / 1024, peakMB: kb('VmHWM') / 1024 };
}

/** A session of about `kb` KB: question/answer pairs of prose and code. */
function bigSession(i: number, kb: number): Session {
  const words = 'the quick brown fox jumps over a lazy dog while the compiler reports an error in line forty two'.split(' ');
  const chunk = (seed: number, chars: number) => {
    let s = '';
    for (let w = seed; s.length < chars; w++) s += words[(w * 7 + i) % words.length] + (w % 13 === 0 ? '.\n' : ' ');
    return s.slice(0, chars);
  };
  const perMessage = 25 * 1024;
  const count = Math.max(2, Math.round((kb * 1024) / perMessage));
  const t = 1_700_000_000_000 + i * 60_000;
  const messages: ChatMessage[] = Array.from({ length: count }, (_, m) => ({
    id: `msg-${String(i).padStart(4, '0')}-${String(m).padStart(4, '0')}`,
    role: m % 2 ? 'assistant' : 'user',
    content: chunk(m, perMessage),
    status: 'complete',
    created_at: t + m,
    ...(m % 2 ? { model: 'some-model:7b', finish_reason: 'stop' as const } : {}),
  }));
  return sessionSchema.parse({ id: `session-${String(i).padStart(5, '0')}`, title: `Session ${i}`, model: 'some-model:7b', created_at: t, updated_at: t + count, messages });
}

describe('gateway memory with a large history', function () {
  this.timeout(300_000);
  let dir: string;
  let double: OllamaDouble;
  const procs: GatewayProcess[] = [];

  before(async function () {
    if (process.platform !== 'linux') this.skip(); // RSS is read from /proc
    dir = await tempDir('hearth-memory-');
    double = await startOllamaDouble({ models: ['some-model:7b'] });
    for (let i = 0; i < SESSIONS; i++) {
      const s = bigSession(i, SESSION_KB);
      await fs.writeFile(path.join(dir, `${s.id}.json`), JSON.stringify(s));
    }
  });
  after(async () => {
    for (const p of procs) await p.kill('SIGKILL');
    await double?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  async function startAndList(): Promise<{ g: GatewayProcess; port: number; startMs: number; listMs: number }> {
    const t0 = performance.now();
    const g = spawnGateway({ HEARTH_DATA_DIR: dir, OLLAMA_HOST: double.url, HEARTH_GATEWAY_TOKEN: TOKEN });
    procs.push(g);
    const port = await g.ready;
    const startMs = performance.now() - t0;
    const t1 = performance.now();
    const list = await request(port, { path: '/sessions', token: TOKEN });
    const listMs = performance.now() - t1;
    assert.equal(list.status, 200);
    assert.equal(list.json.sessions.length, SESSIONS);
    return { g, port, startMs, listMs };
  }

  it(`${SESSIONS} sessions of ${SESSION_KB} KB: RSS after start + GET /sessions stays under ${LIMIT_MB} MB, cold and warm`, async () => {
    const bytes = (await fs.readdir(dir)).length * SESSION_KB * 1024;
    const cold = await startAndList();
    const coldMem = memoryOf(cold.g.child.pid!);
    // Every session opened once: the cache keeps only the most recent few.
    for (let i = 0; i < SESSIONS; i += 1) {
      const r = await request(cold.port, { path: `/sessions/session-${String(i).padStart(5, '0')}`, token: TOKEN });
      assert.equal(r.status, 200);
    }
    const browsedMem = memoryOf(cold.g.child.pid!);
    assert.equal(await cold.g.kill('SIGTERM'), 0);

    const warm = await startAndList();
    const warmMem = memoryOf(warm.g.child.pid!);
    assert.equal(await warm.g.kill('SIGTERM'), 0);

    const f = (n: number) => n.toFixed(0);
    console.log(
      `      session-memory: ${SESSIONS} sessions, ${f(bytes / 1024 / 1024)} MB on disk\n` +
        `      session-memory: first start (no index): ready in ${f(cold.startMs)} ms, GET /sessions ${f(cold.listMs)} ms, RSS ${f(coldMem.rssMB)} MB (peak ${f(coldMem.peakMB)} MB)\n` +
        `      session-memory: after opening all ${SESSIONS} sessions one by one: RSS ${f(browsedMem.rssMB)} MB (peak ${f(browsedMem.peakMB)} MB)\n` +
        `      session-memory: next start (index): ready in ${f(warm.startMs)} ms, GET /sessions ${f(warm.listMs)} ms, RSS ${f(warmMem.rssMB)} MB (peak ${f(warmMem.peakMB)} MB)`,
    );
    assert.ok(coldMem.rssMB < LIMIT_MB, `first start: RSS ${f(coldMem.rssMB)} MB`);
    assert.ok(warmMem.rssMB < LIMIT_MB, `next start: RSS ${f(warmMem.rssMB)} MB`);
    // Garbage-collection timing moves this one by ±60 MB; the bound catches a store that keeps what it read (0.1: 859 MB).
    assert.ok(browsedMem.rssMB < BROWSE_LIMIT_MB, `after opening every session: RSS ${f(browsedMem.rssMB)} MB`);
  });
});
