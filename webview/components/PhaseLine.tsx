import { useEffect, useReducer } from 'preact/hooks';
import type { Phase } from '../../src/shared/events';
import { realTimers, type Timers } from '../state/store';
import { formatElapsed } from './format';

const LABELS: Record<Phase, string> = {
  queued: 'Queued',
  loading_model: 'Loading model',
  reading_prompt: 'Reading prompt',
  thinking: 'Thinking',
  generating: 'Generating',
};

/**
 * What the model is doing and for how long, so a slow model can be told from a stuck one.
 * It wakes when the figure it shows changes (at each whole second of the turn), not on a
 * fixed beat: each wake is a frame of the page's pipeline, and a beat that changes nothing
 * costs as much as one that does.
 */
export function PhaseLine({ phase, startedAt, now = Date.now, timers = realTimers }: { phase?: Phase; startedAt: number; now?: () => number; timers?: Timers }) {
  const [tickCount, tick] = useReducer((n: number) => n + 1, 0);
  const elapsed = Math.max(0, now() - startedAt);
  // Re-armed by its own tick, not by every render of the reply around it.
  useEffect(() => {
    // +1 ms: past the boundary. A clock that woke early only re-arms for the rest.
    const t = timers.set(() => tick(0), 1000 - (elapsed % 1000) + 1);
    return () => timers.clear(t);
  }, [tickCount, startedAt, timers]);
  const label = phase ? LABELS[phase] : 'Waiting for the model';
  return (
    <div class="phase-line" role="status" aria-live="polite">
      <span class="codicon codicon-loading codicon-modifier-spin" aria-hidden="true" />
      <span class="phase-label">{label}…</span>
      <span class="phase-elapsed">{formatElapsed(elapsed)}</span>
    </div>
  );
}
