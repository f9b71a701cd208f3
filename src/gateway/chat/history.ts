import { userContentForModel } from '../../shared/attachments';
import type { ChatMessage } from '../../shared/session';
import type { ChatTurnMessage } from '../engine/types';

/**
 * The messages sent to the model for a turn, from the stored transcript.
 * Left out: assistant replies with no text (failed or cancelled before a token)
 * and replies that ended in an error (often garbage up to the failure). Kept:
 * partial replies the user stopped or that were interrupted, since the user saw
 * them and may refer to them. The system prompt is not stored; the engine adds it.
 * A question reaches the model with its attachments, in the one format of
 * src/shared/attachments.ts — on every later turn too, not only its own.
 */
export function buildHistory(messages: readonly ChatMessage[]): ChatTurnMessage[] {
  const out: ChatTurnMessage[] = [];
  for (const m of messages) {
    if (m.role === 'system') continue;
    if (m.role === 'assistant') {
      if (m.content.trim() === '' || m.status === 'error' || m.status === 'streaming') continue;
    }
    out.push({ role: m.role, content: m.role === 'user' ? userContentForModel(m) : m.content });
  }
  return out;
}
