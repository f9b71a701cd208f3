import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ErrorBoundary } from './ErrorBoundary';

/**
 * The last line of defence around the whole UI: a failure outside the messages
 * (composer, toolbar, history) shows a way back instead of a blank panel. The
 * chats themselves are stored by the host, so nothing is lost.
 */
export function Root({ children }: { children: ComponentChildren }) {
  const [attempt, setAttempt] = useState(0);
  return (
    <ErrorBoundary
      resetKey={attempt}
      fallback={() => (
        <div class="app-failed" role="alert">
          <p>Hearth's chat could not be displayed. Your chats are saved.</p>
          <button type="button" onClick={() => setAttempt(attempt + 1)}>
            Try again
          </button>
        </div>
      )}
    >
      {children}
    </ErrorBoundary>
  );
}
