/** Pulls one model at a time with progress to every page, cancellable. Pure: the engine and sink are injected. */
import type { PullProgress } from '../shared/models';
import type { HostToWebview } from '../shared/protocol';

export interface Puller {
  pull(model: string, onProgress: (p: PullProgress) => void, signal?: AbortSignal): Promise<void>;
}

export class PullRunner {
  private current: { model: string; abort: AbortController } | undefined;

  constructor(
    private readonly puller: () => Puller,
    private readonly post: (m: HostToWebview) => void,
    private readonly onPulled: () => void,
  ) {}

  get pulling(): string | undefined {
    return this.current?.model;
  }

  async pull(model: string): Promise<void> {
    if (this.current) {
      this.post({ type: 'pullDone', model, error: `Already pulling ${this.current.model}.` });
      return;
    }
    const abort = new AbortController();
    this.current = { model, abort };
    try {
      await this.puller().pull(model, (progress) => this.post({ type: 'pullProgress', model, progress }), abort.signal);
      this.post({ type: 'pullDone', model });
      this.onPulled();
    } catch (e) {
      this.post({ type: 'pullDone', model, error: abort.signal.aborted ? 'Cancelled.' : e instanceof Error ? e.message : String(e) });
    } finally {
      this.current = undefined;
    }
  }

  cancel(): boolean {
    if (!this.current) return false;
    this.current.abort.abort();
    return true;
  }

  dispose(): void {
    this.current?.abort.abort();
  }
}
