/**
 * What /api/show tells about a model (capabilities, maximum context), cached per
 * model (and digest, so a re-pulled model is looked at again), and the num_ctx the
 * engine sends for it — fixed per model for the engine's life, because a changed
 * num_ctx makes Ollama reload the model.
 *
 * A turn waits for /api/show only the first time a model is used (nothing else
 * can decide num_ctx); after that it never does: facts maxAgeMs old or older are
 * refreshed in the background while the turn goes ahead with the cached ones.
 */
import type { ShowResponse } from './schemas';
import type { OllamaClient } from './client';
import { GatewayError } from '../engine/errors';
import { untilAborted } from '../net/deadline';

export interface ModelFacts {
  capabilities?: string[];
  /** model_info["<arch>.context_length"]: the most the model can take. */
  contextLength?: number;
  /** `num_ctx` from the Modelfile parameters, if set there. */
  paramNumCtx?: number;
}

export function factsFromShow(show: ShowResponse): ModelFacts {
  const facts: ModelFacts = {};
  if (show.capabilities) facts.capabilities = [...show.capabilities];
  const info = show.model_info ?? {};
  const arch = info['general.architecture'];
  let ctx = typeof arch === 'string' ? info[`${arch}.context_length`] : undefined;
  if (typeof ctx !== 'number') ctx = Object.entries(info).find(([k, v]) => k.endsWith('.context_length') && typeof v === 'number')?.[1];
  if (typeof ctx === 'number' && ctx > 0) facts.contextLength = Math.floor(ctx);
  const m = /^\s*num_ctx\s+(\d+)\s*$/m.exec(show.parameters ?? '');
  if (m) facts.paramNumCtx = Number(m[1]);
  return facts;
}

/**
 * The num_ctx the engine gives a model when the setting is 0: the Modelfile's
 * num_ctx, else the model's maximum, capped at `cap`; `fallback` when /api/show
 * said neither. The one rule for turns (numCtxFor) and the model list (what the
 * composer's fit check counts with).
 */
export function ownNumCtx(facts: ModelFacts | undefined, cap: number, fallback: number): number {
  const own = facts?.paramNumCtx ?? facts?.contextLength;
  return own ? Math.min(own, cap) : fallback;
}

export class ModelFactsCache {
  private readonly facts = new Map<string, { digest?: string; facts: ModelFacts; fetchedAt: number }>();
  private readonly inflight = new Map<string, Promise<ModelFacts>>();
  private readonly numCtx = new Map<string, number>();
  private disposed = false;

  constructor(
    private readonly client: OllamaClient,
    private readonly contextCap: number,
    private readonly fallbackContext: number,
    private readonly maxAgeMs = Infinity,
    // Monotonic: a wall clock stepped back would keep old facts from ever being refreshed.
    private readonly now: () => number = () => performance.now(),
  ) {}

  peek(model: string, digest?: string): ModelFacts | undefined {
    const hit = this.facts.get(model);
    if (!hit || (digest && hit.digest && hit.digest !== digest)) return undefined;
    return hit.facts;
  }

  /** Cached facts, else one /api/show (shared by concurrent callers). */
  get(model: string, digest: string | undefined, signal: AbortSignal | undefined, timeoutMs: number): Promise<ModelFacts> {
    const hit = this.peek(model, digest);
    if (hit) return Promise.resolve(hit);
    return untilAborted(this.fetch(model, digest, timeoutMs), signal);
  }

  /** One /api/show per model and digest at a time, shared by whoever asks meanwhile. */
  private fetch(model: string, digest: string | undefined, timeoutMs: number): Promise<ModelFacts> {
    const key = `${model}\u0000${digest ?? ''}`;
    let p = this.inflight.get(key);
    if (!p) {
      // Not a caller's signal: one caller cancelling must not fail the others sharing this request.
      p = this.client
        .show(model, undefined, timeoutMs)
        .then((show) => {
          const facts = factsFromShow(show);
          this.facts.set(model, { digest: digest ?? this.facts.get(model)?.digest, facts, fetchedAt: this.now() });
          return facts;
        })
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  /** Cached facts at once; when they are old, a refresh starts beside the caller (its failure keeps the old ones). */
  private cachedOrFetch(model: string, signal: AbortSignal | undefined, timeoutMs: number): Promise<ModelFacts> {
    const hit = this.facts.get(model);
    if (!hit) return untilAborted(this.fetch(model, undefined, timeoutMs), signal);
    // At least maxAgeMs old (not "more than"): 0 means every turn refreshes, even one within the same clock tick.
    if (!this.disposed && this.now() - hit.fetchedAt >= this.maxAgeMs) this.fetch(model, hit.digest, timeoutMs).catch(() => undefined);
    return Promise.resolve(hit.facts);
  }

  /** Stops background refreshes (the engine is closing). */
  dispose(): void {
    this.disposed = true;
  }

  /**
   * The num_ctx to send: the setting when > 0; else the model's own (Modelfile
   * num_ctx, else its maximum) capped at contextCap; fallbackContext when
   * /api/show says nothing usable or fails. Decided once per model.
   */
  async numCtxFor(model: string, setting: number | undefined, signal: AbortSignal | undefined, timeoutMs: number): Promise<{ numCtx: number; facts?: ModelFacts }> {
    let facts: ModelFacts | undefined;
    try {
      facts = await this.cachedOrFetch(model, signal, timeoutMs);
    } catch (e) {
      // The chat itself will report unreachable/unknown models more clearly.
      if (signal?.aborted) throw e;
      if (e instanceof GatewayError && (e.code === 'unreachable' || e.code === 'model_not_found')) throw e;
    }
    if (setting && setting > 0) return { numCtx: Math.floor(setting), facts };
    let n = this.numCtx.get(model);
    if (n === undefined) {
      n = ownNumCtx(facts, this.contextCap, this.fallbackContext);
      // Pinned only once /api/show answered: a failed or slow show must not halve the window for good.
      if (facts) this.numCtx.set(model, n);
    }
    return { numCtx: n, facts };
  }

  /**
   * The num_ctx a turn of this model gets when the setting is 0, as numCtxFor
   * decides it: the value pinned by an earlier turn, else what these facts give;
   * undefined while nothing is known (no turn yet, no /api/show answer).
   */
  effectiveContext(model: string, facts: ModelFacts | undefined): number | undefined {
    return this.numCtx.get(model) ?? (facts ? ownNumCtx(facts, this.contextCap, this.fallbackContext) : undefined);
  }
}
