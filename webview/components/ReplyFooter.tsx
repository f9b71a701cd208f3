import type { ChatMessage } from '../../src/shared/session';
import { formatCount, formatDuration } from './format';

/** Model, tokens, speed, time to first token, context use; and the truncation warning. */
export function ReplyFooter({ message }: { message: ChatMessage }) {
  const u = message.usage;
  const parts: string[] = [];
  if (message.model) parts.push(message.model);
  if (u) {
    parts.push(`${formatCount(u.completion_tokens)} tokens`);
    if (u.tokens_per_second !== null) parts.push(`${u.tokens_per_second.toFixed(1)} tok/s`);
    if (u.time_to_first_token_ms !== null) parts.push(`first token ${formatDuration(u.time_to_first_token_ms)}`);
    parts.push(u.context_window ? `context ${formatCount(u.context_used)} / ${formatCount(u.context_window)}` : `context ${formatCount(u.context_used)}`);
  }
  if (parts.length === 0) return null;
  return (
    <div class="reply-footer">
      <span class="reply-stats">{parts.join(' · ')}</span>
      {u?.truncated && (
        <div class="reply-warning" role="note">
          <span class="codicon codicon-warning" aria-hidden="true" /> Older messages were left out to fit the context window
          {u.dropped_messages ? ` (${u.dropped_messages} left out)` : ''}.
        </div>
      )}
    </div>
  );
}
