/**
 * What goes to one page (a VS Code webview, a browser tab), and when. Nothing
 * until the page says `ready`; then a full snapshot, then messages in order.
 * While the page is not ready (loading, hidden — VS Code tears a hidden view's
 * page down — or a browser whose event stream dropped) a message the snapshot
 * will carry anyway is dropped; one it cannot carry (a notice, the reply to a request,
 * chips to add) is kept and delivered right after the next snapshot. So nothing
 * is lost and nothing is doubled. There is no coalescing here: the engine's
 * emitter is the one coalescing stage, and the page paints at its own pace.
 */
import type { HostToWebview, Snapshot } from '../shared/protocol';

/**
 * What happens to each message while the page is away: `snapshot` — dropped, the
 * next snapshot holds its state; `queue` — kept in order for the next ready page;
 * `latest` — only the latest of its type is kept. A new message type must choose.
 */
const WHILE_AWAY: Record<HostToWebview['type'], 'snapshot' | 'queue' | 'latest'> = {
  snapshot: 'snapshot',
  sessions: 'snapshot',
  session: 'snapshot',
  models: 'snapshot',
  connection: 'snapshot',
  turnStarted: 'snapshot',
  event: 'snapshot',
  applyState: 'snapshot',
  contextState: 'snapshot',
  notice: 'queue',
  // A page that comes back (a browser stream that dropped) still waits for it; a reloaded one ignores an id it never sent.
  reply: 'queue',
  attachmentsAdded: 'queue',
  pageEffect: 'queue',
  pullDone: 'queue',
  pullProgress: 'latest',
  focusInput: 'latest',
  showHistory: 'latest',
};
/** A page away for long must not make us hold an unbounded queue. */
const MAX_QUEUED = 100;

/** A record of what went to the page (types only, never content), for the test hook. */
export interface PostedRecord {
  type: HostToWebview['type'];
  event?: string;
  chars?: number;
}

export class UiChannel {
  private ready = false;
  private generation = 0;
  // What the page must still get once it is ready (see WHILE_AWAY), in order.
  private queued: HostToWebview[] = [];
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
    if (this.ready) return this.deliver(m);
    switch (WHILE_AWAY[m.type]) {
      case 'snapshot':
        return;
      case 'latest':
        this.queued = this.queued.filter((q) => q.type !== m.type);
        break;
      case 'queue':
        break;
    }
    this.queued.push(m);
    if (this.queued.length > MAX_QUEUED) this.queued.splice(0, this.queued.length - MAX_QUEUED);
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
    const queued = this.queued;
    this.queued = [];
    for (const m of queued) this.deliver(m);
  }

  dispose(): void {
    this.reset();
    this.queued = [];
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
