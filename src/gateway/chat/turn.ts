/**
 * One turn's event log: numbers events from 1, keeps them (bounded) so any
 * number of subscribers can replay from an id and then follow live ones,
 * without gap or duplicate, until `done`.
 */
import type { FinishReason, GatewayEvent } from '../../shared/events';
import type { ChatMessage } from '../../shared/session';
import { ChatError } from './errors';
import type { SequencedEvent, TurnHandle } from './types';

export class Turn implements TurnHandle {
  readonly finished: Promise<FinishReason>;
  readonly controller = new AbortController();
  private buf: SequencedEvent[] = [];
  /** Id of buf[0]. */
  private firstId = 1;
  private nextId = 1;
  private ended = false;
  private waiters: (() => void)[] = [];
  private resolveFinished!: (r: FinishReason) => void;

  constructor(
    readonly sessionId: string,
    readonly userMessage: ChatMessage,
    readonly assistantMessage: ChatMessage,
    private readonly onCancel: () => void,
    private readonly maxBuffered = 10_000,
  ) {
    this.finished = new Promise((r) => (this.resolveFinished = r));
  }

  get isOpen(): boolean {
    return !this.ended;
  }

  get lastEventId(): number {
    return this.nextId - 1;
  }

  push(event: GatewayEvent): SequencedEvent {
    if (this.ended) throw new Error('push after the turn ended');
    const se = { id: this.nextId++, event };
    this.buf.push(se);
    if (this.buf.length > this.maxBuffered + Math.ceil(this.maxBuffered / 4)) {
      // Trim in chunks so a long turn costs amortized O(1) per event.
      const drop = this.buf.length - this.maxBuffered;
      this.buf.splice(0, drop);
      this.firstId += drop;
    }
    this.wake();
    return se;
  }

  end(reason: FinishReason): void {
    if (this.ended) return;
    this.ended = true;
    this.wake();
    this.resolveFinished(reason);
  }

  cancel(): void {
    if (this.ended || this.controller.signal.aborted) return;
    this.controller.abort();
    this.onCancel();
  }

  get cancelled(): boolean {
    return this.controller.signal.aborted;
  }

  events(afterId = 0): AsyncIterable<SequencedEvent> {
    // Checked eagerly so a caller learns of a gap before it starts a response.
    if (afterId + 1 < this.firstId) throw new ChatError('replay_gap', `events after ${afterId} are no longer buffered`);
    return this.follow(afterId);
  }

  private async *follow(afterId: number): AsyncGenerator<SequencedEvent> {
    let next = Math.max(afterId, 0) + 1;
    for (;;) {
      while (next < this.nextId) {
        if (next < this.firstId) throw new ChatError('replay_gap', `events after ${next - 1} are no longer buffered`);
        yield this.buf[next - this.firstId]!;
        next++;
      }
      if (this.ended) return;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }
}
