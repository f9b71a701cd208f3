/**
 * Fitting a conversation into the model's context window, with the shared
 * estimate of src/shared/tokens.ts (the UI counts with the same one).
 *
 * Fitting: the system prompt and the newest message are always kept; older
 * messages are dropped oldest first until estimate(prompt) + the answer reserve
 * fits in num_ctx. A reply left at the front without its question is dropped too.
 */
import { answerReserve } from '../../shared/fit';
import { estimateMessageTokens } from '../../shared/tokens';
import type { ChatTurnMessage } from './types';

// The answer's room is shared with the composer's fit check (src/shared/fit.ts).
export { answerReserve };

export interface FitResult {
  /** What to send: the system prompt (if any) then the kept history. */
  messages: ChatTurnMessage[];
  /** History messages left out. */
  dropped: number;
  /** Estimated prompt tokens of `messages`. */
  estimate: number;
  /** Even after dropping, the prompt is over budget (only the system prompt and newest message are left). */
  overBudget: boolean;
}

export function fitContext(systemPrompt: string | undefined, history: ChatTurnMessage[], numCtx: number): FitResult {
  const system: ChatTurnMessage[] = systemPrompt ? [{ role: 'system', content: systemPrompt }] : [];
  const budget = Math.max(0, numCtx - answerReserve(numCtx));
  const sizes = history.map(estimateMessageTokens);
  let total = system.reduce((n, m) => n + estimateMessageTokens(m), 0) + sizes.reduce((a, b) => a + b, 0);
  let start = 0;
  const last = history.length - 1;
  while (total > budget && start < last) {
    total -= sizes[start]!;
    start++;
  }
  // Do not open the conversation with an orphaned reply.
  while (start > 0 && start < last && history[start]!.role === 'assistant') {
    total -= sizes[start]!;
    start++;
  }
  return { messages: [...system, ...history.slice(start)], dropped: start, estimate: total, overBudget: total > budget };
}

/**
 * Whether Ollama probably dropped part of the prompt itself: it reports far fewer
 * prompt tokens than we estimated, for a prompt big enough to fill much of the window.
 * (A small count on a small prompt is more likely the KV cache than truncation.)
 */
export function serverTruncated(promptEvalCount: number | undefined, estimate: number, numCtx: number | null): boolean {
  if (promptEvalCount === undefined || numCtx === null || estimate <= 0) return false;
  return estimate >= numCtx / 2 && promptEvalCount < estimate / 2;
}
