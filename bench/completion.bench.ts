/**
 * Inline completion, two figures:
 *
 * 1. What Hearth adds over the model's own response time. Each round sends the
 *    same fill-in-the-middle request twice, in alternating order: once as a bare
 *    client (one POST /api/generate, read to the end: the model's own time), once
 *    through Hearth (CompletionService: model choice, cutting a 64 KB window to
 *    the budget, the engine, the clean-up). Paired differences; targets p50 ≤ 5 ms,
 *    p95 ≤ 15 ms.
 * 2. A typing trace at 60 wpm (bench/traces/typing-60wpm.json) replayed in real
 *    time through the scheduler VS Code uses (debounce 150 ms, one request in
 *    flight, supersede = abort, cache, typing into a suggestion), each keystroke
 *    cancelling the previous one's call as VS Code does: requests started,
 *    cancelled upstream (as the double saw the sockets close), cache hits,
 *    typed-ahead, stale results shown (must be 0).
 *
 * The Ollama double plays a small code model: 40 ms to the first token, then
 * 8 tokens 5 ms apart.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { CompletionService } from '../src/gateway/completion/completionService';
import { createEngine } from '../src/gateway/engine';
import { CompletionScheduler, type CompletionQuery } from '../src/shared/completion/scheduler';
import { startOllamaDouble } from '../test/double';

const ROUNDS = Number(process.env.HEARTH_BENCH_COMPLETION_ROUNDS ?? 200);
const MODEL = 'bench-coder:1.5b';
const REPLY = { tokens: ['values', '.reduce(', '(a, b)', ' => ', 'a + b', ', 0', ')', ';'], firstByteDelayMs: 40, tokenDelayMs: 5 };

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
const r2 = (n: number) => Math.round(n * 100) / 100;

async function main(): Promise<void> {
  const load = loadavg().map((n) => n.toFixed(2)).join(' ');
  const double = await startOllamaDouble({ models: [{ name: MODEL, capabilities: ['completion', 'insert'], size: 1e9 }], defaultReply: REPLY });
  const engine = createEngine({ provider: 'ollama', baseUrl: double.url, requestTimeoutMs: 60_000 }, { coalesceMs: 0 });
  const service = new CompletionService(engine, () => ({ model: '', maxTokens: 64, options: { keepAlive: '30m' }, timeoutMs: 30_000 }));

  // A 64 KB window before the cursor (what the extension reads at most), 16 KB after.
  const line = (i: number) => `  const v${i} = compute(${i}, "${'x'.repeat(i % 40)}");\n`;
  let prefix = '';
  for (let i = 0; prefix.length < 64 * 1024; i++) prefix += line(i);
  prefix += 'export function sum(values: number[]): number {\n  return ';
  let suffix = '\n}\n';
  for (let i = 0; suffix.length < 16 * 1024; i++) suffix += line(i);

  // The bare client sends exactly the body Hearth sent (after its cut), so both ask the model the same.
  const warm = await service.complete({ prefix, suffix });
  const body = double.requestsTo('/api/generate').at(-1)!.rawBody;
  const bare = async () => {
    const started = performance.now();
    const res = await request(`${double.url}/api/generate`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    let text = '';
    for await (const chunk of res.body) text += chunk.toString();
    if (!text.includes('"done":true')) throw new Error('bare request ended early');
    return performance.now() - started;
  };
  const hearth = async () => {
    const started = performance.now();
    const out = await service.complete({ prefix, suffix });
    if (out.completion !== warm.completion) throw new Error('a different completion');
    return performance.now() - started;
  };
  for (let i = 0; i < 10; i++) {
    await bare();
    await hearth();
  }
  const added: number[] = [];
  const model: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    let b: number;
    let h: number;
    if (i % 2 === 0) {
      b = await bare();
      h = await hearth();
    } else {
      h = await hearth();
      b = await bare();
    }
    added.push(h - b);
    model.push(b);
  }
  console.log(`inline completion: time Hearth adds over the model's own response (${ROUNDS} paired rounds, load average ${load})`);
  console.log('| | p50 ms | p95 ms | target |');
  console.log('|---|---|---|---|');
  console.log(`| the model's own response (bare client) | ${r2(pct(model, 50))} | ${r2(pct(model, 95))} | — |`);
  console.log(`| added by Hearth | ${r2(pct(added, 50))} | ${r2(pct(added, 95))} | ≤ 5 / ≤ 15 |`);
  const ok = pct(added, 50) <= 5 && pct(added, 95) <= 15;
  console.log(ok ? 'overhead: within target' : 'overhead: OVER target');

  // --- the typing trace ---
  const trace = JSON.parse(readFileSync(path.join(__dirname, 'traces', 'typing-60wpm.json'), 'utf8')) as { wpm: number; text: string; gaps: number[] };
  const before = double.requests.length;
  const scheduler = new CompletionScheduler<CompletionQuery>({
    debounceMs: () => 150,
    fetch: async (q, signal) => (await service.complete({ prefix: q.prefix, suffix: q.suffix, signal })).completion,
  });
  let typed = '';
  let shown = 0;
  let stale = 0;
  let previous: AbortController | undefined;
  const pending: Promise<void>[] = [];
  const keysAt: number[] = [];
  for (let i = 0; i < trace.text.length; i++) {
    await new Promise((r) => setTimeout(r, trace.gaps[i]));
    keysAt.push(Date.now());
    typed += trace.text[i];
    // VS Code cancels the last keystroke's call when the next one comes.
    previous?.abort();
    const cancel = (previous = new AbortController());
    const at = typed;
    pending.push(
      scheduler.request({ editor: 'trace.ts', prefix: at, suffix: '\n' }, cancel.signal).then((o) => {
        if (o.kind !== 'show') return;
        shown++;
        if (typed !== at) stale++; // shown for a position the user has left
      }),
    );
  }
  await Promise.all(pending);
  const upstream = double.requests.slice(before).filter((r) => r.path === '/api/generate');
  const closedReqs = upstream.filter((r) => r.clientClosedAt !== undefined);
  const closed = closedReqs.length;
  // From the keystroke that made a request stale (the first after it reached the double) to the double seeing its socket close.
  const closeMs = closedReqs
    .map((r) => r.clientClosedAt! - (keysAt.find((t) => t >= r.receivedAt) ?? r.receivedAt))
    .sort((a, b) => a - b);
  const q = (p: number) => closeMs[Math.min(closeMs.length - 1, Math.floor(p * closeMs.length))] ?? 0;
  const closeOk = closeMs.length === 0 || q(0.95) <= 50;
  const s = scheduler.stats;
  console.log(`\ntyping trace at ${trace.wpm} wpm: ${trace.text.length} keystrokes in ${r2(trace.gaps.reduce((a, b) => a + b, 0) / 1000)} s (debounce 150 ms)`);
  console.log('| requests started (reached the double) | cancelled (double saw the close) | cache hits | typed into a suggestion | suggestions shown | stale shown |');
  console.log('|---|---|---|---|---|---|');
  console.log(`| ${s.started} (${upstream.length}) | ${s.cancelledUpstream} (${closed}) | ${s.cacheHits} | ${s.typedAhead} | ${shown} | ${stale} |`);
  console.log(`superseded request closed upstream after the keystroke: p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${closeMs.at(-1) ?? 0} ms over ${closeMs.length} (target p95 ≤ 50 ms): ${closeOk ? 'within target' : 'OVER target'}`);
  await engine.close();
  await double.stop();
  // A request cancelled before it left (while the model was chosen) never reaches the double; none may reach it unasked.
  if (!ok || !closeOk || stale !== 0 || upstream.length > s.started) {
    console.error(stale ? 'a stale suggestion was shown' : upstream.length > s.started ? `upstream saw ${upstream.length} requests, the scheduler started ${s.started}` : 'over target');
    process.exit(1);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
