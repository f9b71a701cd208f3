/**
 * The one streaming-turn runner: a ChatEngine over any ChatProvider. It owns
 * what every provider needs around a turn — the registry cancel(turnId) looks
 * in, one deadline for the whole turn, the loading hint, retries of a reset or
 * busy server, the decode loop with phases and coalescing (TurnEmitter), usage,
 * error mapping, cleanup — and guarantees that run() never throws and every
 * turn ends with exactly one `done`.
 */
import type { FinishReason, GatewayEvent } from '../../shared/events';
import type { ModelInfo, PullProgress } from '../../shared/models';
import { abortableSleep, Deadline } from '../net/deadline';
import type { HttpResponse } from '../net/http';
import { networkError } from '../net/networkErrors';
import { errors, isConnectionReset, isGatewayError, type GatewayError } from './errors';
import type { ChatProvider, PreparedTurn, StreamOutcome, TextSink } from './provider';
import type { EngineTuning } from './tuning';
import { TurnEmitter } from './turnEmitter';
import type { ChatEngine, ChatTurnRequest, CompletionRequest, CompletionResult, ProviderConfig } from './types';
import { computeUsage } from './usage';

/** A server that unloads an idle model after 5 minutes (Ollama's default): a bit less counts as "probably warm". */
const WARM_MS = 4 * 60_000;

export class ProviderEngine implements ChatEngine {
  private readonly turns = new Map<string, AbortController>();
  /** Completions in flight (close() stops them). */
  private readonly completions = new Set<AbortController>();
  /** model → when a turn with it last ended well (to guess whether it is loaded). */
  private readonly lastUsed = new Map<string, number>();
  private closed = false;
  readonly pull?: (model: string, onProgress: (p: PullProgress) => void, signal?: AbortSignal) => Promise<void>;

  constructor(
    private readonly provider: ChatProvider,
    private readonly config: ProviderConfig,
    private readonly tuning: EngineTuning,
  ) {
    // Only providers that can pull offer it (callers test `engine.pull`).
    if (provider.pull) this.pull = (model, onProgress, signal) => provider.pull!(model, onProgress, signal);
  }

  run(request: ChatTurnRequest): AsyncIterable<GatewayEvent> {
    const ctl = new AbortController();
    const startedAt = performance.now();
    const emitter = new TurnEmitter({
      sessionId: request.sessionId,
      messageId: request.turnId,
      coalesceMs: this.tuning.coalesceMs,
      coalesceMaxChars: this.tuning.coalesceMaxChars,
      startedAt,
      onConsumerGone: () => ctl.abort(new DOMException('the consumer stopped reading', 'AbortError')),
    });
    emitter.setPhase('queued');
    this.turns.set(request.turnId, ctl);
    // The request leaves now, not when the consumer starts reading.
    void this.drive(request, emitter, ctl.signal, startedAt)
      .catch((e: unknown) => emitter.error(errors.internal(e instanceof Error ? e.message : String(e))))
      .finally(() => {
        // Whatever happened, the stream ends with exactly one done.
        emitter.finish(ctl.signal.aborted || request.signal?.aborted ? 'cancelled' : 'error');
        if (this.turns.get(request.turnId) === ctl) this.turns.delete(request.turnId);
      });
    return emitter;
  }

  cancel(turnId: string): boolean {
    const ctl = this.turns.get(turnId);
    if (!ctl) return false;
    this.turns.delete(turnId);
    ctl.abort(new DOMException('cancelled', 'AbortError'));
    return true;
  }

  listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    return this.provider.listModels(signal);
  }

  health(signal?: AbortSignal): Promise<{ reachable: boolean; version?: string; error?: string }> {
    return this.provider.health(signal);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.turns.keys()]) this.cancel(id);
    for (const ctl of this.completions) ctl.abort(new DOMException('the engine was closed', 'AbortError'));
    await this.provider.close();
  }

  /** One turn, start to `done`. */
  private async drive(request: ChatTurnRequest, emitter: TurnEmitter, cancelSignal: AbortSignal, started: number): Promise<void> {
    const timeoutMs = this.config.requestTimeoutMs;
    const deadline = new Deadline(timeoutMs, [cancelSignal, request.signal]);
    const signal = deadline.signal;
    let hint: NodeJS.Timeout | undefined;
    try {
      if (this.closed) throw errors.internal('the engine was closed');
      if (signal.aborted) throw signal.reason;
      const turn = await this.provider.prepare(request, signal, timeoutMs);

      // No headers yet: after a moment, say what is probably happening.
      const warm = (this.lastUsed.get(turn.model) ?? -Infinity) > Date.now() - WARM_MS;
      const waiting = this.provider.loadsModels && !warm ? 'loading_model' : 'reading_prompt';
      hint = setTimeout(() => emitter.setPhase(waiting), this.tuning.loadingHintMs);

      let chunks = 0;
      let firstTextAt: number | undefined;
      const out: TextSink = (kind, text) => {
        if (text === '') return;
        firstTextAt ??= performance.now();
        chunks++;
        emitter.setPhase(kind === 'thinking' ? 'thinking' : 'generating');
        emitter.text(kind, text);
      };
      const outcome = (await this.stream(turn, signal, timeoutMs, out, { onHeaders: () => clearTimeout(hint) }))!;

      emitter.usage(this.usage(turn, outcome, chunks, started, firstTextAt));
      this.lastUsed.set(turn.model, Date.now());
      emitter.finish(outcome.finish);
    } catch (e) {
      const reason: FinishReason = cancelSignal.aborted || request.signal?.aborted ? 'cancelled' : 'error';
      if (reason === 'error') emitter.error(this.failure(e, deadline, timeoutMs));
      emitter.finish(reason);
    } finally {
      clearTimeout(hint);
      deadline.dispose();
    }
  }

  /**
   * One fill-in-the-middle completion through the same machinery as a turn: the
   * provider's request (prepareCompletion), the retried open, the decode loop, one
   * deadline, and an abort that closes the socket. Thinking text is never part of it.
   */
  async complete(request: CompletionRequest): Promise<CompletionResult> {
    const started = performance.now();
    const provider = this.provider;
    if (this.closed) throw errors.internal('the engine was closed');
    if (!provider.prepareCompletion) throw errors.capability(request.model, `${provider.server.name} offers no fill-in-the-middle endpoint`);
    const timeoutMs = Math.min(request.timeoutMs ?? this.config.requestTimeoutMs, this.config.requestTimeoutMs);
    const ctl = new AbortController();
    this.completions.add(ctl);
    const deadline = new Deadline(timeoutMs, [ctl.signal, request.signal]);
    let text = '';
    let firstAt: number | undefined;
    try {
      if (request.signal?.aborted) throw request.signal.reason;
      const turn = await provider.prepareCompletion(request, deadline.signal, timeoutMs);
      const out: TextSink = (kind, t) => {
        if (kind !== 'token' || t === '') return;
        firstAt ??= performance.now();
        text += t;
      };
      const enough = request.enough;
      const outcome = await this.stream(turn, deadline.signal, timeoutMs, out, enough ? { enough: () => enough(text) } : {});
      this.lastUsed.set(turn.model, Date.now());
      const ms = (ns: number | undefined) => (ns === undefined ? null : Math.round(ns / 1e4) / 100);
      return {
        text,
        model: turn.model,
        finish: outcome ? outcome.finish : 'enough',
        prompt: turn.completion ?? 'insert',
        timings: {
          total_ms: Math.round((performance.now() - started) * 100) / 100,
          first_token_ms: firstAt === undefined ? null : Math.round((firstAt - started) * 100) / 100,
          load_ms: ms(outcome?.loadDurationNs),
          prompt_tokens: outcome?.promptTokens ?? null,
          completion_tokens: outcome?.completionTokens ?? null,
        },
      };
    } catch (e) {
      if (request.signal?.aborted) throw request.signal.reason ?? e;
      if (ctl.signal.aborted && !deadline.timedOut) throw errors.internal('the engine was closed');
      throw this.failure(e, deadline, timeoutMs);
    } finally {
      deadline.dispose();
      // Stopped early, failed or done: the request is closed upstream either way.
      ctl.abort(new DOMException('completion finished', 'AbortError'));
      this.completions.delete(ctl);
    }
  }

  /**
   * Opens the turn's request (retried) and decodes its body into `out`, for a
   * chat turn and a completion alike. `enough` stops reading early (undefined is
   * returned; the caller's abort then closes the socket).
   */
  private async stream(
    turn: PreparedTurn,
    signal: AbortSignal,
    timeoutMs: number,
    out: TextSink,
    hooks: { onHeaders?: () => void; enough?: () => boolean },
  ): Promise<StreamOutcome | undefined> {
    const response = await this.open(turn, signal, timeoutMs);
    hooks.onHeaders?.();
    try {
      const decoder = this.provider.decoder(turn);
      for await (const chunk of response.body) {
        decoder.push(chunk as Uint8Array, out);
        if (hooks.enough?.()) return undefined;
      }
      return decoder.end(out);
    } finally {
      // Make sure the socket is gone if we stopped early (abort already does this; belt and braces).
      if (!response.body.destroyed && !response.body.readableEnded) response.body.destroy();
    }
  }

  /**
   * The provider's attempt, retried: once on a connection that dies before any
   * reply (a stale keep-alive socket, a restarted server — servers stop work on a
   * closed connection, so nothing is doubled), with backoff while the server is
   * busy, and whenever the provider's retryAfter changed the request.
   */
  private async open(turn: PreparedTurn, signal: AbortSignal, timeoutMs: number): Promise<HttpResponse> {
    let busyRetries = 0;
    let resetRetried = false;
    for (;;) {
      try {
        return await this.provider.open(turn, signal, timeoutMs);
      } catch (e) {
        if (signal.aborted) throw e;
        if (!isGatewayError(e)) {
          if (!resetRetried && isConnectionReset(e)) {
            resetRetried = true;
            continue;
          }
          throw e;
        }
        if (e.code === 'busy' && busyRetries < this.tuning.busyRetryDelaysMs.length) {
          await abortableSleep(this.tuning.busyRetryDelaysMs[busyRetries++]!, signal);
          continue;
        }
        if (this.provider.retryAfter?.(e, turn)) continue;
        throw e;
      }
    }
  }

  private usage(turn: PreparedTurn, o: StreamOutcome, chunks: number, started: number, firstTextAt: number | undefined) {
    const u = computeUsage({
      promptEvalCount: o.promptTokens,
      evalCount: o.completionTokens,
      evalDurationNs: o.evalDurationNs,
      loadDurationNs: o.loadDurationNs,
      chunksSeen: chunks,
      promptEstimate: turn.fit.estimate,
      contextWindow: turn.contextWindow,
      droppedMessages: turn.fit.dropped,
      overBudget: turn.fit.overBudget,
      timeToFirstTokenMs: firstTextAt === undefined ? null : firstTextAt - started,
    });
    if (this.provider.timings === 'stream') {
      // No server-side timings: generation speed as the stream delivered it.
      const genMs = firstTextAt === undefined ? 0 : performance.now() - firstTextAt;
      u.tokens_per_second = genMs > 0 ? Math.round(((o.completionTokens ?? chunks) / genMs) * 1000 * 100) / 100 : null;
    }
    return u;
  }

  /** The error a failed turn reports: the deadline's own timeout first, then the provider's view of the failure. */
  private failure(e: unknown, deadline: Deadline, timeoutMs: number): GatewayError {
    if (deadline.timedOut) return errors.timeout(this.provider.server, timeoutMs);
    return networkError(e, this.provider.server, timeoutMs);
  }
}
