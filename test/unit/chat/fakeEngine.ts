/**
 * A scriptable ChatEngine for service/server tests that do not need HTTP:
 * replies token by token, optionally one token per `release()`, honours the
 * request's AbortSignal and cancel(turnId), and records what it was asked.
 */
import type { ErrorCode, FinishReason, GatewayEvent } from '../../../src/shared/events';
import type { ModelInfo } from '../../../src/shared/models';
import type { ChatEngine, ChatTurnRequest } from '../../../src/gateway/engine/types';

export interface FakeScript {
  tokens?: string[];
  thinking?: string[];
  /** Yield one token per release() instead of all at once. */
  manual?: boolean;
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
  models: ModelInfo[] = [{ name: 'fake-model', size: 1 }];
  private permits = 0;
  private wakers: (() => void)[] = [];
  private readonly aborts = new Map<string, AbortController>();

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
    try {
      await s.onStart?.(req);
      yield { type: 'status_update', status: 'executing', phase: 'generating' };
      for (const t of s.thinking ?? []) yield { type: 'thinking', content: t };
      for (const t of s.tokens ?? []) {
        if (s.manual ? !(await this.waitPermit(signal)) : signal.aborted) {
          yield done('cancelled');
          return;
        }
        yield { type: 'token', content: t };
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
        completion_tokens: s.tokens?.length ?? 0,
        total_tokens: 3 + (s.tokens?.length ?? 0),
        cost_usd: 0,
        tokens_per_second: null,
        time_to_first_token_ms: null,
        load_ms: null,
        context_window: null,
        context_used: 3 + (s.tokens?.length ?? 0),
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
    return this.models;
  }

  async health(): Promise<{ reachable: boolean; version?: string }> {
    return { reachable: true, version: '0.0.0-fake' };
  }

  async close(): Promise<void> {}
}
