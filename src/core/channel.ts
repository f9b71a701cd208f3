/**
 * What goes to one page (a VS Code webview, a browser tab), and when. Nothing
 * until the page says `ready`; then a full snapshot, then deltas in order.
 * While the page is not ready (loading, hidden — VS Code tears a hidden view's
 * page down — or a browser whose event stream dropped) deltas are dropped, and
 * the next `ready` gets a fresh snapshot instead, so nothing is lost and nothing
 * is doubled. There is no coalescing here: the engine's emitter is the one
 * coalescing stage, and the page paints at its own pace.
 */
import type { HostToWebview, Snapshot } from '../shared/protocol';

/** A record of what went to the page (types only, never content), for the test hook. */
export interface PostedRecord {
  type: HostToWebview['type'];
  event?: string;
  chars?: number;
}

export class UiChannel {
  private ready = false;
  private generation = 0;
  // One-off UI requests (show history, focus input) made before ready: delivered after the snapshot.
  private readonly afterReady = new Map<HostToWebview['type'], HostToWebview>();
  readonly posted: PostedRecord[] = [];
  /** Snapshots sent (one per `ready`). */
  snapshots = 0;

  constructor(private readonly send: (m: HostToWebview) => void) {}

  get isReady(): boolean {
    return this.ready;
  }

  /** The page is gone or reloading: hold everything until its next `ready`. */
  reset(): void {
    this.ready = false;
    this.generation++;
  }

  post(m: HostToWebview): void {
    if (this.ready) this.deliver(m);
  }

  /** Like post, but kept until the page is ready if it is not. */
  postWhenReady(m: HostToWebview): void {
    if (this.ready) this.deliver(m);
    else this.afterReady.set(m.type, m);
  }

  /**
   * The page said `ready`: build a snapshot and go live. `prepare` does the async
   * part and returns a synchronous builder, so nothing that happens between the
   * two can be both inside the snapshot and sent again. A newer `ready` wins.
   */
  async onReady(prepare: () => Promise<() => Snapshot>): Promise<void> {
    this.ready = false;
    const generation = ++this.generation;
    const finish = await prepare();
    if (generation !== this.generation) return;
    this.ready = true;
    this.snapshots++;
    this.deliver({ type: 'snapshot', state: finish() });
    for (const m of this.afterReady.values()) this.deliver(m);
    this.afterReady.clear();
  }

  dispose(): void {
    this.reset();
    this.afterReady.clear();
  }

  private deliver(m: HostToWebview): void {
    this.record(m);
    this.send(m);
  }

  private record(m: HostToWebview): void {
    const r: PostedRecord = { type: m.type };
    if (m.type === 'event') {
      r.event = m.event.type;
      if (m.event.type === 'token' || m.event.type === 'thinking') r.chars = m.event.content.length;
    }
    this.posted.push(r);
    if (this.posted.length > 2000) this.posted.splice(0, this.posted.length - 1000);
  }
}
