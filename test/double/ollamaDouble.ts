/**
 * A fake Ollama server for tests, faithful to /work/shared/docs/ollama-protocol.md
 * (see README.md beside this file for the API). A real node:http server on
 * 127.0.0.1; replies are scripted per request; every request is recorded together
 * with the moment the client closed the connection, if it did so early.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { goJson, goTime } from './goJson';
import { sleep, writeSteps, type Step } from './replyWriter';
import type { DoubleModel, DoubleOptions, ReplyScript, RequestRecord } from './types';

const DEFAULT_NUM_CTX = 4096;
const LOOPBACK_ORIGIN = /^(https?|app|vscode-webview|vscode-file|file):\/\/(localhost|127\.0\.0\.1|\[::1\]|0\.0\.0\.0)?(:\d+)?$/;

/** Options whose JSON type Ollama checks (a wrong type is a 500, as in Go's unmarshal). */
const NUMERIC_OPTIONS = ['num_ctx', 'temperature', 'seed', 'num_predict', 'top_k', 'top_p', 'repeat_penalty', 'num_gpu'];

/** The double's idea of a token count: a bit different from any client estimate, on purpose. */
export function doubleTokenCount(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / 4);
}

/** Dimensions of the double's embeddings. */
export const DOUBLE_EMBEDDING_DIMS = 64;

/** A hashed bag of lower-cased words, L2-normalized: texts sharing words are near, as with a real model (only far cruder). */
export function doubleEmbedding(text: string): number[] {
  const v = new Array<number>(DOUBLE_EMBEDDING_DIMS).fill(0);
  for (const w of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    let h = 2166136261;
    for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 16777619);
    v[(h >>> 0) % DOUBLE_EMBEDDING_DIMS] += 1;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

/** The default reply: a deterministic echo of the last user message, so any UI streams something. */
export function echoTokens(prompt: string): string[] {
  const words = `You said: ${prompt.trim() || '(nothing)'}`.split(/(?<=\s)/);
  return words.length ? words : ['…'];
}

interface LoadedModel {
  numCtx: number;
  expiresAt: number;
}

export class OllamaDouble {
  readonly requests: RequestRecord[] = [];
  /** Scripts for the next chat/generate requests, first in first out. */
  readonly queue: ReplyScript[] = [];
  defaultReply: ReplyScript;
  /** /api/generate's answer when no script gives tokens. */
  completionTokens: string[] | undefined;
  notFoundWording: 'new' | 'old';
  version: string;
  private readonly models = new Map<string, Required<Pick<DoubleModel, 'name'>> & DoubleModel>();
  private readonly loaded = new Map<string, LoadedModel>();
  private readonly loadCounts = new Map<string, number>();
  private readonly changes = new EventEmitter();
  private readonly routeFaults = new Map<string, RouteFault & { times: number }>();
  private readonly sockets = new Set<Socket>();
  private readonly pullable: (name: string) => boolean;
  private readonly allowedOrigins: string[];
  private server: Server | undefined;
  private port: number;

  constructor(opts: DoubleOptions = {}) {
    this.port = opts.port ?? 0;
    this.defaultReply = opts.defaultReply ?? {};
    this.completionTokens = opts.completionTokens;
    this.notFoundWording = opts.notFoundWording ?? 'new';
    this.version = opts.version ?? '0.12.6';
    this.pullable = opts.pullable ?? ((n) => !n.includes('missing'));
    this.allowedOrigins = opts.allowedOrigins ?? [];
    for (const m of opts.models ?? []) this.addModel(m);
    this.changes.setMaxListeners(0);
  }

  /** http://127.0.0.1:PORT (valid once started). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get listening(): boolean {
    return this.server?.listening ?? false;
  }

  async start(): Promise<this> {
    if (this.server?.listening) return this;
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Stops listening and drops every connection ("Ollama went away"); start() again reuses the port. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ----- configuration -----

  addModel(m: DoubleModel | string): void {
    const model = typeof m === 'string' ? { name: m } : m;
    this.models.set(model.name, model);
    if (model.loadedContextLength) this.loaded.set(model.name, { numCtx: model.loadedContextLength, expiresAt: Date.now() + 300_000 });
  }

  removeModel(name: string): boolean {
    this.loaded.delete(name);
    return this.models.delete(name);
  }

  modelNames(): string[] {
    return [...this.models.keys()];
  }

  /** Queue scripts for the next chat requests (in order). */
  enqueue(...scripts: ReplyScript[]): this {
    this.queue.push(...scripts);
    return this;
  }

  /** The next n chat requests get this HTTP status (e.g. 503 busy). */
  failNext(n: number, status = 503, errorMessage?: string): this {
    for (let i = 0; i < n; i++) this.queue.push({ status, errorMessage });
    return this;
  }

  /**
   * Fault on any route (not /api/chat scripts): delay its answer, and/or answer with
   * an error status, for the next `times` requests (default: every one).
   */
  routeFault(path: string, fault: RouteFault): this {
    this.routeFaults.set(path, { times: Infinity, ...fault });
    return this;
  }

  clearRouteFaults(): void {
    this.routeFaults.clear();
  }

  /** How many times a model was (re)loaded — a changed num_ctx reloads it, as in Ollama. */
  loads(model: string): number {
    return this.loadCounts.get(model) ?? 0;
  }

  // ----- inspection -----

  /** Requests to one path, in order. */
  requestsTo(path: string): RequestRecord[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Resolves with the first recorded request that matches (already there, or arriving later). */
  waitForRequest(match: (r: RequestRecord) => boolean = () => true, timeoutMs = 10_000): Promise<RequestRecord> {
    return this.waitFor(() => this.requests.find(match), timeoutMs, 'request');
  }

  /**
   * Resolves when the client closed the connection of a matching request before its
   * response was complete. Default: the latest /api/chat request.
   */
  waitForClientClose(match?: number | ((r: RequestRecord) => boolean), timeoutMs = 10_000): Promise<RequestRecord> {
    const pick = (): RequestRecord | undefined => {
      if (typeof match === 'number') return this.requests[match];
      if (match) return this.requests.find((r) => match(r) && r.clientClosedAt !== undefined);
      return [...this.requests].reverse().find((r) => r.path === '/api/chat');
    };
    return this.waitFor(() => {
      const r = pick();
      return r && r.clientClosedAt !== undefined ? r : undefined;
    }, timeoutMs, 'client close');
  }

  /** Resolves when a matching request's response was completely sent. */
  waitForFinished(index: number, timeoutMs = 10_000): Promise<RequestRecord> {
    return this.waitFor(() => {
      const r = this.requests[index];
      return r && (r.finishedAt !== undefined || r.clientClosedAt !== undefined) ? r : undefined;
    }, timeoutMs, 'response end');
  }

  private waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const now = probe();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const onChange = () => {
        const v = probe();
        if (v !== undefined) {
          cleanup();
          resolve(v);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`ollama double: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.changes.off('change', onChange);
      };
      this.changes.on('change', onChange);
    });
  }

  // ----- HTTP -----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const record: RequestRecord = {
      index: this.requests.length,
      method: req.method ?? 'GET',
      path,
      headers: { ...req.headers },
      body: undefined,
      rawBody: '',
      receivedAt: Date.now(),
      status: 0,
    };
    this.requests.push(record);
    let serverAborted = false;
    const closed = new AbortController();
    res.on('close', () => {
      if (res.writableFinished) record.finishedAt = Date.now();
      else if (!serverAborted) record.clientClosedAt = Date.now();
      closed.abort();
      this.changes.emit('change');
    });
    const origWriteHead = res.writeHead.bind(res);
    res.writeHead = ((status: number, ...rest: any[]) => {
      record.status = status;
      return origWriteHead(status, ...rest);
    }) as typeof res.writeHead;
    this.changes.emit('change');

    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      record.rawBody = Buffer.concat(chunks).toString('utf8');
      if (record.rawBody) {
        try {
          record.body = JSON.parse(record.rawBody);
        } catch {
          record.body = undefined;
        }
      }
      this.changes.emit('change');

      const origin = req.headers.origin;
      if (origin && !LOOPBACK_ORIGIN.test(origin) && !this.allowedOrigins.includes(origin)) {
        res.writeHead(403, { 'Content-Length': '0' });
        res.end();
        return;
      }
      const ctx: Ctx = {
        req,
        res,
        record,
        closed: closed.signal,
        serverAbort: () => {
          serverAborted = true;
        },
      };
      await this.route(ctx);
    } catch (err) {
      if (!res.headersSent && !res.destroyed) this.json(res, 500, { error: `double: ${(err as Error).message}` });
      else res.destroy();
    }
  }

  private async route(c: Ctx): Promise<void> {
    const m = c.record.method;
    const fault = this.routeFaults.get(c.record.path);
    if (fault && fault.times > 0) {
      fault.times--;
      if (fault.delayMs && !(await sleep(fault.delayMs, c.closed))) return;
      if (fault.status) return this.json(c.res, fault.status, { error: fault.errorMessage ?? `error ${fault.status}` });
    }
    switch (`${m} ${c.record.path}`) {
      case 'GET /':
      case 'HEAD /':
        c.res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        c.res.end(m === 'HEAD' ? undefined : 'Ollama is running');
        return;
      case 'GET /api/version':
        return this.json(c.res, 200, { version: this.version });
      case 'GET /api/tags':
        return this.json(c.res, 200, { models: [...this.models.values()].map((x) => this.tagEntry(x)) });
      case 'GET /api/ps':
        return this.ps(c);
      case 'POST /api/show':
        return this.show(c);
      case 'POST /api/pull':
        return this.pull(c);
      case 'DELETE /api/delete':
        return this.del(c);
      case 'POST /api/chat':
        return this.chatLike(c, 'chat');
      case 'POST /api/generate':
        return this.chatLike(c, 'generate');
      case 'POST /api/embed':
        return this.embed(c);
      default:
        c.res.writeHead(404, { 'Content-Type': 'text/plain' });
        c.res.end('404 page not found');
    }
  }

  /** Inputs embedded so far; with `embedFailAfter`, a request that would pass it fails (a model that fails halfway). */
  embeddedInputs = 0;
  embedFailAfter: number | undefined;

  /** POST /api/embed: deterministic vectors (see doubleEmbedding), in order; 400 for a model without the embedding capability. */
  private embed(c: Ctx): void {
    const b = this.bodyOf(c);
    if (!b) return;
    const name = String(b.model ?? '');
    const model = this.models.get(name);
    if (!model) return this.json(c.res, 404, { error: this.notFound(name) });
    if (!(model.capabilities ?? ['completion']).includes('embedding')) return this.json(c.res, 400, { error: `"${name}" does not support embeddings` });
    const input: unknown[] = Array.isArray(b.input) ? b.input : [b.input ?? ''];
    if (this.embedFailAfter !== undefined && this.embeddedInputs + input.length > this.embedFailAfter) {
      return this.json(c.res, 500, { error: 'llama runner process has terminated' });
    }
    this.embeddedInputs += input.length;
    this.json(c.res, 200, { model: name, embeddings: input.map((t) => doubleEmbedding(String(t))), total_duration: 1_000_000, load_duration: 0, prompt_eval_count: input.length });
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    const text = goJson(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) });
    res.end(text);
  }

  private notFound(name: string): string {
    return this.notFoundWording === 'new' ? `model '${name}' not found` : `model "${name}" not found, try pulling it first`;
  }

  /** Common checks of a JSON body; sends the error and returns undefined when it fails. */
  private bodyOf(c: Ctx): Record<string, any> | undefined {
    if (!c.record.rawBody) {
      this.json(c.res, 400, { error: 'missing request body' });
      return undefined;
    }
    const b = c.record.body;
    if (b === undefined) {
      this.json(c.res, 400, { error: 'invalid character in request body' });
      return undefined;
    }
    if (typeof b !== 'object' || b === null || Array.isArray(b)) {
      this.json(c.res, 400, { error: 'json: cannot unmarshal into Go value of type api.Request' });
      return undefined;
    }
    return b as Record<string, any>;
  }

  private digestOf(m: DoubleModel): string {
    if (m.digest) return m.digest;
    let h = 0;
    for (const ch of m.name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return h.toString(16).padStart(8, '0').repeat(8);
  }

  private tagEntry(m: DoubleModel) {
    return {
      name: m.name,
      model: m.name,
      modified_at: goTime(Date.UTC(2025, 0, 1)),
      size: m.size ?? 2_019_393_189,
      digest: this.digestOf(m),
      details: {
        parent_model: '',
        format: 'gguf',
        family: m.family ?? m.arch ?? 'llama',
        families: [m.family ?? m.arch ?? 'llama'],
        parameter_size: m.parameterSize ?? '3.2B',
        quantization_level: m.quantization ?? 'Q4_K_M',
      },
    };
  }

  private ps(c: Ctx): void {
    const now = Date.now();
    const models = [];
    for (const [name, l] of this.loaded) {
      const m = this.models.get(name);
      if (!m || l.expiresAt <= now) continue;
      const t = this.tagEntry(m);
      models.push({ ...t, expires_at: goTime(l.expiresAt), size_vram: t.size, context_length: l.numCtx });
    }
    this.json(c.res, 200, { models });
  }

  private show(c: Ctx): void {
    const b = this.bodyOf(c);
    if (!b) return;
    const name = b.model ?? b.name;
    if (typeof name !== 'string' || !name) return this.json(c.res, 400, { error: 'model is required' });
    const m = this.models.get(name);
    if (!m) return this.json(c.res, 404, { error: this.notFound(name) });
    const arch = m.arch ?? 'llama';
    const t = this.tagEntry(m);
    this.json(c.res, 200, {
      license: 'test licence',
      modelfile: `FROM ${name}\n`,
      parameters: m.parameters ?? 'stop                           "<|eot_id|>"',
      template: '{{ .Prompt }}',
      details: t.details,
      model_info: {
        'general.architecture': arch,
        'general.parameter_count': 3_212_749_888,
        [`${arch}.context_length`]: m.contextLength ?? 131_072,
        [`${arch}.embedding_length`]: 3072,
      },
      capabilities: m.capabilities ?? ['completion'],
      modified_at: t.modified_at,
    });
  }

  private async pull(c: Ctx): Promise<void> {
    const b = this.bodyOf(c);
    if (!b) return;
    const name = b.model ?? b.name;
    if (typeof name !== 'string' || !name) return this.json(c.res, 400, { error: 'model is required' });
    const known = this.models.has(name) || this.pullable(name);
    const stream = b.stream !== false;
    if (!stream) {
      if (!known) return this.json(c.res, 500, { error: 'pull model manifest: file does not exist' });
      this.addModel(name);
      return this.json(c.res, 200, { status: 'success' });
    }
    const steps: Step[] = [{ kind: 'line', text: goJson({ status: 'pulling manifest' }) }];
    if (!known) {
      // Ollama reports this failure inside a 200 stream.
      steps.push({ kind: 'line', text: goJson({ error: 'pull model manifest: file does not exist' }) });
    } else {
      const digest = `sha256:${this.digestOf({ name })}`;
      const total = 4_000_000;
      steps.push({ kind: 'line', text: goJson({ status: `pulling ${digest.slice(7, 19)}`, digest, total }) });
      for (let done = 1_000_000; done <= total; done += 1_000_000) {
        steps.push({ kind: 'line', text: goJson({ status: `pulling ${digest.slice(7, 19)}`, digest, total, completed: done }), delayMs: 2 });
      }
      for (const s of ['verifying sha256 digest', 'writing manifest', 'success']) steps.push({ kind: 'line', text: goJson({ status: s }) });
    }
    await writeSteps(c.res, steps, c.closed, { contentType: 'application/x-ndjson', onServerAbort: c.serverAbort });
    if (known && !c.closed.aborted) this.addModel(this.models.get(name) ?? name);
  }

  private del(c: Ctx): void {
    const b = this.bodyOf(c);
    if (!b) return;
    const name = b.model ?? b.name;
    if (typeof name !== 'string' || !this.removeModel(name)) return this.json(c.res, 404, { error: this.notFound(String(name)) });
    c.res.writeHead(200, { 'Content-Length': '0' });
    c.res.end();
  }

  /** /api/chat and /api/generate: validation, then a scripted stream (or one object). */
  private async chatLike(c: Ctx, kind: 'chat' | 'generate'): Promise<void> {
    const b = this.bodyOf(c);
    if (!b) return;
    const name = b.model;
    if (typeof name !== 'string' || !name) return this.json(c.res, 400, { error: 'model is required' });
    const opts = b.options ?? {};
    if (typeof opts !== 'object' || opts === null) return this.json(c.res, 500, { error: 'json: cannot unmarshal options' });
    for (const k of NUMERIC_OPTIONS) {
      if (k in opts && typeof opts[k] !== 'number') {
        return this.json(c.res, 500, { error: `option "${k}" must be of type number` });
      }
    }
    if (kind === 'chat' && !Array.isArray(b.messages ?? [])) return this.json(c.res, 400, { error: 'messages must be an array' });

    // Queued scripts come first: they simulate the scheduler (503s) and the like.
    // A queued script with `match` waits for a request it matches; the others go in order.
    const at = this.queue.findIndex((q) => !q.match || q.match(b));
    const script: ReplyScript = { ...this.defaultReply, ...(at >= 0 ? this.queue.splice(at, 1)[0] : {}) };
    if (script.status !== undefined && script.status !== 200) {
      if (script.firstByteDelayMs && !(await sleep(script.firstByteDelayMs, c.closed))) return;
      if (script.status === 403) {
        c.res.writeHead(403, { 'Content-Length': '0' });
        c.res.end();
        return;
      }
      const message =
        script.errorMessage ?? (script.status === 503 ? 'server busy, please try again.  maximum pending requests exceeded' : `error ${script.status}`);
      return this.json(c.res, script.status, { error: message });
    }

    const model = this.models.get(name);
    if (!model) return this.json(c.res, 404, { error: this.notFound(name) });
    const caps = model.capabilities ?? ['completion'];
    const think = b.think;
    if (think !== undefined && think !== false && !caps.includes('thinking')) {
      return this.json(c.res, 400, { error: `"${name}" does not support thinking` });
    }

    // Fill in the middle: a suffix needs a template that knows FIM (the `insert` capability); raw skips the template.
    const suffix = kind === 'generate' && typeof b.suffix === 'string' ? b.suffix : '';
    if (suffix && b.raw !== true && !caps.includes('insert')) return this.json(c.res, 400, { error: `"${name}" does not support insert` });
    if (b.raw !== undefined && typeof b.raw !== 'boolean') return this.json(c.res, 400, { error: 'json: cannot unmarshal raw' });
    if (opts.stop !== undefined && !(Array.isArray(opts.stop) && opts.stop.every((x: unknown) => typeof x === 'string'))) {
      return this.json(c.res, 500, { error: 'option "stop" must be of type array' });
    }

    const messages: { role?: string; content?: string }[] =
      kind === 'chat' ? (b.messages ?? []) : [{ role: 'user', content: String(b.prompt ?? '') + suffix }];
    const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    let answer = script.tokens ?? (kind === 'generate' && this.completionTokens ? this.completionTokens : echoTokens(String(lastUser)));
    // Ollama stops at the first stop string (which is not sent) and after num_predict tokens.
    let cappedReason: 'stop' | 'length' | undefined;
    const stops: string[] = Array.isArray(opts.stop) ? opts.stop : [];
    if (stops.length) {
      let text = '';
      for (let i = 0; i < answer.length; i++) {
        const next = text + answer[i]!;
        const hit = Math.min(...stops.map((x) => next.indexOf(x)).filter((x) => x >= 0));
        if (Number.isFinite(hit)) {
          const last = next.slice(text.length, hit);
          answer = [...answer.slice(0, i), ...(last ? [last] : [])];
          cappedReason = 'stop';
          break;
        }
        text = next;
      }
    }
    if (typeof opts.num_predict === 'number' && opts.num_predict >= 0 && answer.length > opts.num_predict && !script.ignoreNumPredict) {
      answer = answer.slice(0, opts.num_predict);
      cappedReason = 'length';
    }
    const thinks =
      script.thinking ?? (caps.includes('thinking') && think !== false ? ['Thinking ', 'about ', 'the ', 'question…'] : []);

    // Model (re)load: a different num_ctx reloads, as in Ollama.
    const numCtx = typeof opts.num_ctx === 'number' ? opts.num_ctx : DEFAULT_NUM_CTX;
    const prev = this.loaded.get(name);
    const reloaded = !prev || prev.numCtx !== numCtx || prev.expiresAt <= Date.now();
    if (reloaded) this.loadCounts.set(name, this.loads(name) + 1);
    const keepAliveMs = typeof b.keep_alive === 'number' ? b.keep_alive * 1000 : 300_000;
    this.loaded.set(name, { numCtx, expiresAt: keepAliveMs < 0 ? Number.MAX_SAFE_INTEGER : Date.now() + Math.max(keepAliveMs, 1) });

    const promptTokens = messages.reduce((n, m) => n + doubleTokenCount(String(m.content ?? '')) + 4, 0);
    // Ollama silently drops the oldest messages when the prompt exceeds num_ctx.
    const promptEvalCount = script.promptEvalCount ?? Math.min(promptTokens, numCtx);
    const tokenDelay = script.tokenDelayMs ?? 0;
    const firstDelay = script.firstByteDelayMs ?? 0;
    const evalCount = thinks.length + answer.length;
    const evalDurationNs = script.evalDurationNs ?? Math.max(1, evalCount * Math.max(tokenDelay, 1)) * 1e6;
    const loadNs = (reloaded ? Math.max(firstDelay, 1) : 0.1) * 1e6;

    const base = () => ({ model: name, created_at: goTime() });
    // Built as text: long replies have tens of thousands of these lines.
    const modelJson = goJson(name);
    const chunk = (content: string, thinking?: string) => {
      const think = thinking ? `,"thinking":${goJson(thinking)}` : '';
      return kind === 'chat'
        ? `{"model":${modelJson},"created_at":"${goTime()}","message":{"role":"assistant","content":${goJson(content)}${think}},"done":false}`
        : `{"model":${modelJson},"created_at":"${goTime()}","response":${goJson(content)}${think},"done":false}`;
    };

    // Lazily: the first line goes out before the last is built.
    function* generate(): Generator<Step> {
      let first = true;
      const delay = () => {
        const d = first ? firstDelay : tokenDelay;
        first = false;
        return d;
      };
      if (script.stallBeforeHeaders) yield { kind: 'stall' };
      if (script.resetBeforeHeaders) {
        yield { kind: 'reset', beforeHeaders: true, delayMs: firstDelay };
        return;
      }
      for (let i = 0; i < (script.emptyChunks ?? 0); i++) yield { kind: 'line', text: chunk(''), delayMs: delay() };
      for (const t of thinks) yield { kind: 'line', text: chunk('', t), delayMs: delay() };
      let faulted = false;
      for (let i = 0; i <= answer.length && !faulted; i++) {
        // Faults fire "after i answer tokens".
        if (script.errorAfterTokens?.tokens === i) {
          yield { kind: 'line', text: goJson({ error: script.errorAfterTokens.message }), delayMs: delay() };
          yield { kind: 'end' };
          faulted = true;
        } else if (script.resetAfterTokens === i) {
          yield { kind: 'reset', delayMs: delay() };
          faulted = true;
        } else if (script.truncateAfterTokens === i) {
          const next = chunk(answer[i] ?? 'x');
          yield { kind: 'raw-end', text: next.slice(0, Math.floor(next.length / 2)), delayMs: delay() };
          faulted = true;
        } else if (script.stallAfterTokens === i) {
          yield { kind: 'stall', delayMs: delay() };
          faulted = true;
        }
        if (faulted) break;
        if (script.malformedAfterTokens === i) yield { kind: 'line', text: '{"model":"' + name + '","message":{oops', delayMs: delay() };
        if (script.oversizedLine?.afterTokens === i) yield { kind: 'line', text: chunk('x'.repeat(script.oversizedLine.bytes)), delayMs: delay() };
        if (i < answer.length) yield { kind: 'line', text: chunk(answer[i]!), delayMs: delay() };
      }
      if (!faulted && !script.omitDone) {
        const metrics = script.omitMetrics
          ? {}
          : {
              total_duration: Math.round(loadNs + evalDurationNs + 1e6 + firstDelay * 1e6),
              load_duration: Math.round(loadNs),
              prompt_eval_count: promptEvalCount,
              prompt_eval_duration: 1_000_000,
              eval_count: evalCount,
              eval_duration: Math.round(evalDurationNs),
            };
        const doneReason = script.doneReason === undefined ? (cappedReason ?? 'stop') : script.doneReason;
        const final = script.finalContent ?? '';
        const reason = doneReason ? { done_reason: doneReason } : {};
        const text =
          kind === 'chat'
            ? goJson({ ...base(), message: { role: 'assistant', content: final }, ...reason, done: true, ...metrics })
            : goJson({ ...base(), response: final, ...reason, done: true, ...metrics, context: [1, 2, 3] });
        yield { kind: 'line', text, delayMs: delay() };
      }
      if (!faulted && script.omitDone) yield { kind: 'end' };
    }
    const steps = generate();

    if (b.stream === false) return this.unstreamed(c, steps, kind);
    await writeSteps(c.res, steps, c.closed, {
      chunking: script.chunking,
      writeGapMs: script.writeGapMs,
      contentType: 'application/x-ndjson',
      onServerAbort: c.serverAbort,
    });
    if (b.keep_alive === 0) this.loaded.delete(name);
  }

  /** stream:false: wait out the delays, then one object shaped like the final chunk with all text. */
  private async unstreamed(c: Ctx, steps: Iterable<Step>, kind: 'chat' | 'generate'): Promise<void> {
    let content = '';
    let thinking = '';
    let final: any;
    for (const s of steps) {
      if (s.delayMs && !(await sleep(s.delayMs, c.closed))) return;
      if (s.kind === 'stall') return void (await new Promise((r) => c.closed.addEventListener('abort', r, { once: true })));
      if (s.kind === 'reset') {
        c.serverAbort();
        c.res.destroy();
        return;
      }
      if (s.kind !== 'line') continue;
      let o: any;
      try {
        o = JSON.parse(s.text);
      } catch {
        continue;
      }
      if (o.error) return this.json(c.res, 500, { error: o.error });
      const part = kind === 'chat' ? o.message : o;
      content += (kind === 'chat' ? part?.content : part?.response) ?? '';
      thinking += part?.thinking ?? '';
      if (o.done) final = o;
    }
    if (!final) return this.json(c.res, 500, { error: 'unexpected end of response' });
    if (kind === 'chat') final.message = { role: 'assistant', content, ...(thinking ? { thinking } : {}) };
    else Object.assign(final, { response: content, ...(thinking ? { thinking } : {}) });
    this.json(c.res, 200, final);
  }
}

export interface RouteFault {
  status?: number;
  errorMessage?: string;
  delayMs?: number;
  /** How many requests it applies to; default all. */
  times?: number;
}

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  record: RequestRecord;
  /** Aborts when the connection closes. */
  closed: AbortSignal;
  /** Marks the coming socket destroy as ours, not the client's. */
  serverAbort(): void;
}

/** Creates and starts a double. */
export async function startOllamaDouble(opts: DoubleOptions = {}): Promise<OllamaDouble> {
  return new OllamaDouble(opts).start();
}
