/**
 * The Ollama chat engine: one turn = one streaming POST /api/chat, turned into
 * the gateway's events (see src/shared/events.ts). Never throws; every turn ends
 * with exactly one `done`; cancelling closes the upstream socket at once.
 */
import type { FinishReason, GatewayEvent } from '../../shared/events';
import type { ModelInfo, PullProgress } from '../../shared/models';
import { fitContext } from '../engine/contextFit';
import { errorCodeOf, errors, GatewayError } from '../engine/errors';
import type { EngineTuning } from '../engine/tuning';
import { TurnRegistry } from '../engine/launchTurn';
import type { TurnEmitter } from '../engine/turnEmitter';
import type { ChatEngine, ChatTurnRequest, ProviderConfig } from '../engine/types';
import { computeUsage } from '../engine/usage';
import { abortableSleep, Deadline } from '../net/deadline';
import type { HttpResponse } from '../net/http';
import { NdjsonDecoder } from '../net/ndjson';
import { OllamaClient, SERVER } from './client';
import { listOllamaModels } from './listModels';
import { ModelFactsCache } from './modelFacts';
import { fastTokenLine, parseChatChunk, type ChatChunk } from './schemas';
import { responseError } from './statusErrors';

/** Ollama unloads an idle model after 5 minutes by default; a bit less counts as "probably warm". */
const WARM_MS = 4 * 60_000;

const RESET_CODES = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);

export class OllamaChatEngine implements ChatEngine {
  private readonly client: OllamaClient;
  private readonly facts: ModelFactsCache;
  private readonly turns = new TurnRegistry();
  /** Models that answered 400 to `think`: never sent it again. */
  private readonly noThink = new Set<string>();
  /** model → when a turn with it last ended well (to guess whether it is loaded). */
  private readonly lastUsed = new Map<string, number>();
  private closed = false;

  constructor(
    private readonly config: ProviderConfig,
    private readonly tuning: EngineTuning,
  ) {
    this.client = new OllamaClient(config, tuning);
    this.facts = new ModelFactsCache(this.client, tuning.contextCap, tuning.fallbackContext);
  }

  run(request: ChatTurnRequest): AsyncIterable<GatewayEvent> {
    return this.turns.launch(request, this.tuning, (emitter, cancelSignal, startedAt) => this.drive(request, emitter, cancelSignal, startedAt));
  }

  cancel(turnId: string): boolean {
    return this.turns.cancel(turnId);
  }

  listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    return listOllamaModels(this.client, this.facts, this.tuning, signal);
  }

  async health(signal?: AbortSignal): Promise<{ reachable: boolean; version?: string; error?: string }> {
    try {
      return { reachable: true, version: await this.client.version(signal, Math.min(this.tuning.metadataTimeoutMs, 5000)) };
    } catch (e) {
      return { reachable: false, error: e instanceof Error ? e.message : String(e) };
    }
  }

  pull(model: string, onProgress: (p: PullProgress) => void, signal?: AbortSignal): Promise<void> {
    return this.client.pull(model, onProgress, signal);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.turns.cancelAll();
    await this.client.close();
  }

  /** One turn, start to `done`. */
  private async drive(request: ChatTurnRequest, emitter: TurnEmitter, cancelSignal: AbortSignal, started: number): Promise<void> {
    const timeoutMs = this.config.requestTimeoutMs;
    const deadline = new Deadline(timeoutMs, [cancelSignal, request.signal]);
    const signal = deadline.signal;
    let response: HttpResponse | undefined;
    let hint: NodeJS.Timeout | undefined;
    try {
      if (this.closed) throw errors.internal('the engine was closed');
      if (signal.aborted) throw signal.reason;
      const { model } = request;
      const options = request.options ?? {};

      const { numCtx, facts } = await this.facts.numCtxFor(model, options.contextLength, signal, Math.min(5000, timeoutMs));
      const fit = fitContext(request.systemPrompt, request.messages, numCtx);

      const body: Record<string, unknown> = {
        model,
        messages: fit.messages.map((m) => ({ role: m.role, content: m.content })),
        stream: true,
        options: { num_ctx: numCtx, ...(options.temperature !== undefined ? { temperature: options.temperature } : {}) },
      };
      if (options.keepAlive !== undefined) body.keep_alive = options.keepAlive;
      const canThink = facts?.capabilities ? facts.capabilities.includes('thinking') : undefined;
      if (options.think === true && canThink !== false && !this.noThink.has(model)) body.think = true;
      if (options.think === false && canThink === true) body.think = false;

      // No headers yet: after a moment, say what is probably happening.
      const warm = (this.lastUsed.get(model) ?? -Infinity) > Date.now() - WARM_MS;
      hint = setTimeout(() => emitter.setPhase(warm ? 'reading_prompt' : 'loading_model'), this.tuning.loadingHintMs);

      response = await this.openChat(body, model, signal, timeoutMs);
      clearTimeout(hint);

      const outcome = await this.readStream(response, emitter);
      const final = outcome.final;
      emitter.usage(
        computeUsage({
          promptEvalCount: final.prompt_eval_count,
          evalCount: final.eval_count,
          evalDurationNs: final.eval_duration,
          loadDurationNs: final.load_duration,
          chunksSeen: outcome.chunks,
          promptEstimate: fit.estimate,
          contextWindow: numCtx,
          droppedMessages: fit.dropped,
          overBudget: fit.overBudget,
          timeToFirstTokenMs: outcome.firstTextAt === undefined ? null : outcome.firstTextAt - started,
        }),
      );
      this.lastUsed.set(model, Date.now());
      emitter.finish(final.done_reason === 'length' ? 'length' : 'stop');
    } catch (e) {
      const reason: FinishReason = cancelSignal.aborted || request.signal?.aborted ? 'cancelled' : 'error';
      if (reason === 'error') emitter.error(this.client.failure(e, deadline, undefined, timeoutMs) as GatewayError);
      emitter.finish(reason);
    } finally {
      clearTimeout(hint);
      deadline.dispose();
      // Make sure the socket is gone if we stopped early (abort already does this; this is belt and braces).
      if (response && !response.body.destroyed && !response.body.readableEnded) response.body.destroy();
    }
  }

  /** POST /api/chat, retrying a 503 with backoff and a thinking-capability 400 once without `think`. */
  private async openChat(body: Record<string, unknown>, model: string, signal: AbortSignal, timeoutMs: number): Promise<HttpResponse> {
    let busyRetries = 0;
    let thinkRetried = false;
    let resetRetried = false;
    for (;;) {
      try {
        const res = await this.client.http.request({
          method: 'POST',
          path: '/api/chat',
          body,
          signal,
          headersTimeoutMs: timeoutMs,
          bodyTimeoutMs: timeoutMs,
        });
        if (res.status === 200) return res;
        throw await responseError(res, model, this.client.baseUrl);
      } catch (e) {
        // A connection that dies before any reply (a stale keep-alive socket, a restart)
        // is retried once: Ollama stops work on a closed connection, so nothing is doubled.
        if (!(e instanceof GatewayError)) {
          if (!resetRetried && !signal.aborted && RESET_CODES.has(errorCodeOf(e) ?? '')) {
            resetRetried = true;
            continue;
          }
          throw e;
        }
        if (e.code === 'busy' && busyRetries < this.tuning.busyRetryDelaysMs.length) {
          await abortableSleep(this.tuning.busyRetryDelaysMs[busyRetries++]!, signal);
          continue;
        }
        if (e.code === 'capability' && body.think !== undefined && /think/i.test(e.message) && !thinkRetried) {
          thinkRetried = true;
          this.noThink.add(model);
          delete body.think;
          continue;
        }
        throw e;
      }
    }
  }

  /** Reads the NDJSON body to its end; returns the final chunk or throws (truncated, mid-stream error, bad line). */
  private async readStream(res: HttpResponse, emitter: TurnEmitter): Promise<{ final: ChatChunk; chunks: number; firstTextAt?: number }> {
    const decoder = new NdjsonDecoder(this.tuning.maxLineChars, fastTokenLine);
    let final: ChatChunk | undefined;
    let chunks = 0;
    let firstTextAt: number | undefined;
    const onValue = (v: unknown): void => {
      if (final) return; // nothing is expected after done; ignore rather than fail a finished reply
      const c = parseChatChunk(v);
      if (typeof c === 'string') throw errors.upstream(SERVER, `it sent ${c}`);
      if (c.error !== undefined) throw errors.upstream(SERVER, c.error);
      if (c.thinking) {
        firstTextAt ??= performance.now();
        emitter.setPhase('thinking');
        emitter.text('thinking', c.thinking);
        chunks++;
      }
      if (c.content) {
        firstTextAt ??= performance.now();
        emitter.setPhase('generating');
        emitter.text('token', c.content);
        chunks++;
      }
      if (c.done) final = c;
    };
    for await (const chunk of res.body) decoder.push(chunk as Uint8Array, onValue);
    decoder.end(onValue);
    if (!final) throw errors.truncated(SERVER);
    return { final, chunks, firstTextAt };
  }
}
