import { useEffect, useState } from 'preact/hooks';
import type { Phase } from '../../src/shared/events';
import { formatDuration } from './format';

const LABELS: Record<Phase, string> = {
  queued: 'Queued',
  loading_model: 'Loading model',
  reading_prompt: 'Reading prompt',
  thinking: 'Thinking',
  generating: 'Generating',
};

/** What the model is doing and for how long, so a slow model can be told from a stuck one. */
export function PhaseLine({ phase, startedAt, now = Date.now }: { phase?: Phase; startedAt: number; now?: () => number }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 500);
    return () => clearInterval(t);
  }, []);
  const label = phase ? LABELS[phase] : 'Waiting for the model';
  return (
    <div class="phase-line" role="status" aria-live="polite">
      <span class="codicon codicon-loading codicon-modifier-spin" aria-hidden="true" />
      <span class="phase-label">{label}…</span>
      <span class="phase-elapsed">{formatDuration(Math.max(0, now() - startedAt))}</span>
    </div>
  );
}
