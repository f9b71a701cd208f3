/**
 * How attachments reach the model: one format, documented in the README
 * ("What the model receives"), used for every message that carries them — a new
 * question, a regenerate, an edit-and-resend, a history turn. Pure.
 *
 *   File `src/app.ts` (typescript, lines 10-24)
 *   ```typescript
 *   …content…
 *   ```
 *
 * The fence is one backtick longer than the longest run inside the content, so
 * code that itself contains fences cannot end the block early.
 */
import { attachmentKind } from './attachmentKinds';
import { BIDI_CONTROL_CLASS } from './bidi';
import type { Attachment, ChatMessage } from './session';

/** A backtick fence longer than any run of backticks in `text` (at least three). */
export function fenceFor(text: string): string {
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return '`'.repeat(Math.max(3, longest + 1));
}

/**
 * A language id or fence name safe to put after a fence, in a heading or in a
 * VS Code language id: 1–40 letters, digits and `_+#.-` (no spaces or backticks);
 * undefined for anything else.
 */
export function safeLanguage(language: string | undefined): string | undefined {
  return language && /^[\w+#.-]{1,40}$/.test(language) ? language : undefined;
}

/** Lines of a text; a final newline does not start another line. */
export function lineCount(text: string): number {
  return text === '' ? 0 : text.replace(/\n$/, '').split('\n').length;
}

/** How an attachment was cut, in the words of its heading and its chip; undefined when whole. */
export function cutDescription(a: Attachment): string | undefined {
  const t = a.truncated;
  if (!t) return undefined;
  return t.originalLines !== undefined ? `cut to fit: first ${lineCount(a.content)} of ${t.originalLines} lines` : `cut to fit: first ${a.content.length} of ${t.originalChars} characters`;
}

/**
 * A name or path as it may stand in a heading: one line (line breaks, other
 * control characters and bidi overrides become spaces: they could end the
 * heading or disguise the name), no backticks (they would end its code span).
 */
const HEADING_UNSAFE = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029${BIDI_CONTROL_CLASS}]`, 'g');

export function safeHeadingName(name: string): string {
  return name.replace(HEADING_UNSAFE, ' ').replace(/`/g, "'").slice(0, 300);
}

/** The line above an attachment's fence: what it is, where from, which lines, whether it was cut. Every value in it is in the fence's safe forms. */
export function attachmentHeading(a: Attachment): string {
  const details: string[] = [];
  const language = safeLanguage(a.language);
  if (language) details.push(language);
  if (a.range) details.push(a.range.startLine === a.range.endLine ? `line ${a.range.startLine}` : `lines ${a.range.startLine}-${a.range.endLine}`);
  const cut = cutDescription(a);
  if (cut) details.push(cut);
  return `${attachmentKind(a.kind).heading} \`${safeHeadingName(a.path ?? a.name)}\`${details.length ? ` (${details.join(', ')})` : ''}`;
}

export function formatAttachment(a: Attachment): string {
  const fence = fenceFor(a.content);
  const body = a.content.endsWith('\n') ? a.content : a.content + '\n';
  return `${attachmentHeading(a)}\n${fence}${safeLanguage(a.language) ?? ''}\n${body}${fence}`;
}

/** The text the model receives for a user message: its attachments first, then the question. */
export function userContentForModel(m: Pick<ChatMessage, 'content' | 'attachments'>): string {
  const parts = (m.attachments ?? []).map(formatAttachment);
  if (parts.length === 0) return m.content;
  return `${parts.join('\n\n')}\n\n${m.content}`;
}
