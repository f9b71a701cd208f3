/**
 * Runtime validation for everything that crosses a trust boundary: webview
 * messages, SSE data in the browser, stored session files. Each schema is
 * checked against its hand-written type so the two cannot drift.
 */
import * as z from 'zod'; // namespace import: lets esbuild drop zod's locales from the webview bundle (~370 kB)
import { ERROR_CODES, FINISH_REASONS, PHASES, TURN_STATUSES, type GatewayEvent, type Usage } from './events';
import type { ModelInfo } from './models';
import { MESSAGE_STATUSES, SESSION_ID_RE, type ChatMessage, type Session, type SessionSummary } from './session';

const nonNegInt = z.number().int().nonnegative();
const num = z.number().refine(Number.isFinite, 'must be finite');

export const sessionIdSchema = z.string().regex(SESSION_ID_RE, 'invalid session id');
/** Message ids share the session-id shape. */
export const messageIdSchema = sessionIdSchema;

export const usageSchema = z.object({
  prompt_tokens: nonNegInt,
  completion_tokens: nonNegInt,
  total_tokens: nonNegInt,
  cost_usd: num,
  tokens_per_second: num.nullable(),
  time_to_first_token_ms: num.nullable(),
  load_ms: num.nullable(),
  context_window: nonNegInt.nullable(),
  context_used: nonNegInt,
  truncated: z.boolean(),
  dropped_messages: nonNegInt.optional(),
  prompt_tokens_estimate: nonNegInt.optional(),
}) satisfies z.ZodType<Usage>;

export const gatewayEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('status_update'),
    status: z.enum(TURN_STATUSES),
    phase: z.enum(PHASES).optional(),
    session_id: z.string().optional(),
    message_id: z.string().optional(),
    elapsed_ms: num.optional(),
  }),
  z.object({ type: z.literal('thinking'), content: z.string() }),
  z.object({ type: z.literal('token'), content: z.string() }),
  usageSchema.extend({ type: z.literal('usage') }),
  z.object({ type: z.literal('error'), code: z.enum(ERROR_CODES), message: z.string(), retryable: z.boolean() }),
  z.object({
    type: z.literal('done'),
    session_id: z.string(),
    message_id: z.string(),
    finish_reason: z.enum(FINISH_REASONS),
  }),
]) satisfies z.ZodType<GatewayEvent>;

export const modelInfoSchema = z.object({
  name: z.string().min(1),
  size: num,
  family: z.string().optional(),
  parameter_size: z.string().optional(),
  quantization: z.string().optional(),
  modified_at: z.string().optional(),
  capabilities: z.array(z.string()).optional(),
  context_length: nonNegInt.optional(),
  loaded: z.boolean().optional(),
  loaded_context_length: nonNegInt.optional(),
}) satisfies z.ZodType<ModelInfo>;

export const chatMessageSchema = z.object({
  id: z.string().min(1),
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
  thinking: z.string().optional(),
  status: z.enum(MESSAGE_STATUSES),
  created_at: num,
  model: z.string().optional(),
  usage: usageSchema.optional(),
  finish_reason: z.enum(FINISH_REASONS).optional(),
  error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }).optional(),
}) satisfies z.ZodType<ChatMessage>;

export const sessionSchema = z.object({
  id: sessionIdSchema,
  title: z.string(),
  model: z.string().optional(),
  workspace: z.string().optional(),
  created_at: num,
  updated_at: num,
  messages: z.array(chatMessageSchema),
}) satisfies z.ZodType<Session>;

export const sessionSummarySchema = z.object({
  id: sessionIdSchema,
  title: z.string(),
  model: z.string().optional(),
  workspace: z.string().optional(),
  created_at: num,
  updated_at: num,
  status: z.enum([...MESSAGE_STATUSES, 'empty']),
  message_count: nonNegInt,
}) satisfies z.ZodType<SessionSummary>;
