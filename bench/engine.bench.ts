/**
 * Engine throughput vs the official `ollama` client, reading the same long reply
 * (50k tokens, no token delay) from the Ollama test double, in the same process,
 * alternating rounds. Prints tokens/s and MB/s of each and the ratio (engine /
 * official; target ≥ 1.0). Run with `npm run bench` (or `npm run bench -- engine`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Ollama } from 'ollama';
import { createEngine } from '../src/gateway/engine';
import { startOllamaDouble } from '../test/double';

const TOKENS = 50_000;
const ROUNDS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Varied token text, with some multi-byte characters and Go-escaped <>&. */
const benchTokens = () => Array.from({ length: TOKENS }, (_, i) => (i % 97 === 0 ? ' <é&🔥>' : ` tok${i}`));

/** Child mode: serve the double so the clients measured do not share its event loop. */
async function serve(): Promise<void> {
  const double = await startOllamaDouble({ models: ['bench-model'] });
  // Ollama flushes per token; at full speed the socket batches lines, as here.
  double.defaultReply = { tokens: benchTokens(), chunking: { kind: 'lines', perWrite: 64 } };
  process.stdout.write(`${double.url}\n`);
}

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { url: line.toString().trim(), child };
}

async function main(): Promise<void> {
  const { url, child } = await startServer();
  const double = { url };
  const tokens = benchTokens();
  const expectedChars = tokens.join('').length;

  const engine = createEngine({ provider: 'ollama', baseUrl: double.url, requestTimeoutMs: 120_000 }, { coalesceMs: 16 });
  const official = new Ollama({ host: double.url });
  const messages = [{ role: 'user' as const, content: 'go' }];

  let turnNo = 0;
  const runEngine = async (): Promise<{ ms: number; chars: number; events: number }> => {
    const t0 = performance.now();
    let chars = 0;
    let events = 0;
    let finish = '';
    for await (const e of engine.run({ turnId: `bench-${++turnNo}`, sessionId: 'bench-session', model: 'bench-model', messages })) {
      events++;
      if (e.type === 'token') chars += e.content.length;
      else if (e.type === 'done') finish = e.finish_reason;
    }
    if (finish !== 'stop' || chars !== expectedChars) throw new Error(`engine run incomplete: ${finish}, ${chars}/${expectedChars} chars`);
    return { ms: performance.now() - t0, chars, events };
  };
  const runOfficial = async (): Promise<{ ms: number; chars: number }> => {
    const t0 = performance.now();
    let chars = 0;
    let done = false;
    for await (const part of await official.chat({ model: 'bench-model', messages, stream: true, options: { num_ctx: 8192 } })) {
      chars += part.message.content.length;
      if (part.done) done = true;
    }
    if (!done || chars !== expectedChars) throw new Error(`official run incomplete: ${chars}/${expectedChars} chars`);
    return { ms: performance.now() - t0, chars };
  };

  // The floor: the same bytes drained without parsing (the server's and the socket's share).
  const { request } = await import('undici');
  const runRaw = async (): Promise<number> => {
    const t0 = performance.now();
    const res = await request(`${double.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'bench-model', messages, options: { num_ctx: 8192 } }) });
    for await (const _ of res.body) void _;
    return performance.now() - t0;
  };

  // Warm up both paths (JIT, connections, the engine's /api/show cache).
  await runEngine();
  await runOfficial();

  await runRaw();
  const rawMs: number[] = [];
  const engineMs: number[] = [];
  const officialMs: number[] = [];
  let engineEvents = 0;
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which goes first so neither always gets the warmer machine.
    rawMs.push(await runRaw());
    const order = r % 2 === 0 ? ['engine', 'official'] : ['official', 'engine'];
    for (const which of order) {
      (globalThis as { gc?: () => void }).gc?.();
      if (which === 'engine') {
        const res = await runEngine();
        engineMs.push(res.ms);
        engineEvents = res.events;
      } else officialMs.push((await runOfficial()).ms);
    }
  }

  const bytes = Buffer.byteLength(tokens.join(''), 'utf8');
  const fmt = (ms: number) => `${((TOKENS / ms) * 1000).toFixed(0).padStart(8)} tokens/s  ${((bytes / ms) * 1000 / 1e6).toFixed(2).padStart(6)} MB/s (text)  median ${ms.toFixed(1)} ms`;
  const e = median(engineMs);
  const o = median(officialMs);
  console.log(`reply: ${TOKENS} tokens, ${(bytes / 1e6).toFixed(2)} MB of text; ${ROUNDS} alternating rounds after warm-up`);
  console.log(`engine (coalescing 16 ms):  ${fmt(e)}  (${engineEvents} events to the consumer)`);
  console.log(`official ollama client:     ${fmt(o)}`);
  console.log(`raw bytes, no parsing (floor):${fmt(median(rawMs))}`);
  console.log(`rounds ms  engine: ${engineMs.map((x) => x.toFixed(0)).join(', ')}   official: ${officialMs.map((x) => x.toFixed(0)).join(', ')}`);
  console.log(`ratio (engine throughput / official): ${(o / e).toFixed(2)}  (target >= 1.0)`);

  await engine.close();
  child.kill();
}

(process.argv.includes('--serve') ? serve() : main()).then(
  () => {
    if (!process.argv.includes('--serve')) process.exit(0);
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
