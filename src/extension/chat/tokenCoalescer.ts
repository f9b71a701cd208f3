/**
 * Coalesces streamed text for the webview: token/thinking text is buffered and
 * posted about once per frame, and the buffer is ALWAYS flushed before any other
 * message, so `done` (or an error, or a new turn) can never overtake text.
 * Pure: the timer is injected.
 */
import type { HostToWebview } from '../../shared/protocol';

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** About one animation frame. */
export const FRAME_MS = 16;

interface Pending {
  sessionId: string;
  messageId: string;
  kind: 'token' | 'thinking';
  text: string;
}

export class TokenCoalescer {
  private pending: Pending | undefined;
  private timer: unknown;

  constructor(
    private readonly out: (m: HostToWebview) => void,
    private readonly timers: Timers = realTimers,
    private readonly intervalMs = FRAME_MS,
  ) {}

  post(m: HostToWebview): void {
    if (m.type === 'event' && (m.event.type === 'token' || m.event.type === 'thinking')) {
      const p = this.pending;
      if (p && p.sessionId === m.sessionId && p.messageId === m.messageId && p.kind === m.event.type) {
        p.text += m.event.content;
      } else {
        // Another stream or the other kind of text: keep the order by flushing first.
        this.flush();
        this.pending = { sessionId: m.sessionId, messageId: m.messageId, kind: m.event.type, text: m.event.content };
      }
      this.timer ??= this.timers.set(() => {
        this.timer = undefined;
        this.flush();
      }, this.intervalMs);
      return;
    }
    this.flush();
    this.out(m);
  }

  /** Posts buffered text now. */
  flush(): void {
    this.cancelTimer();
    const p = this.pending;
    this.pending = undefined;
    if (p && p.text) this.out({ type: 'event', sessionId: p.sessionId, messageId: p.messageId, event: { type: p.kind, content: p.text } });
  }

  /** Forgets buffered text: a snapshot about to be posted already contains it. */
  discardPending(): void {
    this.cancelTimer();
    this.pending = undefined;
  }

  dispose(): void {
    this.discardPending();
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }
}
