/**
 * Attachment chips: what goes to the model with a question, visible and counted.
 * In the composer a chip has its token estimate and a ✕; in the transcript it
 * shows what was sent (and whether it was cut). Clicking one opens its file at
 * its lines (VS Code).
 */
import { attachmentKind } from '../../src/shared/attachmentKinds';
import { cutDescription } from '../../src/shared/attachments';
import { showBidiControls } from '../../src/shared/bidi';
import type { Attachment } from '../../src/shared/session';
import { estimateAttachmentTokens } from '../../src/shared/tokens';

/** "app.ts:10-24" (the lines only when part of the file; a snippet by its path); a bidi control in the name is shown, not obeyed. */
export function chipLabel(a: Attachment): string {
  const name = showBidiControls(attachmentKind(a.kind).chipPath && a.path ? a.path : a.name);
  if (!a.range) return name;
  return `${name}:${a.range.startLine === a.range.endLine ? a.range.startLine : `${a.range.startLine}-${a.range.endLine}`}`;
}

/** 950 → "950", 1234 → "1.2k", 15000 → "15k". */
export function formatTokens(n: number): string {
  if (n < 1000) return String(n);
  return n < 10_000 ? `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k` : `${Math.round(n / 1000)}k`;
}

/** What a sent summary chip says of its search: "Searched 1,204 of 2,355 files (still indexing)"; undefined before a send. */
export function summaryNote(a: Attachment): string | undefined {
  if (!attachmentKind(a.kind).summary || !a.content) return undefined;
  const first = a.content.split('\n', 1)[0]!;
  const clause = first.split(':', 1)[0]!.trim();
  return clause ? showBidiControls(clause.slice(0, 120)) : undefined;
}

/** The cut note the chip shows, in the words of the model's heading. */
export const cutNote: (a: Attachment) => string | undefined = cutDescription;

interface ChipProps {
  attachment: Attachment;
  /** Its estimated share of the prompt (composer chips). */
  tokens?: number;
  /** Open the file at the lines; absent when it cannot be opened (no file, or a browser). */
  onOpen?: () => void;
  onRemove?: () => void;
  /** Added by the setting "include the current file", not by the user. */
  auto?: boolean;
}

export function AttachmentChip({ attachment: a, tokens, onOpen, onRemove, auto }: ChipProps) {
  const label = chipLabel(a);
  const cut = cutNote(a);
  const kind = attachmentKind(a.kind);
  const where = showBidiControls(a.path ?? a.name);
  const summary = summaryNote(a);
  const title = [
    kind.title,
    where + (a.range ? ` (lines ${a.range.startLine}-${a.range.endLine})` : ''),
    tokens !== undefined ? `about ${tokens.toLocaleString('en-US')} tokens` : '',
    summary ? showBidiControls(a.content.slice(0, 500)) : '',
    cut ?? '',
    auto ? 'the current file (hearth.context.includeCurrentFile)' : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const body = (
    <>
      <span class={`codicon codicon-${kind.codicon}`} aria-hidden="true" />
      <bdi class="chip-name">{label}</bdi>
      {auto && <span class="chip-note">current</span>}
      {summary && <span class="chip-note chip-summary">{summary}</span>}
      {tokens !== undefined && <span class="chip-tokens">≈{formatTokens(tokens)}</span>}
      {cut && <span class="chip-cut">cut</span>}
    </>
  );
  return (
    <span class={`chip chip-${a.kind}${cut ? ' chip-is-cut' : ''}${auto ? ' chip-auto' : ''}`} title={title} data-chip={label}>
      {onOpen ? (
        <button type="button" class="chip-open" aria-label={`Open ${label}`} onClick={onOpen}>
          {body}
        </button>
      ) : (
        <span class="chip-open">{body}</span>
      )}
      {onRemove && (
        <button type="button" class="chip-remove" aria-label={`Remove ${label}`} title={`Remove ${label}`} onClick={onRemove}>
          <span class="codicon codicon-close" aria-hidden="true" />
        </button>
      )}
    </span>
  );
}

/** A sent question's attachments, in the transcript: each with what it cost (≈ tokens), as counted when it was sent. */
export function AttachmentList({ attachments, onOpen }: { attachments: readonly Attachment[]; onOpen?: (a: Attachment) => void }) {
  return (
    <div class="chips chips-sent" aria-label="Attachments">
      {attachments.map((a, i) => (
        <AttachmentChip key={i} attachment={a} tokens={estimateAttachmentTokens(a)} {...(onOpen && a.uri ? { onOpen: () => onOpen(a) } : {})} />
      ))}
    </div>
  );
}
