/**
 * An OpenAI-compatible server (vLLM, llama.cpp's server, LM Studio…) behind the
 * same ChatEngine: POST /v1/chat/completions with stream:true, Server-Sent Events,
 * `data: [DONE]` at the end (its absence means the stream failed).
 */
import type { FinishReason, GatewayEvent } from '../../shared/events';
import type { ModelInfo } from '../../shared/models';
import { fitContext } from '../engine/contextFit';
import { errors, GatewayError } from '../engine/errors';
import { TurnRegistry } from '../engine/launchTurn';
import type { EngineTuning } from '../engine/tuning';
import type { TurnEmitter } from '../engine/turnEmitter';
import type { ChatEngine, ChatTurnRequest, ProviderConfig } from '../engine/types';
import { computeUsage } from '../engine/usage';
import { abortableSleep, Deadline } from '../net/deadline';
import { HttpClient, readText, type HttpResponse } from '../net/http';
import { networkError } from '../net/networkErrors';
import { SseDecoder } from '../net/sse';
import { modelsSchema, parseCompletionChunk, type CompletionChunk } from './schemas';

const SERVER = 'The model server';

/** Maps an error reply ({"error":{"message"}} or {"error":"…"} or text). */
export function openaiStatusError(status: number, body: string, model: string | undefined): GatewayError {
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
  if (status === 404 && model && /model/i.test(message)) return errors.modelNotFound(model, SERVER);
  if (status === 429 || status === 503) return errors.busy(SERVER);
  if (status === 400 || status === 422) return errors.badRequest(SERVER, detail, status);
  if (status === 401 || status === 403) {
    return new GatewayError('upstream_error', `${SERVER} refused the request (HTTP ${status}: ${detail}): check the extra headers setting (e.g. an Authorization header).`, false, status);
  }
  return errors.upstream(SERVER, detail, status);
}

export class OpenAIChatEngine implements ChatEngine {
  private readonly http: HttpClient;
  private readonly apiPrefix: string;
  private readonly turns = new TurnRegistry();

  constructor(
    private readonly config: ProviderConfig,
    private readonly tuning: EngineTuning,
  ) {
    this.http = new HttpClient({ baseUrl: config.baseUrl, headers: config.headers, connectTimeoutMs: tuning.connectTimeoutMs });
    // Users give either the server root or its /v1 base.
    this.apiPrefix = /\/v1\/?$/.test(new URL(config.baseUrl).pathname) ? '' : '/v1';
  }

  run(request: ChatTurnRequest): AsyncIterable<GatewayEvent> {
    return this.turns.launch(request, this.tuning, (emitter, cancelSignal, startedAt) => this.drive(request, emitter, cancelSignal, startedAt));
  }

  cancel(turnId: string): boolean {
    return this.turns.cancel(turnId);
  }

  async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    const timeoutMs = this.tuning.metadataTimeoutMs;
    const deadline = new Deadline(timeoutMs, [signal]);
    try {
      const res = await this.http.request({ method: 'GET', path: `${this.apiPrefix}/models`, signal: deadline.signal, headersTimeoutMs: timeoutMs, bodyTimeoutMs: timeoutMs });
      const text = await readText(res.body, 8 * 1024 * 1024);
      if (res.status !== 200) throw openaiStatusError(res.status, text, undefined);
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        throw errors.upstream(SERVER, '/v1/models answered with something that is not JSON');
      }
      const parsed = modelsSchema.safeParse(raw);
      if (!parsed.success) throw errors.upstream(SERVER, '/v1/models answered in an unexpected shape');
      return parsed.data.data.map((m) => ({ name: m.id, size: 0 }));
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      if (deadline.timedOut) throw errors.timeout(this.http.baseUrl, timeoutMs);
      throw networkError(e, SERVER, this.http.baseUrl, timeoutMs);
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

  async close(): Promise<void> {
    this.turns.cancelAll();
    await this.http.close();
  }

  private async drive(request: ChatTurnRequest, emitter: TurnEmitter, cancelSignal: AbortSignal, started: number): Promise<void> {
    const timeoutMs = this.config.requestTimeoutMs;
    const deadline = new Deadline(timeoutMs, [cancelSignal, request.signal]);
    const signal = deadline.signal;
    let response: HttpResponse | undefined;
    try {
      if (signal.aborted) throw signal.reason;
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
      const hint = setTimeout(() => emitter.setPhase('reading_prompt'), this.tuning.loadingHintMs);
      try {
        response = await this.open(body, request.model, signal, timeoutMs);
      } finally {
        clearTimeout(hint);
      }

      const decoder = new SseDecoder(this.tuning.maxLineChars);
      let sawDone = false;
      let finish: string | undefined;
      let usage: CompletionChunk['usage'];
      let chunks = 0;
      let firstAt: number | undefined;
      const onEvent = (ev: { data: string }): void => {
        if (sawDone) return;
        if (ev.data.trim() === '[DONE]') {
          sawDone = true;
          return;
        }
        let v: unknown;
        try {
          v = JSON.parse(ev.data);
        } catch {
          throw errors.upstream(SERVER, `it sent an event that is not JSON: ${ev.data.slice(0, 80)}`);
        }
        const c = parseCompletionChunk(v);
        if (typeof c === 'string') throw errors.upstream(SERVER, `it sent ${c}`);
        if (c.error !== undefined) throw errors.upstream(SERVER, c.error);
        if (c.reasoning) {
          firstAt ??= performance.now();
          emitter.setPhase('thinking');
          emitter.text('thinking', c.reasoning);
          chunks++;
        }
        if (c.content) {
          firstAt ??= performance.now();
          emitter.setPhase('generating');
          emitter.text('token', c.content);
          chunks++;
        }
        if (c.finishReason) finish = c.finishReason;
        if (c.usage) usage = c.usage;
      };
      for await (const chunk of response.body) decoder.push(chunk as Uint8Array, onEvent);
      decoder.end(onEvent);
      if (!sawDone) throw errors.truncated(SERVER);

      const end = performance.now();
      const completion = usage?.completion_tokens;
      const genMs = firstAt !== undefined ? end - firstAt : 0;
      emitter.usage({
        ...computeUsage({
          promptEvalCount: usage?.prompt_tokens,
          evalCount: completion,
          chunksSeen: chunks,
          promptEstimate: fit.estimate,
          contextWindow: window,
          droppedMessages: fit.dropped,
          overBudget: fit.overBudget,
          timeToFirstTokenMs: firstAt === undefined ? null : firstAt - started,
        }),
        // No server-side timings here: measure generation speed from the stream.
        tokens_per_second: genMs > 0 ? Math.round(((completion ?? chunks) / genMs) * 1000 * 100) / 100 : null,
      });
      emitter.finish(finish === 'length' ? 'length' : 'stop');
    } catch (e) {
      const reason: FinishReason = cancelSignal.aborted || request.signal?.aborted ? 'cancelled' : 'error';
      if (reason === 'error') {
        emitter.error(deadline.timedOut ? errors.timeout(this.http.baseUrl, timeoutMs) : networkError(e, SERVER, this.http.baseUrl, timeoutMs));
      }
      emitter.finish(reason);
    } finally {
      deadline.dispose();
      if (response && !response.body.destroyed && !response.body.readableEnded) response.body.destroy();
    }
  }

  private async open(body: Record<string, unknown>, model: string, signal: AbortSignal, timeoutMs: number): Promise<HttpResponse> {
    for (let retries = 0; ; retries++) {
      const res = await this.http.request({
        method: 'POST',
        path: `${this.apiPrefix}/chat/completions`,
        body,
        signal,
        headersTimeoutMs: timeoutMs,
        bodyTimeoutMs: timeoutMs,
      });
      if (res.status === 200) return res;
      const err = openaiStatusError(res.status, await readText(res.body, 64 * 1024).catch(() => ''), model);
      if (err.code === 'busy' && retries < this.tuning.busyRetryDelaysMs.length) {
        await abortableSleep(this.tuning.busyRetryDelaysMs[retries]!, signal);
        continue;
      }
      throw err;
    }
  }
}
