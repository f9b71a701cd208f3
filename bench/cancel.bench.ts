/**
 * Cancel latency: how long from engine.cancel(turnId) until the Ollama test
 * double sees the client close its socket, mid-stream and while the model is
 * still "loading" (no headers yet). Target: p99 ≤ 100 ms. The double runs in a
 * child process so the figure includes a real socket close across processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createEngine } from '../src/gateway/engine';
import type { GatewayEvent } from '../src/shared/events';
import { startOllamaDouble, type OllamaDouble } from '../test/double';

const ROUNDS = Number(process.env.HEARTH_BENCH_CANCEL_ROUNDS ?? 40);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** Child mode: a double whose replies never finish on their own; reports client closes on stdout. */
async function serve(): Promise<void> {
  const double: OllamaDouble = await startOllamaDouble({ models: ['bench-model'] });
  let seen = 0;
  let arrived = 0;
  process.stdin.on('data', (b) => {
    const mode = b.toString().trim();
    double.enqueue(mode === 'loading' ? { tokens: ['x'], firstByteDelayMs: 60_000 } : { tokens: ['a', 'b', 'c'], tokenDelayMs: 60_000 });
    process.stdout.write('queued\n');
  });
  setInterval(() => {
    const closed = double.requests.filter((r) => r.clientClosedAt !== undefined);
    for (const r of closed.slice(seen)) process.stdout.write(`closed ${r.clientClosedAt}\n`);
    seen = closed.length;
    const chats = double.requests.filter((r) => r.path === '/api/chat' && r.body !== undefined);
    for (let k = arrived; k < chats.length; k++) process.stdout.write('arrived\n');
    arrived = chats.length;
  }, 1).unref();
  process.stdout.write(`url ${double.url}\n`);
}

function lines(child: ChildProcess): AsyncIterator<string> {
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  let buf = '';
  child.stdout!.on('data', (b: Buffer) => {
    buf += b.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      queue.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
    wake?.();
  });
  return {
    async next() {
      while (queue.length === 0) await new Promise<void>((r) => (wake = r));
      return { value: queue.shift()!, done: false };
    },
  };
}

async function main(): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const out = lines(child);
  const url = (await out.next()).value.replace(/^url /, '');
  const engine = createEngine({ provider: 'ollama', baseUrl: url, requestTimeoutMs: 120_000 }, { coalesceMs: 0 });
  const results: Record<'streaming' | 'loading', number[]> = { streaming: [], loading: [] };

  for (let i = 0; i < ROUNDS; i++) {
    for (const mode of ['streaming', 'loading'] as const) {
      child.stdin!.write(`${mode}\n`);
      await out.next(); // queued
      const turnId = `bench-${mode}-${i}`;
      const it = engine.run({ turnId, sessionId: 'bench-session', model: 'bench-model', messages: [{ role: 'user', content: 'go' }] })[Symbol.asyncIterator]();
      const drained = (async () => {
        for (let r = await it.next(); !r.done; r = await it.next()) void (r.value as GatewayEvent);
      })();
      // Cancel only once the double holds the request (mid-stream: after the first token was sent).
      await out.next(); // arrived
      if (mode === 'streaming') await new Promise((r) => setTimeout(r, 20));
      const at = Date.now();
      engine.cancel(turnId);
      const closedAt = Number((await out.next()).value.replace(/^closed /, ''));
      results[mode].push(closedAt - at);
      await drained;
    }
  }
  await engine.close();
  child.kill();

  console.log(`cancel → upstream socket closed (${ROUNDS} rounds each, double in a child process)`);
  console.log('| when | p50 ms | p99 ms | max ms | target |');
  console.log('|---|---|---|---|---|');
  let worst = 0;
  for (const [mode, xs] of Object.entries(results)) {
    worst = Math.max(worst, pct(xs, 99));
    console.log(`| ${mode === 'loading' ? 'model loading (no headers yet)' : 'mid-stream'} | ${pct(xs, 50)} | ${pct(xs, 99)} | ${Math.max(...xs)} | ≤ 100 |`);
  }
  console.log(worst <= 100 ? 'cancel latency: within target' : `cancel latency: p99 ${worst} ms is OVER the 100 ms target`);
}

if (process.argv.includes('--serve')) void serve();
else
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
