import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { IconButton } from './IconButton';

interface Props {
  draft: string;
  onDraft(text: string): void;
  busy: boolean;
  /** Why sending is impossible right now (no model, not connected), or undefined. */
  blocked?: string;
  editing: boolean;
  onSend(text: string): void;
  onStop(): void;
  onCancelEdit(): void;
  focusSeq: number;
}

/** The input: Enter sends, Shift+Enter is a new line; Stop replaces Send while a reply streams. */
export function Composer({ draft, onDraft, busy, blocked, editing, onSend, onStop, onCancelEdit, focusSeq }: Props) {
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [focusSeq, editing]);

  const canSend = !busy && !blocked && draft.trim().length > 0;
  const send = () => {
    if (canSend) onSend(draft);
  };
  const onKeyDown = (e: JSX.TargetedKeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  };
  return (
    <div class="composer">
      {editing && (
        <div class="composer-editing">
          <span class="codicon codicon-edit" aria-hidden="true" /> Editing your last question
          <IconButton icon="close" label="Cancel editing" onClick={onCancelEdit} />
        </div>
      )}
      {blocked && <div class="composer-blocked">{blocked}</div>}
      <div class="composer-row">
        <textarea
          ref={ref}
          class="composer-input"
          aria-label="Message"
          placeholder="Ask anything (Enter to send, Shift+Enter for a new line)"
          rows={3}
          value={draft}
          onInput={(e) => onDraft(e.currentTarget.value)}
          onKeyDown={onKeyDown}
        />
        {busy ? (
          <IconButton icon="debug-stop" label="Stop generating (Escape)" class="stop-button" onClick={onStop} />
        ) : (
          <IconButton icon="send" label={editing ? 'Resend edited question' : 'Send'} class="send-button" onClick={send} disabled={!canSend} />
        )}
      </div>
    </div>
  );
}
