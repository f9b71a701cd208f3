/** The `usage` event's numbers, from what the server reported at the end and what we measured. */
import type { Usage } from '../../shared/events';
import { serverTruncated } from './contextFit';

export interface UsageInputs {
  promptEvalCount?: number;
  evalCount?: number;
  evalDurationNs?: number;
  loadDurationNs?: number;
  /** Answer + thinking chunks we saw, when the server gives no eval_count. */
  chunksSeen: number;
  promptEstimate: number;
  contextWindow: number | null;
  droppedMessages: number;
  /** The prompt is still over budget after dropping what could be dropped. */
  overBudget: boolean;
  timeToFirstTokenMs: number | null;
}

export function computeUsage(u: UsageInputs): Usage {
  const prompt = Math.round(u.promptEvalCount ?? u.promptEstimate);
  const completion = Math.round(u.evalCount ?? u.chunksSeen);
  const tps = u.evalCount !== undefined && u.evalDurationNs ? (u.evalCount / u.evalDurationNs) * 1e9 : null;
  const truncated = u.droppedMessages > 0 || u.overBudget || serverTruncated(u.promptEvalCount, u.promptEstimate, u.contextWindow);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    cost_usd: 0,
    tokens_per_second: tps === null ? null : Math.round(tps * 100) / 100,
    time_to_first_token_ms: u.timeToFirstTokenMs === null ? null : Math.round(u.timeToFirstTokenMs),
    load_ms: u.loadDurationNs === undefined ? null : Math.round(u.loadDurationNs / 1e4) / 100,
    context_window: u.contextWindow,
    context_used: prompt + completion,
    truncated,
    dropped_messages: u.droppedMessages,
    prompt_tokens_estimate: u.promptEstimate,
  };
}
