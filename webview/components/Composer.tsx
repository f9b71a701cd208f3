import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ContextCandidate } from '../../src/shared/protocol';
import { IconButton } from './IconButton';
import { MENTION_LIST_ID, MentionPicker, mentionOptionId } from './MentionPicker';

/** The `@` picker as the App wires it: the host searches and adds. */
export interface Mentions {
  /** The host's answer to the latest query; undefined while it is pending. */
  items: readonly ContextCandidate[] | undefined;
  search(query: string): void;
  pick(item: ContextCandidate): void;
  /** The only `@` words offered (a browser tab: `codebase`, no workspace files); absent: files and every kind. */
  words?: readonly string[];
}

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
  /** The `@` picker (when the host offers workspace context). */
  mentions?: Mentions;
  /** Attaching files the page reads itself (a browser: file picker, drag and drop). */
  onAttachFiles?: (files: File[]) => void;
  /** Chips, the token total, the fit warning: shown above the message box. */
  children?: ComponentChildren;
}

/** `@` then the query, just before the caret, at the start or after a space. */
const MENTION_RE = /(?:^|\s)@([^\s@]{0,100})$/;

interface MentionAt {
  /** Index of the `@`. */
  start: number;
  query: string;
}

/**
 * The input: Enter sends, Shift+Enter is a new line; Stop replaces Send while a
 * reply streams. Typing `@` opens the context picker; its keys are handled here
 * so the focus stays in the text.
 */
export function Composer({ draft, onDraft, busy, blocked, editing, onSend, onStop, onCancelEdit, focusSeq, mentions, onAttachFiles, children }: Props) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const mounted = useRef(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const [mention, setMention] = useState<MentionAt | undefined>(undefined);
  const [active, setActive] = useState(0);
  const [dragging, setDragging] = useState(false);
  // The `@` the user closed with Escape: it stays text and does not reopen the picker.
  const dismissed = useRef<number | undefined>(undefined);
  // The caret to restore after a pick removed the `@query` text.
  const caretAfterRender = useRef<number | undefined>(undefined);

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

  useEffect(() => {
    const el = ref.current;
    const at = caretAfterRender.current;
    if (el && at !== undefined) {
      caretAfterRender.current = undefined;
      el.setSelectionRange(at, at);
    }
  }, [draft]);

  const items = mention ? mentions?.items : undefined;
  useEffect(() => {
    setActive(0);
  }, [items]);

  const detect = (value: string, caret: number | null): void => {
    if (!mentions || caret === null) return setMention(undefined);
    const m = MENTION_RE.exec(value.slice(0, caret));
    if (!m) {
      dismissed.current = undefined;
      return setMention(undefined);
    }
    const start = caret - m[1]!.length - 1;
    if (dismissed.current === start) return setMention(undefined);
    if (mention?.start !== start || mention.query !== m[1]) {
      setMention({ start, query: m[1]! });
      mentions.search(m[1]!);
    }
  };

  const pick = (item: ContextCandidate): void => {
    if (!mention || !mentions) return;
    const end = mention.start + 1 + mention.query.length;
    caretAfterRender.current = mention.start;
    onDraft(draft.slice(0, mention.start) + draft.slice(end));
    setMention(undefined);
    mentions.pick(item);
  };

  const canSend = !busy && !blocked && draft.trim().length > 0;
  const send = () => {
    if (canSend) onSend(draft);
  };
  const onKeyDown = (e: JSX.TargetedKeyboardEvent<HTMLTextAreaElement>) => {
    if (mention && !e.isComposing) {
      const n = items?.length ?? 0;
      if (e.key === 'Escape') {
        e.preventDefault();
        // The picker closes; Escape must not also stop a reply or leave the history.
        e.stopPropagation();
        dismissed.current = mention.start;
        setMention(undefined);
        return;
      }
      if (n > 0 && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
        e.preventDefault();
        setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
        return;
      }
      if (n > 0 && (e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey))) {
        e.preventDefault();
        pick(items![Math.min(active, n - 1)]!);
        return;
      }
      if (e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey && items === undefined)) {
        // Still searching: neither leave the box nor send the half-typed `@`.
        e.preventDefault();
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  };
  const onCaretMove = (e: JSX.TargetedEvent<HTMLTextAreaElement>) => detect(e.currentTarget.value, e.currentTarget.selectionStart);

  const dropProps = onAttachFiles
    ? {
        onDragOver: (e: JSX.TargetedDragEvent<HTMLDivElement>) => {
          if (!e.dataTransfer?.types.includes('Files')) return;
          e.preventDefault();
          setDragging(true);
        },
        onDragLeave: () => setDragging(false),
        onDrop: (e: JSX.TargetedDragEvent<HTMLDivElement>) => {
          const files = [...(e.dataTransfer?.files ?? [])];
          setDragging(false);
          if (files.length === 0) return;
          e.preventDefault();
          onAttachFiles(files);
        },
      }
    : {};

  const open = !!mention;
  return (
    <div class={`composer${dragging ? ' drop-target' : ''}`} {...dropProps}>
      {editing && (
        <div class="composer-editing">
          <span class="codicon codicon-edit" aria-hidden="true" /> Editing your last question
          <IconButton icon="close" label="Cancel editing" onClick={onCancelEdit} />
        </div>
      )}
      {blocked && <div class="composer-blocked">{blocked}</div>}
      {children}
      {open && <MentionPicker items={items} active={active} onPick={pick} onHover={setActive} {...(mentions?.words ? { words: mentions.words } : {})} />}
      <div class="composer-row">
        <textarea
          ref={ref}
          class="composer-input"
          aria-label="Message"
          placeholder={
            mentions?.words
              ? `Ask anything; ${mentions.words.map((w) => `@${w}`).join(', ')} ${mentions.words.length === 1 && mentions.words[0] === 'codebase' ? 'searches the code' : 'adds context'} (Enter to send)`
              : mentions
                ? 'Ask anything; @ adds a file, problems or the selection (Enter to send)'
                : 'Ask anything (Enter to send, Shift+Enter for a new line)'
          }
          rows={3}
          value={draft}
          role={mentions ? 'combobox' : undefined}
          aria-autocomplete={mentions ? 'list' : undefined}
          aria-expanded={mentions ? open : undefined}
          aria-controls={open && items?.length ? MENTION_LIST_ID : undefined}
          aria-activedescendant={open && items?.length ? mentionOptionId(active) : undefined}
          onInput={(e) => {
            onDraft(e.currentTarget.value);
            detect(e.currentTarget.value, e.currentTarget.selectionStart);
          }}
          onKeyDown={onKeyDown}
          onKeyUp={(e) => {
            if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key)) onCaretMove(e);
          }}
          onClick={onCaretMove}
          onBlur={() => setMention(undefined)}
        />
        {onAttachFiles && (
          <>
            <IconButton icon="attach" label="Attach files" class="attach-button" onClick={() => fileInput.current?.click()} />
            <input
              ref={fileInput}
              type="file"
              multiple
              hidden
              aria-label="Files to attach"
              onChange={(e) => {
                const files = [...(e.currentTarget.files ?? [])];
                e.currentTarget.value = '';
                if (files.length) onAttachFiles(files);
              }}
            />
          </>
        )}
        {busy ? (
          <IconButton icon="debug-stop" label="Stop generating (Escape)" class="stop-button" onClick={onStop} />
        ) : (
          <IconButton icon="send" label={editing ? 'Resend edited question' : 'Send'} class="send-button" onClick={send} disabled={!canSend} />
        )}
      </div>
    </div>
  );
}
