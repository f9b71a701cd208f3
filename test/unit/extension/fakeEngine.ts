import type { GatewayEvent } from '../../../src/shared/events';
import type { ModelInfo, PullProgress } from '../../../src/shared/models';
import type { ChatEngine, ChatTurnRequest } from '../../../src/gateway/engine/types';

/**
 * A scripted ChatEngine: each run yields the next script's tokens. A token may
 * wait on `gate` (a promise the test resolves), so a test can hold a reply mid-stream.
 */
export interface FakeScript {
  tokens: string[];
  /** Hold before the token at this index until release() is called. */
  holdAt?: number;
  error?: { code: 'unreachable' | 'upstream_error'; message: string };
}

export class FakeEngine implements ChatEngine {
  readonly requests: ChatTurnRequest[] = [];
  readonly cancelled: string[] = [];
  closed = false;
  scripts: FakeScript[] = [];
  models: ModelInfo[] = [{ name: 'fake-a', size: 1 }, { name: 'fake-b', size: 2 }];
  reachable = true;
  private release: (() => void) | undefined;
  private held: Promise<void> | undefined;
  /** Resolves when a run reaches its hold point. */
  holding: Promise<void> = new Promise(() => {});
  private onHold: () => void = () => {};

  constructor(readonly label = 'engine') {}

  script(s: FakeScript): this {
    this.scripts.push(s);
    if (s.holdAt !== undefined) {
      this.held = new Promise((r) => (this.release = r));
      this.holding = new Promise((r) => (this.onHold = r));
    }
    return this;
  }

  releaseHold(): void {
    this.release?.();
  }

  run(req: ChatTurnRequest): AsyncIterable<GatewayEvent> {
    this.requests.push(req);
    const s = this.scripts.shift() ?? { tokens: ['ok'] };
    const self = this;
    return (async function* (): AsyncGenerator<GatewayEvent> {
      const aborted = () => req.signal?.aborted || self.cancelled.includes(req.turnId);
      yield { type: 'status_update', status: 'executing', phase: 'generating' };
      for (let i = 0; i < s.tokens.length; i++) {
        if (s.holdAt === i) {
          self.onHold();
          await Promise.race([self.held, new Promise<void>((r) => req.signal?.addEventListener('abort', () => r(), { once: true }))]);
        }
        if (aborted()) {
          yield { type: 'done', session_id: req.sessionId, message_id: req.turnId, finish_reason: 'cancelled' };
          return;
        }
        yield { type: 'token', content: s.tokens[i]! };
      }
      if (s.error) {
        yield { type: 'error', code: s.error.code, message: s.error.message, retryable: true };
        yield { type: 'done', session_id: req.sessionId, message_id: req.turnId, finish_reason: 'error' };
        return;
      }
      yield { type: 'done', session_id: req.sessionId, message_id: req.turnId, finish_reason: 'stop' };
    })();
  }

  cancel(turnId: string): boolean {
    this.cancelled.push(turnId);
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
