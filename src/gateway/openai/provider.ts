/**
 * An OpenAI-compatible server (vLLM, llama.cpp's server, LM Studio…) as a
 * ChatProvider: POST /v1/chat/completions with stream:true, Server-Sent Events,
 * `data: [DONE]` at the end (its absence means the stream failed). No num_ctx
 * here: the window is known only when the contextLength setting gives it.
 */
import type { ModelInfo } from '../../shared/models';
import { fitContext } from '../engine/contextFit';
import { errors, type GatewayError, type ServerIdentity } from '../engine/errors';
import type { ChatProvider, PreparedTurn, StreamDecoder, StreamOutcome, TextSink } from '../engine/provider';
import type { EngineTuning } from '../engine/tuning';
import type { ChatTurnRequest, CompletionRequest, ProviderConfig } from '../engine/types';
import { commentedSnippets, fimFormatFor } from '../../shared/completion/fimFormats';
import { estimateTokens } from '../../shared/tokens';
import { Deadline } from '../net/deadline';
import { HttpClient, readText, type HttpResponse } from '../net/http';
import { networkError } from '../net/networkErrors';
import { SseDecoder } from '../net/sse';
import { modelsSchema, parseCompletionChunk, type CompletionChunk } from './schemas';

export function openaiIdentity(baseUrl: string): ServerIdentity {
  return {
    name: 'The model server',
    baseUrl,
    hints: {
      start: 'start it',
      missingModel: () => 'pick another model',
      refused: 'check the extra headers setting (e.g. an Authorization header)',
    },
  };
}

/** Maps an error reply ({"error":{"message"}} or {"error":"…"} or text). */
export function openaiStatusError(status: number, body: string, model: string | undefined, server: ServerIdentity): GatewayError {
  let message = body.trim().slice(0, 300);
  try {
    const o = JSON.parse(body) as { error?: unknown; message?: unknown };
    const e = o.error as { message?: unknown } | string | undefined;
    if (typeof e === 'string') message = e;
    else if (e && typeof e.message === 'string') message = e.message;
    else if (typeof o.message === 'string') message = o.message;
  } catch {
    // keep the text
  }
  const detail = message || `HTTP ${status}`;
  if (status === 404 && model && /model/i.test(message)) return errors.modelNotFound(server, model);
  if (status === 429 || status === 503) return errors.busy(server);
  if (status === 400 || status === 422) return errors.badRequest(server, detail, status);
  if (status === 401 || status === 403) return errors.refused(server, status, detail);
  return errors.upstream(server, detail, status);
}

export class OpenAIProvider implements ChatProvider {
  /** How messages name this server, and what they advise (also known without an instance). */
  static readonly identity = openaiIdentity;
  readonly loadsModels = false;
  readonly timings = 'stream';
  readonly server: ServerIdentity;
  private readonly http: HttpClient;
  private readonly apiPrefix: string;

  constructor(
    config: ProviderConfig,
    private readonly tuning: EngineTuning,
  ) {
    this.http = new HttpClient({ baseUrl: config.baseUrl, headers: config.headers, connectTimeoutMs: tuning.connectTimeoutMs });
    this.server = openaiIdentity(this.http.baseUrl);
    // Users give either the server root or its /v1 base.
    this.apiPrefix = /\/v1\/?$/.test(new URL(config.baseUrl).pathname) ? '' : '/v1';
  }

  async prepare(request: ChatTurnRequest): Promise<PreparedTurn> {
    const options = request.options ?? {};
    // The window is unknown here unless the setting gives it; without it nothing is dropped.
    const window = options.contextLength && options.contextLength > 0 ? Math.floor(options.contextLength) : null;
    const fit = fitContext(request.systemPrompt, request.messages, window ?? Number.MAX_SAFE_INTEGER);
    const body: Record<string, unknown> = {
      model: request.model,
      messages: fit.messages.map((m) => ({ role: m.role, content: m.content })),
      stream: true,
      stream_options: { include_usage: true },
      ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
    };
    return { model: request.model, body, fit, contextWindow: window };
  }

  /**
   * Fill in the middle with /v1/completions: a known family's raw FIM prompt and
   * stop tokens, else `prompt` + `suffix` for servers that take one (vLLM,
   * llama.cpp's server and LM Studio do for models that can infill).
   */
  async prepareCompletion(request: CompletionRequest): Promise<PreparedTurn> {
    const options = request.options ?? {};
    const format = fimFormatFor(request.model);
    const input = { prefix: request.prefix, suffix: request.suffix, path: request.path, language: request.language, snippets: request.snippets ?? [] };
    const body: Record<string, unknown> = { model: request.model, stream: true, max_tokens: request.maxTokens, temperature: options.temperature ?? 0.2 };
    if (format) {
      body.prompt = format.build(input);
      body.stop = format.stop.slice(0, 4); // OpenAI's API takes at most four
    } else {
      body.prompt = commentedSnippets(input.snippets, input.language) + input.prefix;
      body.suffix = input.suffix;
    }
    const estimate = estimateTokens(String(body.prompt)) + estimateTokens(input.suffix);
    const window = options.contextLength && options.contextLength > 0 ? Math.floor(options.contextLength) : null;
    return { model: request.model, body, fit: { messages: [], dropped: 0, estimate, overBudget: window !== null && estimate > window }, contextWindow: window, completion: format ? format.id : 'suffix' };
  }

  async open(turn: PreparedTurn, signal: AbortSignal, timeoutMs: number): Promise<HttpResponse> {
    const res = await this.http.request({
      method: 'POST',
      path: `${this.apiPrefix}${turn.completion ? '/completions' : '/chat/completions'}`,
      body: turn.body,
      signal,
      headersTimeoutMs: timeoutMs,
      bodyTimeoutMs: timeoutMs,
    });
    if (res.status === 200) return res;
    throw openaiStatusError(res.status, await readText(res.body, 64 * 1024).catch(() => ''), turn.model, this.server);
  }

  decoder(): StreamDecoder {
    return new CompletionsDecoder(this.server, this.tuning.maxLineChars);
  }

  async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    const timeoutMs = this.tuning.metadataTimeoutMs;
    const deadline = new Deadline(timeoutMs, [signal]);
    try {
      const res = await this.http.request({ method: 'GET', path: `${this.apiPrefix}/models`, signal: deadline.signal, headersTimeoutMs: timeoutMs, bodyTimeoutMs: timeoutMs });
      const text = await readText(res.body, 8 * 1024 * 1024);
      if (res.status !== 200) throw openaiStatusError(res.status, text, undefined, this.server);
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        throw errors.upstream(this.server, '/v1/models answered with something that is not JSON');
      }
      const parsed = modelsSchema.safeParse(raw);
      if (!parsed.success) throw errors.upstream(this.server, '/v1/models answered in an unexpected shape');
      return parsed.data.data.map((m) => ({ name: m.id, size: 0 }));
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      if (deadline.timedOut) throw errors.timeout(this.server, timeoutMs);
      throw networkError(e, this.server, timeoutMs);
    } finally {
      deadline.dispose();
    }
  }

  async health(signal?: AbortSignal): Promise<{ reachable: boolean; version?: string; error?: string }> {
    try {
      await this.listModels(signal);
      return { reachable: true };
    } catch (e) {
      return { reachable: false, error: e instanceof Error ? e.message : String(e) };
    }
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

/** `data:` events of chat.completion.chunk objects, a usage chunk, then `data: [DONE]`. */
class CompletionsDecoder implements StreamDecoder {
  private readonly events: SseDecoder;
  private sawDone = false;
  private finish: string | undefined;
  private usage: CompletionChunk['usage'];

  constructor(
    private readonly server: ServerIdentity,
    maxLineChars: number,
  ) {
    this.events = new SseDecoder(maxLineChars);
  }

  push(chunk: Uint8Array, out: TextSink): void {
    this.events.push(chunk, (ev) => this.event(ev.data, out));
  }

  end(out: TextSink): StreamOutcome {
    this.events.end((ev) => this.event(ev.data, out));
    if (!this.sawDone) throw errors.truncated(this.server);
    return { finish: this.finish === 'length' ? 'length' : 'stop', promptTokens: this.usage?.prompt_tokens, completionTokens: this.usage?.completion_tokens };
  }

  private event(data: string, out: TextSink): void {
    if (this.sawDone) return;
    if (data.trim() === '[DONE]') {
      this.sawDone = true;
      return;
    }
    let v: unknown;
    try {
      v = JSON.parse(data);
    } catch {
      throw errors.upstream(this.server, `it sent an event that is not JSON: ${data.slice(0, 80)}`);
    }
    const c = parseCompletionChunk(v);
    if (typeof c === 'string') throw errors.upstream(this.server, `it sent ${c}`);
    if (c.error !== undefined) throw errors.upstream(this.server, c.error);
    out('thinking', c.reasoning);
    out('token', c.content);
    if (c.finishReason) this.finish = c.finishReason;
    if (c.usage) this.usage = c.usage;
  }
}
