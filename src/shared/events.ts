/**
 * The gateway's event protocol: one chat turn is an ordered stream of these,
 * the same over postMessage (extension) and Server-Sent Events (standalone).
 * Over SSE the SSE `event:` name is `type` and `data:` is the object without it.
 */

export const PHASES = ['queued', 'loading_model', 'reading_prompt', 'thinking', 'generating'] as const;
export type Phase = (typeof PHASES)[number];

export const TURN_STATUSES = ['planning', 'executing', 'complete', 'error', 'cancelled'] as const;
export type TurnStatus = (typeof TURN_STATUSES)[number];

export const FINISH_REASONS = ['stop', 'length', 'cancelled', 'error'] as const;
export type FinishReason = (typeof FINISH_REASONS)[number];

/** Stable error codes: UIs branch on these, never on message text. */
export const ERROR_CODES = [
  'ollama_unreachable', // connection refused / DNS / connect timeout
  'model_not_found', // 404 from Ollama
  'timeout', // our own request timeout elapsed
  'busy', // 503 after retries
  'capability', // 400: model lacks a requested capability
  'bad_request', // 400 / invalid options
  'upstream_error', // anything else Ollama reported, incl. mid-stream {"error"}
  'truncated', // the stream ended without done:true
  'interrupted', // the process died mid-turn (found at start-up)
  'internal', // a bug of ours; never an exception escaping
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface StatusUpdateEvent {
  type: 'status_update';
  status: TurnStatus;
  phase?: Phase;
  /** Present on the first event of a turn. */
  session_id?: string;
  message_id?: string;
  /** Milliseconds since the turn started, so UIs can show a live elapsed time. */
  elapsed_ms?: number;
}

export interface ThinkingEvent {
  type: 'thinking';
  content: string;
}

export interface TokenEvent {
  type: 'token';
  content: string;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Always 0 for local models; kept for seed compatibility. */
  cost_usd: number;
  tokens_per_second: number | null;
  time_to_first_token_ms: number | null;
  load_ms: number | null;
  /** num_ctx sent to the model (or the server's, when unknown: null). */
  context_window: number | null;
  /** prompt + completion tokens as reported, i.e. how much of the window was used. */
  context_used: number;
  /** True when older turns were dropped (by us, or silently by the server). */
  truncated: boolean;
  /** How many history messages we left out to fit. */
  dropped_messages?: number;
  /** Our estimate of the prompt's size, to compare with prompt_tokens. */
  prompt_tokens_estimate?: number;
}

export interface UsageEvent extends Usage {
  type: 'usage';
}

export interface ErrorEvent {
  type: 'error';
  code: ErrorCode;
  message: string;
  retryable: boolean;
}

export interface DoneEvent {
  type: 'done';
  session_id: string;
  message_id: string;
  finish_reason: FinishReason;
}

export type GatewayEvent = StatusUpdateEvent | ThinkingEvent | TokenEvent | UsageEvent | ErrorEvent | DoneEvent;
export type GatewayEventType = GatewayEvent['type'];

/** The SSE `data:` payload: the event without its discriminant. */
export function eventData(e: GatewayEvent): Omit<GatewayEvent, 'type'> {
  const { type: _type, ...rest } = e;
  return rest;
}
