/**
 * The gateway's event protocol: one chat turn is an ordered stream of these,
 * the same over postMessage (extension) and Server-Sent Events (standalone).
 * Over SSE the SSE `event:` name is `type` and `data:` is the object without it.
 *
 * The zod schemas are the source of truth; the types are derived from them, so a
 * field cannot exist in one and not the other.
 */
import * as z from 'zod'; // namespace import: lets esbuild drop zod's locales from the webview bundle (~370 kB)

export const PHASES = ['queued', 'loading_model', 'reading_prompt', 'thinking', 'generating'] as const;
export type Phase = (typeof PHASES)[number];

export const TURN_STATUSES = ['planning', 'executing', 'complete', 'error', 'cancelled'] as const;
export type TurnStatus = (typeof TURN_STATUSES)[number];

export const FINISH_REASONS = ['stop', 'length', 'cancelled', 'error'] as const;
export type FinishReason = (typeof FINISH_REASONS)[number];

/** Stable error codes: UIs branch on these, never on message text. Provider-neutral. */
export const ERROR_CODES = [
  'unreachable', // the model server: connection refused / DNS / connect timeout
  'model_not_found', // 404 from the server
  'timeout', // our own request timeout elapsed
  'busy', // 503 after retries
  'capability', // 400: model lacks a requested capability
  'bad_request', // 400 / invalid options
  'upstream_error', // anything else the server reported, incl. mid-stream {"error"}
  'truncated', // the stream ended without its end marker
  'interrupted', // the process died mid-turn (found at start-up)
  'internal', // a bug of ours; never an exception escaping
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes older versions stored (sessions on disk keep them): read as their new names. */
const LEGACY_ERROR_CODES: Readonly<Record<string, ErrorCode>> = { ollama_unreachable: 'unreachable' };

export const errorCodeSchema = z.preprocess(
  (v) => (typeof v === 'string' && Object.hasOwn(LEGACY_ERROR_CODES, v) ? LEGACY_ERROR_CODES[v] : v),
  z.enum(ERROR_CODES),
);

const nonNegInt = z.number().int().nonnegative();
const finite = z.number().refine(Number.isFinite, 'must be finite');

export const usageSchema = z.object({
  prompt_tokens: nonNegInt,
  completion_tokens: nonNegInt,
  total_tokens: nonNegInt,
  /** Always 0 for local models; kept for seed compatibility. */
  cost_usd: finite,
  tokens_per_second: finite.nullable(),
  time_to_first_token_ms: finite.nullable(),
  load_ms: finite.nullable(),
  /** num_ctx sent to the model (or the server's, when unknown: null). */
  context_window: nonNegInt.nullable(),
  /** prompt + completion tokens as reported, i.e. how much of the window was used. */
  context_used: nonNegInt,
  /** True when older turns were dropped (by us, or silently by the server). */
  truncated: z.boolean(),
  /** How many history messages we left out to fit. */
  dropped_messages: nonNegInt.optional(),
  /** Our estimate of the prompt's size, to compare with prompt_tokens. */
  prompt_tokens_estimate: nonNegInt.optional(),
});
export type Usage = z.infer<typeof usageSchema>;

export const statusUpdateEventSchema = z.object({
  type: z.literal('status_update'),
  status: z.enum(TURN_STATUSES),
  phase: z.enum(PHASES).optional(),
  /** Present on the first event of a turn. */
  session_id: z.string().optional(),
  message_id: z.string().optional(),
  /** Milliseconds since the turn started, so UIs can show a live elapsed time. */
  elapsed_ms: finite.optional(),
});
export const thinkingEventSchema = z.object({ type: z.literal('thinking'), content: z.string() });
export const tokenEventSchema = z.object({ type: z.literal('token'), content: z.string() });
export const usageEventSchema = usageSchema.extend({ type: z.literal('usage') });
export const errorEventSchema = z.object({ type: z.literal('error'), code: errorCodeSchema, message: z.string(), retryable: z.boolean() });
export const doneEventSchema = z.object({
  type: z.literal('done'),
  session_id: z.string(),
  message_id: z.string(),
  finish_reason: z.enum(FINISH_REASONS),
});

export const gatewayEventSchema = z.discriminatedUnion('type', [
  statusUpdateEventSchema,
  thinkingEventSchema,
  tokenEventSchema,
  usageEventSchema,
  errorEventSchema,
  doneEventSchema,
]);

export type StatusUpdateEvent = z.infer<typeof statusUpdateEventSchema>;
export type ThinkingEvent = z.infer<typeof thinkingEventSchema>;
export type TokenEvent = z.infer<typeof tokenEventSchema>;
export type UsageEvent = z.infer<typeof usageEventSchema>;
export type ErrorEvent = z.infer<typeof errorEventSchema>;
export type DoneEvent = z.infer<typeof doneEventSchema>;
export type GatewayEvent = z.infer<typeof gatewayEventSchema>;
export type GatewayEventType = GatewayEvent['type'];

/** The SSE `data:` payload: the event without its discriminant. */
export function eventData(e: GatewayEvent): Omit<GatewayEvent, 'type'> {
  const { type: _type, ...rest } = e;
  return rest;
}
