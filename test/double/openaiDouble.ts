/**
 * A small OpenAI-compatible server double (what vLLM, llama.cpp's server or LM
 * Studio speak): GET /v1/models and POST /v1/chat/completions streaming SSE with
 * `data: [DONE]`. Requests and early client closes are recorded like the Ollama double's.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { sleep, writeSteps, type Step } from './replyWriter';
import type { Chunking, RequestRecord } from './types';

export interface OpenAIReplyScript {
  tokens?: string[];
  /** Sent as delta.reasoning_content. */
  reasoning?: string[];
  tokenDelayMs?: number;
  firstByteDelayMs?: number;
  /** An HTTP error instead of a reply, with an OpenAI-style error body. */
  status?: number;
  errorMessage?: string;
  /** After N tokens, a `data: {"error":…}` event, then the stream ends. */
  errorAfterTokens?: { tokens: number; message: string };
  /** Leave out `data: [DONE]`. */
  omitDone?: boolean;
  finishReason?: 'stop' | 'length';
  /** Leave out the usage chunk even when asked for. */
  omitUsage?: boolean;
  chunking?: Chunking;
  /** Destroy the socket before sending anything (a stale keep-alive connection, a restart). */
  resetBeforeHeaders?: boolean;
  resetAfterTokens?: number;
  /** Never send headers; hold the request open until the client gives up. */
  stallBeforeHeaders?: boolean;
  /** After N tokens, stop writing and hold the connection open. */
  stallAfterTokens?: number;
  /** After N tokens, a `data:` event that is not JSON, then carry on. */
  malformedAfterTokens?: number;
}

export class OpenAIDouble {
  readonly requests: RequestRecord[] = [];
  readonly queue: OpenAIReplyScript[] = [];
  private readonly bodyRead = new WeakSet<RequestRecord>();
  private readonly changes = new EventEmitter();
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private port = 0;

  constructor(readonly models: string[] = ['served-model']) {
    this.changes.setMaxListeners(0);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    for (const sock of this.sockets) sock.destroy();
    await new Promise<void>((r) => s.close(() => r()));
  }

  enqueue(...scripts: OpenAIReplyScript[]): this {
    this.queue.push(...scripts);
    return this;
  }

  requestsTo(path: string): RequestRecord[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** The latest chat request the client closed before its reply was complete. */
  waitForClientClose(timeoutMs = 10_000): Promise<RequestRecord> {
    return this.waitFor(() => [...this.requests].reverse().find((r) => r.path.endsWith('/chat/completions') && r.clientClosedAt !== undefined), timeoutMs, 'client close');
  }

  /** The first request (with its body read) that matches. */
  waitForRequest(match: (r: RequestRecord) => boolean = () => true, timeoutMs = 10_000): Promise<RequestRecord> {
    return this.waitFor(() => this.requests.find((r) => this.bodyRead.has(r) && match(r)), timeoutMs, 'matching request');
  }

  private waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const hit = probe();
    if (hit !== undefined) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.changes.off('change', on);
        reject(new Error(`openai double: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const on = () => {
        const r = probe();
        if (r !== undefined) {
          clearTimeout(timer);
          this.changes.off('change', on);
          resolve(r);
        }
      };
      this.changes.on('change', on);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const record: RequestRecord = { index: this.requests.length, method: req.method ?? 'GET', path, headers: { ...req.headers }, body: undefined, rawBody: '', receivedAt: Date.now(), status: 0 };
    this.requests.push(record);
    let serverAborted = false;
    const closed = new AbortController();
    res.on('close', () => {
      if (res.writableFinished) record.finishedAt = Date.now();
      else if (!serverAborted) record.clientClosedAt = Date.now();
      closed.abort();
      this.changes.emit('change');
    });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    record.rawBody = Buffer.concat(chunks).toString('utf8');
    try {
      record.body = record.rawBody ? JSON.parse(record.rawBody) : undefined;
    } catch {
      record.body = undefined;
    }
    this.bodyRead.add(record);
    this.changes.emit('change');

    const json = (status: number, body: unknown) => {
      if (closed.signal.aborted) return;
      record.status = status;
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && path === '/v1/models') {
      return json(200, { object: 'list', data: this.models.map((id) => ({ id, object: 'model', owned_by: 'double' })) });
    }
    // /v1/completions (prompt, optional suffix, max_tokens) streams `choices[0].text`; /v1/chat/completions streams deltas.
    const text = path === '/v1/completions';
    if (req.method !== 'POST' || (path !== '/v1/chat/completions' && !text)) return json(404, { error: { message: `no route ${path}`, type: 'not_found' } });
    const b = record.body;
    if (!b || typeof b.model !== 'string') return json(400, { error: { message: 'model is required', type: 'invalid_request_error' } });
    const script = this.queue.shift() ?? {};
    if (script.status) {
      if (script.firstByteDelayMs) await sleep(script.firstByteDelayMs, closed.signal);
      return json(script.status, { error: { message: script.errorMessage ?? `error ${script.status}`, type: 'server_error' } });
    }
    if (!this.models.includes(b.model)) return json(404, { error: { message: `The model \`${b.model}\` does not exist.`, type: 'invalid_request_error', code: 'model_not_found' } });

    const lastUser = [...(b.messages ?? [])].reverse().find((m: { role: string }) => m.role === 'user')?.content ?? '';
    let tokens = script.tokens ?? `You said: ${text ? String(b.prompt ?? '') : lastUser}`.split(/(?<=\s)/);
    if (text && typeof b.max_tokens === 'number' && tokens.length > b.max_tokens) tokens = tokens.slice(0, b.max_tokens);
    const id = 'chatcmpl-double';
    const ev = (delta: Record<string, unknown>, finish: string | null = null) =>
      text
        ? `data: ${JSON.stringify({ id, object: 'text_completion', created: 0, model: b.model, choices: [{ index: 0, text: delta.content ?? '', finish_reason: finish }] })}\n`
        : `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 0, model: b.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n`;
    const steps: Step[] = [];
    if (script.stallBeforeHeaders) steps.push({ kind: 'stall' });
    if (script.resetBeforeHeaders) steps.push({ kind: 'reset', beforeHeaders: true, delayMs: script.firstByteDelayMs ?? 0 });
    // The role chunk goes out with the first token, as servers do.
    let first = true;
    const delay = () => {
      const d = first ? 0 : (script.tokenDelayMs ?? 0);
      first = false;
      return d;
    };
    steps.push({ kind: 'line', text: ev({ role: 'assistant', content: '' }), delayMs: script.firstByteDelayMs ?? 0 });
    for (const r of script.reasoning ?? []) steps.push({ kind: 'line', text: ev({ reasoning_content: r }), delayMs: delay() });
    for (let i = 0; i <= tokens.length; i++) {
      if (script.errorAfterTokens?.tokens === i) {
        steps.push({ kind: 'line', text: `data: ${JSON.stringify({ error: { message: script.errorAfterTokens.message } })}\n`, delayMs: delay() }, { kind: 'end' });
        break;
      }
      if (script.resetAfterTokens === i) {
        steps.push({ kind: 'reset', delayMs: delay() });
        break;
      }
      if (script.stallAfterTokens === i) {
        steps.push({ kind: 'stall', delayMs: delay() });
        break;
      }
      if (script.malformedAfterTokens === i) steps.push({ kind: 'line', text: 'data: {"choices":[{oops\n', delayMs: delay() });
      if (i === tokens.length) {
        steps.push({ kind: 'line', text: ev({}, script.finishReason ?? 'stop'), delayMs: delay() });
        if (b.stream_options?.include_usage && !script.omitUsage) {
          const usage = { prompt_tokens: 17, completion_tokens: tokens.length, total_tokens: 17 + tokens.length };
          steps.push({ kind: 'line', text: `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', choices: [], usage })}\n` });
        }
        if (!script.omitDone) steps.push({ kind: 'line', text: 'data: [DONE]\n' });
        break;
      }
      steps.push({ kind: 'line', text: ev({ content: tokens[i] }), delayMs: delay() });
    }
    record.status = script.resetBeforeHeaders || script.stallBeforeHeaders ? 0 : 200;
    await writeSteps(res, steps, closed.signal, {
      chunking: script.chunking,
      contentType: 'text/event-stream',
      onServerAbort: () => {
        serverAborted = true;
      },
    });
  }
}

export async function startOpenAIDouble(models?: string[]): Promise<OpenAIDouble> {
  return new OpenAIDouble(models).start();
}
