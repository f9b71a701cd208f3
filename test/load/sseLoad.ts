/**
 * The load harness behind test/load/sseLoad.test.ts (reduced numbers, CI) and
 * bench/gateway-load.bench.ts (full numbers): N concurrent SSE clients on a real
 * gateway (loopback only), each streaming its own reply from the Ollama double,
 * plus one client that never reads. Checks every event arrived, in order, and
 * samples memory before, during and after.
 */
import { promises as fs } from 'node:fs';
import net from 'node:net';
import { createChatService } from '../../src/gateway/chat/chatService';
import { createEngine } from '../../src/gateway/engine';
import { startGatewayServer } from '../../src/gateway/server';
import { FileSessionStore } from '../../src/gateway/sessions/fileStore';
import { startOllamaDouble } from '../double';
import { tempDir } from '../unit/chat/helpers';
import { sse, type SseClient } from '../unit/server/httpClient';

export interface LoadOptions {
  clients: number;
  /** Words in each client's prompt; the double echoes them back as tokens. */
  words?: number;
  tokenDelayMs?: number;
  /** Add one client that never reads a byte of a large reply. */
  stalledClient?: boolean;
}

export interface LoadFigures {
  clients: number;
  completed: number;
  events: number;
  tokens: number;
  lost: number;
  reordered: number;
  durationMs: number;
  baselineHeapMB: number;
  peakHeapMB: number;
  afterHeapMB: number;
  baselineRssMB: number;
  peakRssMB: number;
  afterRssMB: number;
  stalledDropped: boolean | null;
}

const MB = 1024 * 1024;
const TOKEN = 'load-test-token-0123456789';

async function settle(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 50));
  }
  return process.memoryUsage();
}

function expectedText(content: string): string {
  // The double's default reply echoes the prompt.
  return `You said: ${content.trim()}`;
}

export async function runSseLoad(o: LoadOptions): Promise<LoadFigures> {
  const words = o.words ?? 40;
  const double = await startOllamaDouble({ models: ['load-model'], defaultReply: { tokenDelayMs: o.tokenDelayMs ?? 2 } });
  const dir = await tempDir('hearth-load-');
  const store = new FileSessionStore({ dir });
  const engine = createEngine({ provider: 'ollama', baseUrl: double.url, requestTimeoutMs: 120_000 }, { coalesceMs: 0 });
  // A short replay window so "after" measures the steady state, not the resumable tail.
  const service = createChatService({ store, engine, settings: () => ({}), replayTtlMs: 200 });
  const logs: string[] = [];
  const server = await startGatewayServer({
    port: 0,
    token: TOKEN,
    provider: () => ({ kind: 'ollama', url: double.url }),
    engine,
    chatService: service,
    store,
    heartbeatMs: 1000,
    maxSseBufferedBytes: 256 * 1024,
    maxConnections: o.clients + 50,
    logger: { info: () => {}, warn: (m) => logs.push(m), error: (m) => logs.push(m) },
  });
  const port = server.port;
  let stalled: net.Socket | undefined;
  try {
    // Warm up (JIT, pools), then take the baseline.
    const warm = sse(port, { method: 'POST', path: '/chat/stream', token: TOKEN, body: { model: 'load-model', content: 'warm up' } });
    await warm.finished;
    const base = await settle();
    let peakHeap = base.heapUsed;
    let peakRss = base.rss;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakRss = Math.max(peakRss, m.rss);
    }, 20);

    if (o.stalledClient) {
      double.enqueue({ tokens: Array.from({ length: 400 }, () => 'z'.repeat(16 * 1024)) });
      stalled = net.connect(port, '127.0.0.1');
      stalled.on('error', () => {});
      await new Promise((r) => stalled!.once('connect', r));
      const body = JSON.stringify({ model: 'load-model', content: 'stalled' });
      stalled.write(
        `POST /chat/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      stalled.pause();
      await double.waitForRequest((r) => r.path === '/api/chat' && r.body?.messages?.at(-1)?.content === 'stalled', 30_000);
    }

    const started = Date.now();
    const contents = Array.from({ length: o.clients }, (_, i) => `client${i} ` + Array.from({ length: words - 1 }, (_, w) => `w${w}`).join(' '));
    const clients: SseClient[] = contents.map((content) => sse(port, { method: 'POST', path: '/chat/stream', token: TOKEN, body: { model: 'load-model', content } }));
    await Promise.all(clients.map((c) => c.finished));
    const durationMs = Date.now() - started;
    clearInterval(sampler);

    let events = 0;
    let tokens = 0;
    let lost = 0;
    let reordered = 0;
    let completed = 0;
    clients.forEach((c, i) => {
      events += c.events.length;
      const toks = c.events.filter((e) => e.event === 'token');
      tokens += toks.length;
      const ids = c.events.map((e) => Number(e.id));
      if (ids.some((id, k) => id !== k + 1)) reordered++;
      const last = c.events.at(-1);
      if (last?.event === 'done' && last.json.finish_reason === 'stop') completed++;
      const want = expectedText(contents[i]!).split(/(?<=\s)/);
      const got = toks.map((e) => e.json.content as string).join('');
      if (got !== want.join('')) {
        // Count words missing from what arrived.
        const gotWords = got.split(/(?<=\s)/);
        lost += Math.max(1, want.length - gotWords.length);
      }
    });

    clients.length = 0; // the harness's own copies of the streams are not the gateway's memory
    await new Promise((r) => setTimeout(r, 400)); // past the replay window
    const after = await settle();
    return {
      clients: o.clients,
      completed,
      events,
      tokens,
      lost,
      reordered,
      durationMs,
      baselineHeapMB: base.heapUsed / MB,
      peakHeapMB: peakHeap / MB,
      afterHeapMB: after.heapUsed / MB,
      baselineRssMB: base.rss / MB,
      peakRssMB: peakRss / MB,
      afterRssMB: after.rss / MB,
      stalledDropped: o.stalledClient ? logs.some((l) => l.includes('stalled')) : null,
    };
  } finally {
    stalled?.destroy();
    await server.close();
    await service.dispose();
    await engine.close();
    await double.stop();
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
  }
}

export function formatFigures(f: LoadFigures): string {
  const r = (n: number) => n.toFixed(1);
  return [
    `clients=${f.clients} completed=${f.completed} events=${f.events} tokens=${f.tokens} lost=${f.lost} reordered=${f.reordered}`,
    `duration=${f.durationMs}ms heapUsed MB: baseline=${r(f.baselineHeapMB)} peak=${r(f.peakHeapMB)} after=${r(f.afterHeapMB)}`,
    `rss MB: baseline=${r(f.baselineRssMB)} peak=${r(f.peakRssMB)} after=${r(f.afterRssMB)} stalledClientDropped=${f.stalledDropped}`,
  ].join('\n');
}
