/**
 * The prompt-size estimate (no tokenizer is at hand), shared so that the engine's
 * context fit and the UI's token counts (attachment chips) agree.
 *
 * ASCII text ≈ 4 characters per token, any other character ≈ 1 token (CJK and
 * emoji are about that; accented Latin is overestimated, which errs on the safe
 * side), plus MESSAGE_OVERHEAD tokens per message for the chat template's role
 * markers. Good to ±30 % on prose and code. Pure.
 */
import { formatAttachment } from './attachments';
import type { Attachment } from './session';

/** Tokens a chat template adds around one message (role markers). */
export const MESSAGE_OVERHEAD = 4;

export function estimateTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) ascii++;
    else if (c < 0xdc00 || c > 0xdfff) other++; // count a surrogate pair once
  }
  return Math.ceil(ascii / 4) + other;
}

/** One message as the model receives it: its text plus the template's overhead. */
export function estimateMessageTokens(m: { content: string }): number {
  return estimateTokens(m.content) + MESSAGE_OVERHEAD;
}

/** What one attachment adds to its message, in the format it reaches the model (heading and fence included). */
export function estimateAttachmentTokens(a: Attachment): number {
  return estimateTokens(formatAttachment(a));
}
