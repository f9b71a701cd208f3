import type { HostToWebview } from '../../src/shared/protocol';
import { reduceHost, reduceLocal, type LocalAction } from './reducer';
import { initialState, type AppState } from './types';

export type FrameScheduler = (callback: () => void) => unknown;

export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (cb, ms) => setTimeout(cb, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * While a reply streams, its text is painted at most once per this interval. The
 * wait ends in a timer and the paint happens on the animation frame after it, so
 * at 60 Hz the text moves every sixth frame (10 paints a second, as Chromium's own
 * word streamer ticks every 100 ms), evenly. Nobody reads faster than that, and each
 * paint costs the browser's whole frame pipeline (script, layout, paint, commit:
 * ~3 ms whatever the answer's length, see docs/RELIABILITY.md), so the paints, not
 * the size of the answer, are what a stream costs: 40 ms cost about 40 % more than
 * 80 ms, and 80 ms (12 paints a second) about 15 % more than this, for no difference
 * a reader sees. A slow model (up to 9 tokens a second) is still painted token by
 * token, as the leading edge paints the first text after a pause of one interval at once.
 */
export const PAINT_INTERVAL_MS = 90;

interface PendingText {
  sessionId: string;
  messageId: string;
  content: string;
  thinking: string;
}

/**
 * What a listener is told about: `all` paints (streamed text included), or `structure`:
 * every change but streamed text, which only the streaming message shows (so a text
 * paint re-renders that message, not the whole app).
 */
export type Subscription = 'all' | 'structure';

/**
 * App state plus the streaming buffer. Token and thinking text is appended to a
 * buffer and folded into the state when it is painted; every other message first
 * flushes the buffer (so the end of a reply never overtakes its text) and is
 * painted on the next animation frame. Listeners are told at most once per frame.
 *
 * Streamed text is painted with a leading edge: the first text of a turn, and the
 * first after a pause of PAINT_INTERVAL_MS, is painted on the next frame (time to
 * first token is never made longer); text that follows within the interval is
 * merged into one paint at its end. Done, stop, errors, and the user scrolling or
 * typing (`flushNow`) paint whatever is buffered on the next frame.
 */
export class Store {
  private state: AppState = initialState();
  private readonly listeners = new Map<() => void, Subscription>();
  private readonly pending = new Map<string, PendingText>();
  private scheduled = false;
  private dirty = false;
  /** Something other than streamed text changed since the last frame. */
  private structural = false;
  private disposed = false;
  /** A trailing paint is waiting for the interval to pass. */
  private timer: unknown = undefined;
  /** When streamed text was last painted (the store's clock). */
  private lastTextPaint = Number.NEGATIVE_INFINITY;
  /** Text was folded into the state since the last frame. */
  private textFolded = false;
  /** The next text starts a turn: paint it at once, whatever the interval says. */
  private leadingNext = true;

  constructor(
    private readonly schedule: FrameScheduler = (cb) => requestAnimationFrame(cb),
    private readonly now: () => number = () => Date.now(),
    private readonly timers: Timers = realTimers,
  ) {}

  getState(): AppState {
    return this.state;
  }

  subscribe(listener: () => void, kind: Subscription = 'all'): () => void {
    this.listeners.set(listener, kind);
    return () => this.listeners.delete(listener);
  }

  dispatchHost(msg: HostToWebview): void {
    if (msg.type === 'event' && (msg.event.type === 'token' || msg.event.type === 'thinking')) {
      // Text for a reply that is not on screen (another chat streams in the background)
      // would fold into nothing: dropped here, it wakes no timer and no frame.
      if (!this.shows(msg.sessionId, msg.messageId)) return;
      const key = `${msg.sessionId}\u0000${msg.messageId}`;
      let p = this.pending.get(key);
      if (!p) {
        p = { sessionId: msg.sessionId, messageId: msg.messageId, content: '', thinking: '' };
        this.pending.set(key, p);
      }
      if (msg.event.type === 'token') p.content += msg.event.content;
      else p.thinking += msg.event.content;
      this.requestTextPaint();
      return;
    }
    this.flushPending();
    this.state = reduceHost(this.state, msg, this.now());
    if (startsOrEndsTurn(msg)) this.leadingNext = true;
    this.markDirty();
  }

  dispatchLocal(action: LocalAction): void {
    this.flushPending();
    this.state = reduceLocal(this.state, action);
    this.markDirty();
  }

  /** Paints buffered text on the next frame instead of at the end of the interval (the user scrolled, typed or stopped). */
  flushNow(): void {
    if (this.pending.size === 0 && this.timer === undefined) return;
    this.clearTimer();
    this.scheduleFrame();
  }

  dispose(): void {
    this.disposed = true;
    this.clearTimer();
    this.listeners.clear();
  }

  /** The open chat holds this message (every non-text message is already folded into the state). */
  private shows(sessionId: string, messageId: string): boolean {
    const current = this.state.current;
    if (!current || current.id !== sessionId) return false;
    const msgs = current.messages;
    // The streaming reply is nearly always the last one.
    for (let i = msgs.length - 1; i >= 0; i--) if (msgs[i]!.id === messageId) return true;
    return false;
  }

  private requestTextPaint(): void {
    // A frame is coming anyway, or a trailing paint is already set: the text goes with it.
    if (this.scheduled || this.timer !== undefined || this.disposed) return;
    const wait = this.lastTextPaint + PAINT_INTERVAL_MS - this.now();
    if (this.leadingNext || wait <= 0) {
      this.scheduleFrame();
      return;
    }
    // min(): a clock that jumped back must not hold text longer than one interval.
    this.timer = this.timers.set(() => {
      this.timer = undefined;
      this.scheduleFrame();
    }, Math.min(wait, PAINT_INTERVAL_MS));
  }

  private markDirty(): void {
    this.dirty = true;
    this.structural = true;
    this.scheduleFrame();
  }

  private scheduleFrame(): void {
    if (this.scheduled || this.disposed) return;
    this.scheduled = true;
    this.schedule(() => this.frame());
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    this.timers.clear(this.timer);
    this.timer = undefined;
  }

  private frame(): void {
    this.scheduled = false;
    if (this.disposed) return;
    this.flushPending();
    if (this.textFolded) {
      // Everything buffered is painted now: a trailing paint would have nothing to do.
      this.textFolded = false;
      this.lastTextPaint = this.now();
      this.clearTimer();
    }
    if (!this.dirty) return;
    const structural = this.structural;
    this.dirty = false;
    this.structural = false;
    for (const [l, kind] of [...this.listeners]) if (structural || kind === 'all') l();
  }

  private flushPending(): void {
    if (this.pending.size === 0) return;
    const now = this.now();
    for (const p of this.pending.values()) {
      if (p.thinking) {
        this.state = reduceHost(this.state, { type: 'event', sessionId: p.sessionId, messageId: p.messageId, event: { type: 'thinking', content: p.thinking } }, now);
      }
      if (p.content) {
        this.state = reduceHost(this.state, { type: 'event', sessionId: p.sessionId, messageId: p.messageId, event: { type: 'token', content: p.content } }, now);
      }
    }
    this.pending.clear();
    this.textFolded = true;
    this.leadingNext = false;
    this.dirty = true;
  }
}

/** After these the next streamed text is the first of a turn (or of a reloaded view). */
function startsOrEndsTurn(msg: HostToWebview): boolean {
  if (msg.type === 'turnStarted' || msg.type === 'snapshot' || msg.type === 'session') return true;
  return msg.type === 'event' && (msg.event.type === 'done' || msg.event.type === 'error');
}
