// The Ollama test double runs in the test runner's process, but integration tests
// run inside VS Code's extension host (another process). This small loopback HTTP
// API lets them script the double from there; test/integration/support/double.ts
// is its client. Its URL reaches the extension host through the environment
// (HEARTH_TEST_DOUBLE_CONTROL), the double's own URL through settings and
// HEARTH_TEST_OLLAMA_URL.
//
//   GET  /state                 → {url, listening, models, queue, requests}
//   GET  /requests              → RequestRecord[] (without raw bodies)
//   POST /reset                 → clears queued scripts and the request log, restores models
//   POST /enqueue   [scripts]   → queue ReplyScripts for the next chat requests
//   POST /default   script      → replace the default reply script
//   POST /fail-next {n, status, errorMessage?}
//   POST /models    {add?: (DoubleModel|string)[], remove?: string[]}
//   POST /stop | /start         → the double goes away / comes back (same port)
//   POST /wait-request {path?, afterIndex?, timeoutMs?} → the first matching request
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OllamaDouble } from '../../test/double';
import type { DoubleModel, ReplyScript, RequestRecord } from '../../test/double/types';

export interface DoubleControl {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;

export async function startDoubleControl(double: OllamaDouble, initialModels: (DoubleModel | string)[]): Promise<DoubleControl> {
  const initialDefault = { ...double.defaultReply };
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: Error) => send(res, 500, { error: err.message }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const route = `${req.method} ${(req.url ?? '/').split('?')[0]}`;
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    switch (route) {
      case 'GET /state':
        return send(res, 200, { url: double.url, listening: double.listening, models: double.modelNames(), queue: double.queue, requests: double.requests.length });
      case 'GET /requests':
        return send(res, 200, double.requests.map(slim));
      case 'POST /reset': {
        double.queue.length = 0;
        double.requests.length = 0;
        double.defaultReply = { ...initialDefault };
        double.embedFailAfter = undefined;
        for (const name of double.modelNames()) double.removeModel(name);
        for (const m of initialModels) double.addModel(m);
        if (!double.listening) await double.start();
        return send(res, 200, { ok: true });
      }
      case 'POST /enqueue':
        double.enqueue(...(Array.isArray(body) ? (body as ReplyScript[]) : [body as ReplyScript]));
        return send(res, 200, { queued: double.queue.length });
      case 'POST /default':
        double.defaultReply = (body ?? {}) as ReplyScript;
        return send(res, 200, { ok: true });
      case 'POST /fail-next': {
        const b = (body ?? {}) as { n?: number; status?: number; errorMessage?: string };
        double.failNext(b.n ?? 1, b.status ?? 503, b.errorMessage);
        return send(res, 200, { queued: double.queue.length });
      }
      case 'POST /embed-fail-after': {
        // A model that fails halfway: /api/embed answers 500 once `after` more inputs were embedded (null: never).
        const b = (body ?? {}) as { after?: number | null };
        double.embedFailAfter = typeof b.after === 'number' ? double.embeddedInputs + b.after : undefined;
        return send(res, 200, { embedded: double.embeddedInputs });
      }
      case 'POST /models': {
        const b = (body ?? {}) as { add?: (DoubleModel | string)[]; remove?: string[] };
        for (const name of b.remove ?? []) double.removeModel(name);
        for (const m of b.add ?? []) double.addModel(m);
        return send(res, 200, { models: double.modelNames() });
      }
      case 'POST /stop':
        await double.stop();
        return send(res, 200, { ok: true });
      case 'POST /start':
        await double.start();
        return send(res, 200, { ok: true });
      case 'POST /wait-request': {
        const b = (body ?? {}) as { path?: string; afterIndex?: number; timeoutMs?: number };
        const rec = await double.waitForRequest(
          (r) => (b.path === undefined || r.path === b.path) && r.index > (b.afterIndex ?? -1),
          b.timeoutMs ?? 10_000,
        );
        return send(res, 200, slim(rec));
      }
      default:
        return send(res, 404, { error: `unknown control route ${route}` });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function slim(r: RequestRecord): Omit<RequestRecord, 'rawBody'> {
  const { rawBody: _raw, ...rest } = r;
  return rest;
}

function send(res: ServerResponse, status: number, value: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('control request body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text ? JSON.parse(text) : undefined;
}
