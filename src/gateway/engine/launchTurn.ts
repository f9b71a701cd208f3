/**
 * What every provider does around one turn: the event stream, the registry that
 * cancel(turnId) looks in, cancellation by the consumer leaving, and a last line
 * of defence so that no failure escapes and `done` always comes.
 */
import type { GatewayEvent } from '../../shared/events';
import { errors } from './errors';
import type { EngineTuning } from './tuning';
import { TurnEmitter } from './turnEmitter';
import type { ChatTurnRequest } from './types';

export type TurnDriver = (emitter: TurnEmitter, cancelSignal: AbortSignal, startedAt: number) => Promise<void>;

export class TurnRegistry {
  private readonly turns = new Map<string, AbortController>();

  launch(request: ChatTurnRequest, tuning: EngineTuning, drive: TurnDriver): AsyncIterable<GatewayEvent> {
    const ctl = new AbortController();
    const startedAt = performance.now();
    const emitter = new TurnEmitter({
      sessionId: request.sessionId,
      messageId: request.turnId,
      coalesceMs: tuning.coalesceMs,
      coalesceMaxChars: tuning.coalesceMaxChars,
      startedAt,
      onConsumerGone: () => ctl.abort(new DOMException('the consumer stopped reading', 'AbortError')),
    });
    emitter.setPhase('queued');
    this.turns.set(request.turnId, ctl);
    void drive(emitter, ctl.signal, startedAt)
      .catch((e: unknown) => {
        emitter.error(errors.internal(e instanceof Error ? e.message : String(e)));
      })
      .finally(() => {
        // Whatever happened, the stream ends with exactly one done.
        emitter.finish(ctl.signal.aborted || request.signal?.aborted ? 'cancelled' : 'error');
        if (this.turns.get(request.turnId) === ctl) this.turns.delete(request.turnId);
      });
    return emitter;
  }

  cancel(turnId: string): boolean {
    const ctl = this.turns.get(turnId);
    if (!ctl) return false;
    this.turns.delete(turnId);
    ctl.abort(new DOMException('cancelled', 'AbortError'));
    return true;
  }

  cancelAll(): void {
    for (const id of [...this.turns.keys()]) this.cancel(id);
  }
}
