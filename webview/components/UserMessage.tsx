import { useContext, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Attachment, ChatMessage } from '../../src/shared/session';
import { AttachmentList } from './Attachments';
import { ActionsContext } from './context';
import { IconButton } from './IconButton';
import { Markdown } from './Markdown';

/** A question taller than this many lines is shown collapsed, with "Show more". */
export const QUESTION_LINES = 12;

function sourceLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Whether the rendered question is taller than QUESTION_LINES. Measured where the
 * page has layout (so long wrapped lines count); by source lines where it has none.
 * scrollHeight is the full height even while the box is clamped.
 */
function isTall(el: HTMLElement, text: string): boolean {
  if (el.scrollHeight === 0) return sourceLines(text.trimEnd()) > QUESTION_LINES;
  const line = parseFloat(getComputedStyle(el).lineHeight);
  if (!Number.isFinite(line) || line <= 0) return sourceLines(text.trimEnd()) > QUESTION_LINES;
  // Half a line of slack: margins and padding must not hide a single line behind the button.
  return el.scrollHeight > line * (QUESTION_LINES + 0.5);
}

interface Props {
  message: ChatMessage;
  /** Edit and resend is offered (the last question, nothing streaming). */
  canEdit: boolean;
  /** Edit and resend: the question and its attachments go back into the composer. */
  onEdit(content: string, attachments?: Attachment[]): void;
}

/**
 * The user's own message, through the same safe markdown renderer as replies
 * (a pasted fence becomes a highlighted code block with Copy; raw HTML stays
 * text). Long questions are collapsed to QUESTION_LINES with "Show more".
 */
export function UserMessage({ message: m, canEdit, onEdit }: Props) {
  const actions = useContext(ActionsContext);
  const body = useRef<HTMLDivElement>(null);
  const [tall, setTall] = useState(() => sourceLines(m.content.trimEnd()) > QUESTION_LINES);
  const [expanded, setExpanded] = useState(false);

  useLayoutEffect(() => {
    const el = body.current;
    if (!el) return;
    const measure = () => setTall(isTall(el, m.content));
    measure();
    // A narrower panel wraps more lines: measure again when the width changes (user messages only, never per token).
    if (typeof ResizeObserver === 'undefined') return;
    let width = el.clientWidth;
    const ro = new ResizeObserver(() => {
      if (el.clientWidth === width) return;
      width = el.clientWidth;
      measure();
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [m.content]);

  const collapsed = tall && !expanded;
  return (
    <div class="message message-user" aria-label="You">
      <div ref={body} class={`user-text${collapsed ? ' collapsed' : ''}`}>
        <Markdown text={m.content} streaming={false} />
      </div>
      {m.attachments?.length ? (
        <AttachmentList
          attachments={m.attachments}
          {...(actions.editor ? { onOpen: (a: Attachment) => a.uri && actions.post({ type: 'openAttachment', uri: a.uri, ...(a.range ? { range: a.range } : {}) }) } : {})}
        />
      ) : null}
      {(tall || canEdit) && (
        <div class="message-actions">
          {tall && (
            <button type="button" class="show-more" aria-expanded={expanded} onClick={() => setExpanded(!expanded)}>
              {expanded ? 'Show less' : 'Show more'}
            </button>
          )}
          {canEdit && <IconButton icon="edit" label="Edit and resend" onClick={() => onEdit(m.content, m.attachments)} />}
        </div>
      )}
    </div>
  );
}
