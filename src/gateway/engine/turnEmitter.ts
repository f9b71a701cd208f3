/**
 * The consumer side of one turn: an async iterable of events fed by the provider's
 * reading loop. It guarantees the protocol's shape — the first event is a
 * status_update carrying the ids, phases only move on, tokens are coalesced, and
 * exactly one `done` comes last — and it reports a consumer that stops iterating.
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
}

const PHASE_ORDER: Record<Phase, number> = { queued: 0, loading_model: 1, reading_prompt: 2, thinking: 3, generating: 4 };
const FINAL_STATUS: Record<FinishReason, TurnStatus> = { stop: 'complete', length: 'complete', cancelled: 'cancelled', error: 'error' };

export class TurnEmitter implements AsyncIterable<GatewayEvent> {
  private readonly queue: GatewayEvent[] = [];
  private head = 0;
  private wake: (() => void) | undefined;
  private phase: Phase | undefined;
  private pendingKind: 'token' | 'thinking' | undefined;
  private pendingText = '';
  private timer: NodeJS.Timeout | undefined;
  private finished = false;
  private consumed = false;
  private iterating = false;

  constructor(private readonly opts: TurnEmitterOptions) {}

  get ended(): boolean {
    return this.finished;
  }

  /** Moves to a phase (never back); the first call carries the turn's ids. */
  setPhase(phase: Phase): void {
    if (this.finished) return;
    if (this.phase !== undefined && PHASE_ORDER[phase] <= PHASE_ORDER[this.phase]) return;
    const first = this.phase === undefined;
    this.phase = phase;
    this.flushText();
    this.push({
      type: 'status_update',
      status: PHASE_ORDER[phase] >= PHASE_ORDER.thinking ? 'executing' : 'planning',
      phase,
      ...(first ? { session_id: this.opts.sessionId, message_id: this.opts.messageId } : {}),
      elapsed_ms: this.elapsed(),
    });
  }

  /** Answer or reasoning text; merged with its neighbours of the same kind within the window. */
  text(kind: 'token' | 'thinking', content: string): void {
    if (this.finished || content === '') return;
    if (this.opts.coalesceMs <= 0) {
      this.push({ type: kind, content });
      return;
    }
    if (this.pendingKind !== kind) this.flushText();
    this.pendingKind = kind;
    this.pendingText += content;
    if (this.pendingText.length >= this.opts.coalesceMaxChars) this.flushText();
    else if (!this.timer) this.timer = setTimeout(() => this.flushText(), this.opts.coalesceMs);
  }

  usage(u: Usage): void {
    if (this.finished) return;
    this.flushText();
    this.push({ type: 'usage', ...u });
  }

  error(e: GatewayError): void {
    if (this.finished) return;
    this.flushText();
    this.push(e.toEvent());
  }

  /** Ends the turn: a final status, then `done`. Later calls do nothing. */
  finish(reason: FinishReason): void {
    if (this.finished) return;
    if (this.phase === undefined) this.setPhase('queued');
    this.flushText();
    this.push({ type: 'status_update', status: FINAL_STATUS[reason], elapsed_ms: this.elapsed() });
    this.push({ type: 'done', session_id: this.opts.sessionId, message_id: this.opts.messageId, finish_reason: reason });
    this.finished = true;
    this.signal();
  }

  private elapsed(): number {
    return Math.round(performance.now() - this.opts.startedAt);
  }

  private flushText(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.pendingKind || this.pendingText === '') {
      this.pendingKind = undefined;
      return;
    }
    const kind = this.pendingKind;
    const content = this.pendingText;
    this.pendingKind = undefined;
    this.pendingText = '';
    // A consumer that lags behind gets bigger events rather than a longer queue.
    const tail = this.queue.length > this.head ? this.queue[this.queue.length - 1] : undefined;
    if (tail && tail.type === kind) {
      (tail as { content: string }).content += content;
      return;
    }
    this.push({ type: kind, content });
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
      if (this.timer) clearTimeout(this.timer);
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
