/**
 * Time to first token: from "the user sends" to "the first answer
 * text is in the reader's hands", along each path a reply can take, with the
 * Ollama test double (2 ms per word) in a child process as the model server.
 *
 *   direct     POST /api/chat to the double, first content line parsed (the floor)
 *   engine     engine.run(), first `token` event
 *   gateway    POST /chat/stream to the gateway (new session, write-ahead save with
 *              fsync, as `npm start` runs), first `event: token` frame parsed
 *   followUp   the same, for a follow-up question in an existing session (its
 *              write goes to the session's journal, live/<id>.json: it costs the
 *              question, not the session)
 *   followUp1MB  the same in a session of 1 MB (the model gets what fits its window)
 *   memory     the gateway over an in-memory store (diagnostic, not a product path):
 *              what the gateway adds besides the durable write of the question
 *   extension  the conversation core as the extension runs it (the extension's
 *              session store with fsync, the chat service, the page's channel) →
 *              a postMessage-like hop (MessageChannel, structured clone) → the
 *              message validated as the webview does; first token (in-process,
 *              without VS Code)
 *
 * Rounds alternate the order of the paths; median and p90 of each and the time
 * each path adds to the direct median. Target (the gateway must not be felt): it adds ≤ 2 ms
 * median (≤ 5 ms on a busy machine).
 *
 *   npm run bench -- ttft                  figures
 *   HEARTH_BENCH_TTFT_ROUNDS=60 …          more rounds (default 30)
 *   node --import tsx bench/ttft.bench.ts --profile [followUp|followUp1MB]    where a gateway turn's time goes
 */
import { spawn, type ChildProcess } from 'node:child_process';
import diagnostics from 'node:diagnostics_channel';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { Pool } from 'undici';
import { ConversationHub } from '../src/core/hub';
import { inertPlatform } from '../test/support/platform';
import { standaloneStore } from '../src/standalone/gateway';
import { ModelState } from '../src/core/models';
import { ExtensionSessionStore } from '../src/extension/sessions/extensionSessionStore';
import { createChatService } from '../src/gateway/chat/chatService';
import type { ChatService } from '../src/gateway/chat/types';
import { createEngine } from '../src/gateway/engine';
import type { ChatEngine } from '../src/gateway/engine/types';
import { startGatewayServer } from '../src/gateway/server';
import { FileSessionStore } from '../src/gateway/sessions/fileStore';
import { parseHostMessage, type HostToWebview } from '../src/shared/protocol';
import { summarize, type ChatMessage, type Session, type SessionInit, type SessionStore } from '../src/shared/session';
import { startOllamaDouble } from '../test/double';
import { MemoryMemento } from '../test/support/memento';

const ROUNDS = Number(process.env.HEARTH_BENCH_TTFT_ROUNDS ?? 30);
const MODEL = 'bench-model';
const TOKEN = 'bench-token-0123456789';
const QUESTION = 'Why is the sky blue? Answer in two sentences.';
const PROFILE = process.argv.includes('--profile');

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Child mode: the double in its own process, as Ollama is. */
async function serve(): Promise<void> {
  const double = await startOllamaDouble({ models: [MODEL] });
  double.defaultReply = { tokens: 'Because air scatters blue light more than red light , so the sky looks blue .'.split(/(?<= )/), tokenDelayMs: 2 };
  // Keep the request log from growing without bound over many rounds.
  setInterval(() => double.requests.splice(0, double.requests.length), 1000).unref();
  process.stdout.write(`${double.url}\n`);
}

async function startDouble(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { url: line.toString().trim(), child };
}

/**
 * Reads an SSE or NDJSON body to its end; resolves with performance.now() at the
 * first line where `hit(line)` (the whole reply is read so rounds never overlap).
 */
async function firstLine(body: AsyncIterable<Buffer | Uint8Array>, hit: (line: string) => boolean): Promise<number> {
  const dec = new TextDecoder();
  let buf = '';
  let at = 0;
  for await (const chunk of body) {
    if (at) continue;
    buf += dec.decode(chunk, { stream: true });
    let nl;
    while (!at && (nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (hit(line)) at = performance.now();
    }
  }
  if (!at) throw new Error('no first token in the body');
  return at;
}

interface Paths {
  direct(): Promise<number>;
  engine(): Promise<number>;
  gateway(): Promise<number>;
  followUp(): Promise<number>;
  followUp1MB(): Promise<number>;
  memory(): Promise<number>;
  extension(): Promise<number>;
}

/** A SessionStore in memory: the gateway's own overhead without the disk (diagnostic only). */
class MemoryStore implements SessionStore {
  private readonly sessions = new Map<string, Session>();
  async list() {
    return [...this.sessions.values()].map(summarize);
  }
  async get(id: string) {
    const s = this.sessions.get(id);
    return s && structuredClone(s);
  }
  async create(init: SessionInit) {
    const t = Date.now();
    const s: Session = { id: init.id ?? `mem-${t}-${Math.random().toString(16).slice(2)}`, title: init.title ?? 'New chat', ...(init.model ? { model: init.model } : {}), created_at: t, updated_at: t, messages: structuredClone(init.messages ?? []) };
    this.sessions.set(s.id, s);
    return structuredClone(s);
  }
  private must(id: string) {
    const s = this.sessions.get(id);
    if (!s) throw new Error('no session');
    return s;
  }
  async appendMessage(id: string, m: ChatMessage) {
    this.must(id).messages.push(structuredClone(m));
  }
  async updateMessage(id: string, mid: string, patch: Partial<ChatMessage>) {
    Object.assign(this.must(id).messages.find((m) => m.id === mid)!, structuredClone(patch));
  }
  async truncateFrom(id: string, mid: string) {
    const s = this.must(id);
    s.messages.splice(s.messages.findIndex((m) => m.id === mid));
  }
  async rename(id: string, title: string) {
    this.must(id).title = title;
  }
  async setModel(id: string, model: string) {
    this.must(id).model = model;
  }
  async delete(id: string) {
    return this.sessions.delete(id);
  }
  async recoverInterrupted() {
    return 0;
  }
}

async function main(): Promise<void> {
  const { url, child } = await startDouble();
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'hearth-bench-ttft-'));
  const config = { provider: 'ollama' as const, baseUrl: url, requestTimeoutMs: 60_000 };
  const messages = [{ role: 'user' as const, content: QUESTION }];

  // direct: what a client of Ollama itself sees (same pool library as the engine).
  const pool = new Pool(url, { connections: 4 });
  const direct = async (): Promise<number> => {
    const t0 = performance.now();
    const res = await pool.request({
      path: '/api/chat',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages, stream: true, options: { num_ctx: 8192 } }),
    });
    const t1 = await firstLine(res.body, (l) => {
      const v = JSON.parse(l) as { message?: { content?: string } };
      return !!v.message?.content;
    });
    return t1 - t0;
  };

  // engine: production tuning (coalescing on).
  const engine = createEngine(config);
  let n = 0;
  const viaEngine = async (): Promise<number> => {
    const t0 = performance.now();
    let t1 = 0;
    for await (const e of engine.run({ turnId: `ttft-${++n}`, sessionId: 'bench-session', model: MODEL, messages })) {
      if (e.type === 'token' && !t1) t1 = performance.now();
    }
    return t1 - t0;
  };

  // gateway: the standalone server as `npm start` runs it (fsync on).
  const gwEngine = PROFILE ? traced(createEngine(config)) : createEngine(config);
  const gwStore = standaloneStore(path.join(dir, 'gateway'), undefined);
  const gwService = createChatService({ store: gwStore, engine: gwEngine, settings: () => ({}) });
  const server = await startGatewayServer({ port: 0, token: TOKEN, provider: () => ({ kind: 'ollama', url }), engine: gwEngine, chatService: gwService, store: gwStore });
  const memEngine = createEngine(config);
  const memStore = new MemoryStore();
  const memService = createChatService({ store: memStore, engine: memEngine, settings: () => ({}) });
  const memServer = await startGatewayServer({ port: 0, token: TOKEN, provider: () => ({ kind: 'ollama', url }), engine: memEngine, chatService: memService, store: memStore });
  const agent = new http.Agent({ keepAlive: true });
  let followUpSession: string | undefined;
  // A long conversation: 40 turns of 25 KB messages.
  const large = await gwStore.create({ title: 'a long conversation', model: MODEL });
  for (let i = 0; i < 40; i++) {
    const text = `${'The cache key changes when the lock file is rewritten. '.repeat(460)}${i}`;
    await gwStore.appendMessage(large.id, { id: `large-${String(i).padStart(6, '0')}`, role: i % 2 ? 'assistant' : 'user', content: text, status: 'complete', created_at: i, model: MODEL });
  }
  const viaGateway = (sessionId?: string, port = server.port): Promise<number> =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ model: MODEL, content: QUESTION, ...(sessionId ? { session_id: sessionId } : {}) });
      const t0 = performance.now();
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: '/chat/stream',
          method: 'POST',
          agent,
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          if (res.statusCode !== 200) return reject(new Error(`gateway answered ${res.statusCode}`));
          firstLine(res, (l) => {
            // The first event names the session: the follow-up rounds continue it.
            if (!followUpSession && l.startsWith('data: ')) followUpSession = (JSON.parse(l.slice(6)) as { session_id?: string }).session_id;
            return l === 'event: token';
          }).then((t1) => resolve(t1 - t0), reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  // extension: the conversation core (as the extension wires it) → postMessage-like hop → validated on arrival.
  const extEngine = createEngine(config);
  const extMemento = new MemoryMemento();
  const extStore = new ExtensionSessionStore({ memento: extMemento, dir: path.join(dir, 'extension'), workspace: 'file:///bench', maxSessions: () => 10_000 });
  const extService: ChatService = createChatService({ store: extStore, engine: extEngine, settings: () => ({}) });
  const extModels = new ModelState({ source: () => extEngine, memento: extMemento, configuredModel: () => MODEL, baseUrl: () => url, pollMs: 0 });
  const hub = new ConversationHub({
    store: extStore,
    chat: async () => extService,
    models: extModels,
    puller: () => ({ pull: async () => {} }),
    canPull: () => false,
    ready: async () => {},
    prepare: async () => {},
    prefs: extMemento,
    log: () => {},
  });
  const channel = new MessageChannel();
  let onWebview: ((m: HostToWebview) => void) | undefined;
  channel.port2.on('message', (raw: unknown) => {
    const parsed = parseHostMessage(raw);
    if (parsed.ok) onWebview?.(parsed.value);
  });
  const conversation = hub.open(inertPlatform({ workspace: 'file:///bench' }), (m) => channel.port1.postMessage(m));
  await conversation.receive({ type: 'ready' });
  const viaExtension = async (): Promise<number> => {
    conversation.newChat();
    const t0 = performance.now();
    const first = new Promise<number>((resolve) => {
      onWebview = (m) => {
        if (m.type === 'event' && m.event.type === 'token') {
          onWebview = undefined;
          resolve(performance.now());
        }
      };
    });
    await conversation.receive({ type: 'send', content: QUESTION, model: MODEL });
    const t1 = await first;
    await conversation.idle();
    return t1 - t0;
  };

  const paths: Paths = { direct, engine: viaEngine, gateway: () => viaGateway(), followUp: () => viaGateway(followUpSession), followUp1MB: () => viaGateway(large.id), memory: () => viaGateway(undefined, memServer.port), extension: viaExtension };
  const names = Object.keys(paths) as (keyof Paths)[];

  if (PROFILE) {
    await profile(paths, gwStore);
  } else {
    // Warm up every path (JIT, connections, /api/show cache).
    for (let i = 0; i < 3; i++) for (const k of names) await paths[k]();
    const times: Record<keyof Paths, number[]> = { direct: [], engine: [], gateway: [], followUp: [], followUp1MB: [], memory: [], extension: [] };
    for (let r = 0; r < ROUNDS; r++) {
      // Rotate the order so no path always runs first (or after the same one).
      for (let i = 0; i < names.length; i++) {
        const k = names[(r + i) % names.length]!;
        times[k].push(await paths[k]());
      }
    }
    const base = median(times.direct);
    const load = (await fs.readFile('/proc/loadavg', 'utf8').catch(() => '? ? ?')).split(' ').slice(0, 3).join(' ');
    console.log(`time to first token, ${ROUNDS} alternating rounds after warm-up; double in a child process, 2 ms per word; load average ${load}`);
    console.log('| path | median ms | p90 ms | added (median) ms |');
    console.log('|---|---:|---:|---:|');
    const label: Record<keyof Paths, string> = {
      direct: 'straight to the double (`POST /api/chat`)',
      engine: 'through the engine (`engine.run`)',
      gateway: "through the gateway's SSE (`POST /chat/stream`, new session)",
      followUp: "through the gateway's SSE (follow-up question)",
      followUp1MB: "through the gateway's SSE (follow-up question, 1 MB session)",
      memory: "through the gateway's SSE, store in memory (diagnostic: all but the disk write)",
      extension: 'through the extension path (conversation core → postMessage-like hop)',
    };
    for (const k of names) {
      const m = median(times[k]);
      console.log(`| ${label[k]} | ${m.toFixed(1)} | ${pct(times[k], 90).toFixed(1)} | ${k === 'direct' ? '–' : `${(m - base).toFixed(1)}`} |`);
    }
    const added = median(times.gateway) - base;
    const own = median(times.memory) - base;
    console.log(
      `gateway SSE adds ${added.toFixed(1)} ms (target 2 ms; 5 on a busy machine): ${added <= 2 ? 'within' : 'OVER'} the target. ` +
        `Its own work adds ${own.toFixed(1)} ms; the durable write of the question, which the first token waits for, the rest.`,
    );
  }

  agent.destroy();
  await Promise.all([server.close(), memServer.close()]);
  hub.dispose();
  extModels.dispose();
  await Promise.all([gwService.dispose(), extService.dispose(), memService.dispose()]);
  await Promise.all([engine.close(), gwEngine.close(), extEngine.close(), memEngine.close(), pool.close()]);
  channel.port1.close();
  child.kill();
  await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
}

let mark: (what: string) => void = () => {};

/** The engine with marks where the chat service calls it and where its first token comes out. */
function traced(engine: ChatEngine): ChatEngine {
  return {
    run(request) {
      mark('engine.run called');
      const events = engine.run(request);
      return {
        async *[Symbol.asyncIterator]() {
          let first = true;
          for await (const e of events) {
            if (e.type === 'token' && first) {
              first = false;
              mark('engine: first token event');
            }
            yield e;
          }
        },
      };
    },
    cancel: (id) => engine.cancel(id),
    listModels: (s) => engine.listModels(s),
    health: (s) => engine.health(s),
    close: () => engine.close(),
  };
}

/**
 * Where a gateway turn spends its time before the first token: marks from the
 * store's calls, undici's diagnostics channels (request created, headers sent,
 * response headers) and the client, medians over rounds.
 */
async function profile(paths: Paths, store: FileSessionStore): Promise<void> {
  let t0 = 0;
  let marks: [string, number][] = [];
  mark = (what: string) => {
    if (t0) marks.push([what, performance.now() - t0]);
  };
  diagnostics.subscribe('undici:request:create', (m) => {
    if ((m as { request: { path: string } }).request.path.endsWith('/api/chat')) mark('upstream request created');
  });
  diagnostics.subscribe('undici:client:sendHeaders', () => mark('upstream headers sent'));
  diagnostics.subscribe('undici:request:headers', (m) => {
    if ((m as { request: { path: string } }).request.path.endsWith('/api/chat')) mark('upstream response headers');
  });
  diagnostics.subscribe('http.server.request.start', () => mark('gateway: request received'));
  for (const op of ['create', 'get', 'appendMessage', 'rename', 'setModel', 'updateMessage'] as const) {
    const orig = (store[op] as (...a: unknown[]) => Promise<unknown>).bind(store);
    (store as unknown as Record<string, unknown>)[op] = async (...a: unknown[]) => {
      mark(`store.${op} start`);
      try {
        return await orig(...a);
      } finally {
        mark(`store.${op} end`);
      }
    };
  }
  const which = process.argv.includes('followUp1MB') ? 'followUp1MB' : process.argv.includes('followUp') ? 'followUp' : 'gateway';
  await paths.gateway(); // makes the session the follow-ups continue
  for (let i = 0; i < 3; i++) await paths[which]();
  const all = new Map<string, number[]>();
  const firsts: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    marks = [];
    t0 = performance.now();
    const ttft = await paths[which]();
    t0 = 0;
    firsts.push(ttft);
    const seen = new Map<string, number>();
    for (const [what, at] of marks) {
      const k = (seen.get(what) ?? 0) + 1;
      seen.set(what, k);
      const key = k === 1 ? what : `${what} #${k}`;
      all.set(key, [...(all.get(key) ?? []), at]);
    }
  }
  const what = { gateway: 'new session', followUp: 'follow-up question', followUp1MB: 'follow-up question, 1 MB session' }[which];
  console.log(`gateway turn profile, ${what} (${ROUNDS} rounds): median ms after the client sent the request`);
  const rows = [...all.entries()].map(([k, xs]) => [k, median(xs)] as const).sort((a, b) => a[1] - b[1]);
  for (const [k, m] of rows) console.log(`${m.toFixed(2).padStart(8)}  ${k}`);
  console.log(`${median(firsts).toFixed(2).padStart(8)}  client: first token frame`);
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
