/**
 * The one scriptable ChatEngine of the tests that need no HTTP (chat service,
 * conversation core, server, extension): each run() takes the next script and
 * replies token by token. A script can hold mid-stream (`holdAt`, released by
 * the test), let tokens through one at a time (`manual` + release()), fail, or
 * misbehave. Honours the request's AbortSignal and cancel(turnId), records what
 * it was asked, and answers the model list, health and pulls.
 */
import type { ErrorCode, FinishReason, GatewayEvent } from '../../src/shared/events';
import type { ModelInfo, PullProgress } from '../../src/shared/models';
import type { ChatEngine, ChatTurnRequest } from '../../src/gateway/engine/types';

export interface FakeScript {
  tokens?: string[];
  thinking?: string[];
  /** Yield one token per release() instead of all at once. */
  manual?: boolean;
  /** Hold before the token at this index until releaseHold() (`holding` resolves when it gets there). */
  holdAt?: number;
  /** After the tokens: an error event and done(error). */
  error?: { code: ErrorCode; message: string };
  finish?: FinishReason;
  /** Throw instead of ending properly (engines must not, but the service must survive it). */
  throwAfterTokens?: boolean;
  /** End without a done event. */
  omitDone?: boolean;
  /** Called when run() starts, before anything is yielded. */
  onStart?: (req: ChatTurnRequest) => void | Promise<void>;
}

export class FakeEngine implements ChatEngine {
  readonly requests: ChatTurnRequest[] = [];
  readonly cancelled: string[] = [];
  readonly scripts: FakeScript[] = [];
  defaultScript: FakeScript = { tokens: ['Hello', ', ', 'world'] };
  models: ModelInfo[] = [
    { name: 'fake-a', size: 1 },
    { name: 'fake-b', size: 2 },
  ];
  reachable = true;
  closed = false;
  /** Resolves when a run reaches its hold point. */
  holding: Promise<void> = new Promise(() => {});
  private onHold: () => void = () => {};
  private held: Promise<void> = Promise.resolve();
  private unhold: () => void = () => {};
  private permits = 0;
  private wakers: (() => void)[] = [];
  private readonly aborts = new Map<string, AbortController>();

  constructor(readonly label = 'engine') {}

  /** Queues a script for the next run. */
  script(s: FakeScript): this {
    this.scripts.push(s);
    if (s.holdAt !== undefined) {
      this.held = new Promise((r) => (this.unhold = r));
      this.holding = new Promise((r) => (this.onHold = r));
    }
    return this;
  }

  releaseHold(): void {
    this.unhold();
  }

  /** Lets `n` more tokens through in manual scripts. */
  release(n = 1): void {
    this.permits += n;
    const w = this.wakers;
    this.wakers = [];
    for (const r of w) r();
  }

  run(req: ChatTurnRequest): AsyncIterable<GatewayEvent> {
    this.requests.push(req);
    const script = this.scripts.shift() ?? this.defaultScript;
    const ac = new AbortController();
    this.aborts.set(req.turnId, ac);
    const signal = req.signal ? AbortSignal.any([req.signal, ac.signal]) : ac.signal;
    return this.generate(req, script, signal);
  }

  private async waitPermit(signal: AbortSignal): Promise<boolean> {
    while (this.permits === 0) {
      if (signal.aborted) return false;
      await new Promise<void>((r) => {
        this.wakers.push(r);
        signal.addEventListener('abort', () => r(), { once: true });
      });
    }
    if (signal.aborted) return false;
    this.permits--;
    return true;
  }

  private async *generate(req: ChatTurnRequest, s: FakeScript, signal: AbortSignal): AsyncGenerator<GatewayEvent> {
    const done = (finish_reason: FinishReason): GatewayEvent => ({ type: 'done', session_id: req.sessionId, message_id: req.turnId, finish_reason });
    const tokens = s.tokens ?? [];
    try {
      await s.onStart?.(req);
      yield { type: 'status_update', status: 'executing', phase: 'generating' };
      for (const t of s.thinking ?? []) yield { type: 'thinking', content: t };
      for (let i = 0; i < tokens.length; i++) {
        if (s.holdAt === i) {
          this.onHold();
          await Promise.race([this.held, new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }))]);
        }
        if (s.manual ? !(await this.waitPermit(signal)) : signal.aborted) {
          yield done('cancelled');
          return;
        }
        yield { type: 'token', content: tokens[i]! };
        await Promise.resolve();
      }
      if (s.throwAfterTokens) throw new Error('engine bug');
      if (s.omitDone) return;
      if (signal.aborted) {
        yield done('cancelled');
        return;
      }
      if (s.error) {
        yield { type: 'error', code: s.error.code, message: s.error.message, retryable: false };
        yield done('error');
        return;
      }
      yield {
        type: 'usage',
        prompt_tokens: 3,
        completion_tokens: tokens.length,
        total_tokens: 3 + tokens.length,
        cost_usd: 0,
        tokens_per_second: null,
        time_to_first_token_ms: null,
        load_ms: null,
        context_window: null,
        context_used: 3 + tokens.length,
        truncated: false,
      };
      yield done(s.finish ?? 'stop');
    } finally {
      this.aborts.delete(req.turnId);
    }
  }

  cancel(turnId: string): boolean {
    const ac = this.aborts.get(turnId);
    if (!ac) return false;
    this.cancelled.push(turnId);
    ac.abort();
    return true;
  }

  async listModels(): Promise<ModelInfo[]> {
    if (!this.reachable) throw new Error('connect ECONNREFUSED');
    return this.models;
  }

  async health(): Promise<{ reachable: boolean; version?: string; error?: string }> {
    return this.reachable ? { reachable: true, version: '0.0.0-fake' } : { reachable: false, error: 'ECONNREFUSED' };
  }

  async pull(model: string, onProgress: (p: PullProgress) => void, signal?: AbortSignal): Promise<void> {
    onProgress({ status: 'pulling manifest' });
    if (signal?.aborted) throw new Error('aborted');
    onProgress({ status: 'success' });
    this.models = [...this.models, { name: model, size: 3 }];
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
