/**
 * The consumer side of one turn: an async iterable of events fed by the provider's
 * reading loop. It guarantees the protocol's shape — the first event is a
 * status_update carrying the ids, phases only move on, tokens are coalesced, and
 * exactly one `done` comes last — and it reports a consumer that stops iterating.
 *
 * Coalescing has a leading edge: text that finds no window open is
 * sent at once and opens one; text within the window waits for its end and goes
 * out as one event; a window that ends with nothing waiting closes, so the first
 * text of a turn, and the first after a pause, is never held back. This is the
 * one coalescing stage between the model and a transport.
 */
import type { FinishReason, GatewayEvent, Phase, TurnStatus, Usage } from '../../shared/events';
import type { GatewayError } from './errors';

export interface TurnEmitterOptions {
  sessionId: string;
  messageId: string;
  coalesceMs: number;
  coalesceMaxChars: number;
  /** Called once if the consumer stops iterating before `done`. */
  onConsumerGone(): void;
  /** performance.now() when the turn started. */
  startedAt: number;
  /** The window's clock; tests pass a manual one. */
  timers?: WindowTimers;
}

export interface WindowTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: WindowTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

const PHASE_ORDER: Record<Phase, number> = { queued: 0, loading_model: 1, reading_prompt: 2, thinking: 3, generating: 4 };
const FINAL_STATUS: Record<FinishReason, TurnStatus> = { stop: 'complete', length: 'complete', cancelled: 'cancelled', error: 'error' };

export class TurnEmitter implements AsyncIterable<GatewayEvent> {
  private readonly queue: GatewayEvent[] = [];
  private head = 0;
  private wake: (() => void) | undefined;
  private phase: Phase | undefined;
  private pendingKind: 'token' | 'thinking' | undefined;
  private pendingText = '';
  /** Set while a coalescing window is open. */
  private timer: unknown;
  private readonly timers: WindowTimers;
  private finished = false;
  private consumed = false;
  private iterating = false;

  constructor(private readonly opts: TurnEmitterOptions) {
    this.timers = opts.timers ?? realTimers;
  }

  get ended(): boolean {
    return this.finished;
  }

  /** Moves to a phase (never back); the first call carries the turn's ids. */
  setPhase(phase: Phase): void {
    if (this.finished) return;
    if (this.phase !== undefined && PHASE_ORDER[phase] <= PHASE_ORDER[this.phase]) return;
    const first = this.phase === undefined;
    this.phase = phase;
    this.flushText(true);
    this.push({
      type: 'status_update',
      status: PHASE_ORDER[phase] >= PHASE_ORDER.thinking ? 'executing' : 'planning',
      phase,
      ...(first ? { session_id: this.opts.sessionId, message_id: this.opts.messageId } : {}),
      elapsed_ms: this.elapsed(),
    });
  }

  /** Answer or reasoning text: sent at once when no window is open, else merged with what follows within it. */
  text(kind: 'token' | 'thinking', content: string): void {
    if (this.finished || this.consumed || content === '') return;
    if (this.opts.coalesceMs <= 0) {
      this.push({ type: kind, content });
      return;
    }
    // The other kind of text never merges across: what waits goes first, and the switch is a leading edge.
    if (this.pendingKind !== undefined && this.pendingKind !== kind) this.flushText(true);
    if (this.timer === undefined) {
      this.emitText(kind, content);
      this.openWindow();
      return;
    }
    // A consumer that has not yet taken the last event gets this text in it: no wait, no extra event.
    if (this.pendingText === '' && this.appendToTail(kind, content)) return;
    this.pendingKind = kind;
    this.pendingText += content;
    if (this.pendingText.length >= this.opts.coalesceMaxChars) this.flushText(false);
  }

  usage(u: Usage): void {
    if (this.finished) return;
    this.flushText(true);
    this.push({ type: 'usage', ...u });
  }

  error(e: GatewayError): void {
    if (this.finished) return;
    this.flushText(true);
    this.push(e.toEvent());
  }

  /** Ends the turn: a final status, then `done`. Later calls do nothing. */
  finish(reason: FinishReason): void {
    if (this.finished) return;
    if (this.phase === undefined) this.setPhase('queued');
    this.flushText(true);
    this.push({ type: 'status_update', status: FINAL_STATUS[reason], elapsed_ms: this.elapsed() });
    this.push({ type: 'done', session_id: this.opts.sessionId, message_id: this.opts.messageId, finish_reason: reason });
    this.finished = true;
    this.signal();
  }

  private elapsed(): number {
    return Math.round(performance.now() - this.opts.startedAt);
  }

  /** The window ends: what waited goes out and a new window opens; with nothing waiting, the window closes. */
  private windowEnd(): void {
    this.timer = undefined;
    if (this.pendingText === '') return;
    this.flushText(false);
    this.openWindow();
  }

  private openWindow(): void {
    this.timer = this.timers.set(() => this.windowEnd(), this.opts.coalesceMs);
  }

  private closeWindow(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }

  /**
   * Sends the text waiting in the window. Before any other event (closeWindow),
   * the window closes too, so that event can never overtake text and the text
   * after it is a leading edge again.
   */
  private flushText(closeWindow: boolean): void {
    if (closeWindow) this.closeWindow();
    const kind = this.pendingKind;
    const content = this.pendingText;
    this.pendingKind = undefined;
    this.pendingText = '';
    if (kind && content !== '') this.emitText(kind, content);
  }

  private emitText(kind: 'token' | 'thinking', content: string): void {
    if (!this.appendToTail(kind, content)) this.push({ type: kind, content });
  }

  /** A consumer that lags behind gets bigger events rather than a longer queue. */
  private appendToTail(kind: 'token' | 'thinking', content: string): boolean {
    if (this.consumed) return true;
    const tail = this.queue.length > this.head ? this.queue[this.queue.length - 1] : undefined;
    if (!tail || tail.type !== kind) return false;
    (tail as { content: string }).content += content;
    return true;
  }

  private push(e: GatewayEvent): void {
    if (this.consumed) return;
    this.queue.push(e);
    this.signal();
  }

  private signal(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private async next(): Promise<IteratorResult<GatewayEvent>> {
    for (;;) {
      if (this.head < this.queue.length) {
        const value = this.queue[this.head++]!;
        if (this.head > 1024 && this.head * 2 > this.queue.length) {
          this.queue.splice(0, this.head);
          this.head = 0;
        }
        return { value, done: false };
      }
      if (this.finished || this.consumed) return { value: undefined, done: true };
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private stop(): IteratorResult<GatewayEvent> {
    if (!this.consumed) {
      this.consumed = true;
      const ended = this.finished;
      this.queue.length = 0;
      this.head = 0;
      this.closeWindow();
      this.signal();
      if (!ended) this.opts.onConsumerGone();
    }
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterator<GatewayEvent> {
    if (this.iterating) throw new Error('a turn can be iterated once');
    this.iterating = true;
    return {
      next: () => this.next(),
      return: async () => this.stop(),
      throw: async () => this.stop(),
    };
  }
}
