/**
 * What goes to the webview, and when. Nothing until it says `ready`; then a full
 * snapshot, then deltas (token text coalesced, flushed before anything else).
 * While it is not ready (loading, or hidden: the page is torn down since
 * retainContextWhenHidden is off) deltas are dropped, and the next `ready` gets a
 * fresh snapshot instead, so nothing is lost and nothing is doubled.
 * Pure: the sender and the snapshot source are injected.
 */
import type { HostToWebview, Snapshot } from '../../shared/protocol';
import { TokenCoalescer, realTimers, type Timers } from '../chat/tokenCoalescer';

/** A record of what went to the webview (types only, never content), for the test hook. */
export interface PostedRecord {
  type: HostToWebview['type'];
  event?: string;
  chars?: number;
}

export class WebviewChannel {
  private ready = false;
  private generation = 0;
  private readonly coalescer: TokenCoalescer;
  // One-off UI requests (show history, focus input) made before ready: delivered after the snapshot.
  private readonly afterReady = new Map<HostToWebview['type'], HostToWebview>();
  readonly posted: PostedRecord[] = [];
  /** Snapshots sent (one per `ready`). */
  snapshots = 0;

  constructor(
    private readonly send: (m: HostToWebview) => void,
    private readonly prepareSnapshot: () => Promise<() => Snapshot>,
    timers: Timers = realTimers,
  ) {
    this.coalescer = new TokenCoalescer((m) => this.deliver(m), timers);
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** The page is gone or reloading (new html, hidden, disposed): hold everything until its next `ready`. */
  reset(): void {
    this.ready = false;
    this.generation++;
    this.coalescer.discardPending();
  }

  post(m: HostToWebview): void {
    this.coalescer.post(m);
  }

  /** Like post, but kept until the webview is ready if it is not. */
  postWhenReady(m: HostToWebview): void {
    if (this.ready) this.post(m);
    else this.afterReady.set(m.type, m);
  }

  /** The webview said `ready`: build a snapshot and go live. A newer `ready` meanwhile wins. */
  async onReady(): Promise<void> {
    this.ready = false;
    const generation = ++this.generation;
    const finish = await this.prepareSnapshot();
    if (generation !== this.generation) return;
    // Buffered text is already inside the snapshot's live reply: drop it, then go live.
    this.coalescer.discardPending();
    this.ready = true;
    this.snapshots++;
    this.deliver({ type: 'snapshot', state: finish() });
    for (const m of this.afterReady.values()) this.deliver(m);
    this.afterReady.clear();
  }

  dispose(): void {
    this.reset();
    this.coalescer.dispose();
  }

  private deliver(m: HostToWebview): void {
    if (!this.ready) return;
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
