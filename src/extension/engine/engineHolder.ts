/**
 * One ChatEngine for the chat service, whose real engine is rebuilt whenever
 * the connection settings (URL, headers, provider, API key) change. A turn keeps
 * the engine it started on (so cancel reaches the right request); a replaced
 * engine is closed once its last turn ends. The factory is async so the engine
 * code (undici and all) is loaded on first use, not at activation. Pure.
 */
import type { GatewayEvent } from '../../shared/events';
import type { ModelInfo, PullProgress } from '../../shared/models';
import type { ChatEngine, ChatTurnRequest, CompletionRequest, CompletionResult, ProviderConfig } from '../../gateway/engine/types';

export interface EngineConfig {
  config: ProviderConfig;
  /** Changes exactly when a new engine is needed. */
  fingerprint: string;
}

export type EngineFactory = (config: ProviderConfig) => ChatEngine | Promise<ChatEngine>;

export class EngineHolder implements ChatEngine {
  private current: { engine: Promise<ChatEngine>; fingerprint: string } | undefined;
  private readonly turns = new Map<string, ChatEngine>();
  private readonly retired = new Set<ChatEngine>();
  private disposed = false;
  private builds = 0;

  constructor(
    private readonly factory: EngineFactory,
    private readonly config: () => EngineConfig,
  ) {}

  /** The engine for the current settings (created lazily: no I/O until something asks). */
  engine(): Promise<ChatEngine> {
    if (this.disposed) return Promise.reject(new Error('engine holder disposed'));
    const c = this.config();
    if (!this.current || this.current.fingerprint !== c.fingerprint) {
      const old = this.current?.engine;
      this.current = { engine: Promise.resolve().then(() => this.factory(c.config)), fingerprint: c.fingerprint };
      this.builds++;
      if (old) void old.then((e) => this.retire(e), () => {});
    }
    return this.current.engine;
  }

  /** How many engines have been built (for tests and the test hook). */
  get buildCount(): number {
    return this.builds;
  }

  run(request: ChatTurnRequest): AsyncIterable<GatewayEvent> {
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        const engine = await self.engine();
        self.turns.set(request.turnId, engine);
        try {
          yield* engine.run(request);
        } finally {
          self.turns.delete(request.turnId);
          self.closeIfIdle(engine);
        }
      },
    };
  }

  /** A completion on the engine of the current settings (its signal closes it upstream). */
  async complete(request: CompletionRequest): Promise<CompletionResult> {
    const e = await this.engine();
    if (!e.complete) throw new Error('This engine cannot complete code.');
    return e.complete(request);
  }

  /** Until the engine is loaded a turn cannot be here; the request's AbortSignal still stops it. */
  cancel(turnId: string): boolean {
    const e = this.turns.get(turnId);
    return e ? e.cancel(turnId) : false;
  }

  async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    return (await this.engine()).listModels(signal);
  }

  async health(signal?: AbortSignal): Promise<{ reachable: boolean; version?: string; error?: string }> {
    return (await this.engine()).health(signal);
  }

  async pull(model: string, onProgress: (p: PullProgress) => void, signal?: AbortSignal): Promise<void> {
    const e = await this.engine();
    if (!e.pull) throw new Error('This server does not support pulling models.');
    return e.pull(model, onProgress, signal);
  }

  async close(): Promise<void> {
    this.disposed = true;
    const all = new Set<ChatEngine>([...this.retired, ...this.turns.values()]);
    const current = this.current?.engine;
    this.current = undefined;
    this.retired.clear();
    if (current) await current.then((e) => void all.add(e), () => {});
    await Promise.allSettled([...all].map((e) => e.close()));
  }

  private retire(e: ChatEngine): void {
    this.retired.add(e);
    this.closeIfIdle(e);
  }

  private closeIfIdle(e: ChatEngine): void {
    if (!this.retired.has(e)) return;
    for (const used of this.turns.values()) if (used === e) return;
    this.retired.delete(e);
    void e.close().catch(() => {});
  }
}
