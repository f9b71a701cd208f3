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
  const mounted = useRef(false);
  useEffect(() => {
    // Asked for (a command, Edit), or the page itself has the focus (the user opened the view).
    // Never on a mount the user did not ask for: Ask About Selection shows the view but keeps
    // the focus in the editor, and a focus() inside the webview would take it away.
    const asked = mounted.current;
    mounted.current = true;
    if (asked || document.hasFocus()) ref.current?.focus();
  }, [focusSeq, editing]);

  useEffect(() => {
    // The host focused the view (VS Code's reveal, clicking into it) with nothing inside focused yet:
    // the caret goes to the message box rather than nowhere.
    // Not when the focus came from a click inside the page: that would break selecting text in a reply.
    let pointer = false;
    const onPointer = () => {
      pointer = true;
      setTimeout(() => (pointer = false), 0);
    };
    const onFocus = () => {
      const active = document.activeElement;
      if (!pointer && (!active || active === document.body)) ref.current?.focus();
    };
    window.addEventListener('pointerdown', onPointer, true);
    window.addEventListener('focus', onFocus);
    return () => {
      window.removeEventListener('pointerdown', onPointer, true);
      window.removeEventListener('focus', onFocus);
    };
  }, []);

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
