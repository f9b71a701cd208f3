/**
 * The host <-> webview protocol. One typed union per direction; both sides
 * validate every message on arrival with the schemas below (a webview is a
 * trust boundary, and so is whatever a host sends back).
 *
 * The same UI talks to two hosts: the VS Code extension (postMessage) and the
 * standalone gateway (fetch + SSE). Host capabilities tell the UI which
 * editor-only actions (insert at cursor, open in editor) exist.
 */
import * as z from 'zod'; // namespace import: lets esbuild drop zod's locales from the webview bundle (~370 kB)
import type { GatewayEvent } from './events';
import type { ModelInfo, PullProgress } from './models';
import type { ChatMessage, Session, SessionSummary } from './session';
import {
  chatMessageSchema,
  gatewayEventSchema,
  messageIdSchema,
  modelInfoSchema,
  sessionIdSchema,
  sessionSchema,
  sessionSummarySchema,
} from './schemas';

/** Limits on what a webview may send: a generous cap, not a context-window check. */
export const MAX_MESSAGE_CHARS = 1_000_000;
export const MAX_TITLE_CHARS = 200;
export const MAX_URL_CHARS = 8_192;

// ---------------------------------------------------------------- webview -> host

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'send'; content: string; model?: string; sessionId?: string }
  | { type: 'cancel' }
  | { type: 'newChat' }
  | { type: 'regenerate' }
  | { type: 'editLast'; content: string }
  | { type: 'selectModel'; model: string }
  | { type: 'refreshModels' }
  | { type: 'retryConnection' }
  | { type: 'openSession'; sessionId: string }
  | { type: 'deleteSession'; sessionId: string }
  | { type: 'renameSession'; sessionId: string; title: string }
  | { type: 'exportSession'; sessionId: string }
  | { type: 'copy'; text: string }
  | { type: 'insertCode'; code: string }
  | { type: 'openInEditor'; code: string; language?: string }
  | { type: 'openLink'; url: string }
  | { type: 'openSettings' }
  | { type: 'pullModel'; model: string }
  | { type: 'cancelPull' };

const text = z.string().max(MAX_MESSAGE_CHARS);
const modelName = z.string().min(1).max(500);

export const webviewToHostSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({
    type: z.literal('send'),
    content: text.refine((s) => s.trim().length > 0, 'empty message'),
    model: modelName.optional(),
    sessionId: sessionIdSchema.optional(),
  }),
  z.strictObject({ type: z.literal('cancel') }),
  z.strictObject({ type: z.literal('newChat') }),
  z.strictObject({ type: z.literal('regenerate') }),
  z.strictObject({ type: z.literal('editLast'), content: text.refine((s) => s.trim().length > 0, 'empty message') }),
  z.strictObject({ type: z.literal('selectModel'), model: modelName }),
  z.strictObject({ type: z.literal('refreshModels') }),
  z.strictObject({ type: z.literal('retryConnection') }),
  z.strictObject({ type: z.literal('openSession'), sessionId: sessionIdSchema }),
  z.strictObject({ type: z.literal('deleteSession'), sessionId: sessionIdSchema }),
  z.strictObject({ type: z.literal('renameSession'), sessionId: sessionIdSchema, title: z.string().trim().min(1).max(MAX_TITLE_CHARS) }),
  z.strictObject({ type: z.literal('exportSession'), sessionId: sessionIdSchema }),
  z.strictObject({ type: z.literal('copy'), text }),
  z.strictObject({ type: z.literal('insertCode'), code: text }),
  z.strictObject({ type: z.literal('openInEditor'), code: text, language: z.string().max(100).optional() }),
  z.strictObject({ type: z.literal('openLink'), url: z.string().max(MAX_URL_CHARS) }),
  z.strictObject({ type: z.literal('openSettings') }),
  z.strictObject({ type: z.literal('pullModel'), model: modelName }),
  z.strictObject({ type: z.literal('cancelPull') }),
]) satisfies z.ZodType<WebviewToHost>;

// ---------------------------------------------------------------- host -> webview

export type ConnectionState =
  | { status: 'unknown'; url: string }
  | { status: 'ok'; url: string; version?: string }
  | { status: 'unreachable'; url: string; error: string };

export interface HostCapabilities {
  /** Insert at cursor / open in a new editor exist (VS Code only). */
  editor: boolean;
  /** Pulling models is offered. */
  pull: boolean;
}

export interface Snapshot {
  sessions: SessionSummary[];
  /** The open session, or null for a fresh chat. */
  current: Session | null;
  models: ModelInfo[];
  /** The chosen model; may be absent when none is chosen and none is installed. */
  selectedModel?: string;
  connection: ConnectionState;
  /** The reply being streamed right now, if any. */
  streaming?: { sessionId: string; messageId: string };
  /** The current workspace, so the history can list its sessions first. */
  workspace?: string;
  capabilities: HostCapabilities;
}

export type HostToWebview =
  | { type: 'snapshot'; state: Snapshot }
  | { type: 'sessions'; sessions: SessionSummary[] }
  | { type: 'session'; session: Session | null }
  | { type: 'models'; models: ModelInfo[]; selectedModel?: string }
  | { type: 'connection'; connection: ConnectionState }
  | { type: 'turnStarted'; sessionId: string; userMessage: ChatMessage; assistantMessage: ChatMessage }
  | { type: 'event'; sessionId: string; messageId: string; event: GatewayEvent }
  | { type: 'pullProgress'; model: string; progress: PullProgress }
  | { type: 'pullDone'; model: string; error?: string }
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string }
  | { type: 'focusInput'; prefill?: string }
  /** Open the history list (the "Show History" command / view title button). */
  | { type: 'showHistory' };

const connectionSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('unknown'), url: z.string() }),
  z.object({ status: z.literal('ok'), url: z.string(), version: z.string().optional() }),
  z.object({ status: z.literal('unreachable'), url: z.string(), error: z.string() }),
]) satisfies z.ZodType<ConnectionState>;

const pullProgressSchema = z.object({
  status: z.string(),
  digest: z.string().optional(),
  total: z.number().optional(),
  completed: z.number().optional(),
}) satisfies z.ZodType<PullProgress>;

export const snapshotSchema = z.object({
  sessions: z.array(sessionSummarySchema),
  current: sessionSchema.nullable(),
  models: z.array(modelInfoSchema),
  selectedModel: z.string().optional(),
  connection: connectionSchema,
  streaming: z.object({ sessionId: z.string(), messageId: z.string() }).optional(),
  workspace: z.string().optional(),
  capabilities: z.object({ editor: z.boolean(), pull: z.boolean() }),
}) satisfies z.ZodType<Snapshot>;

export const hostToWebviewSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('snapshot'), state: snapshotSchema }),
  z.object({ type: z.literal('sessions'), sessions: z.array(sessionSummarySchema) }),
  z.object({ type: z.literal('session'), session: sessionSchema.nullable() }),
  z.object({ type: z.literal('models'), models: z.array(modelInfoSchema), selectedModel: z.string().optional() }),
  z.object({ type: z.literal('connection'), connection: connectionSchema }),
  z.object({
    type: z.literal('turnStarted'),
    sessionId: sessionIdSchema,
    userMessage: chatMessageSchema,
    assistantMessage: chatMessageSchema,
  }),
  z.object({ type: z.literal('event'), sessionId: sessionIdSchema, messageId: messageIdSchema, event: gatewayEventSchema }),
  z.object({ type: z.literal('pullProgress'), model: z.string(), progress: pullProgressSchema }),
  z.object({ type: z.literal('pullDone'), model: z.string(), error: z.string().optional() }),
  z.object({ type: z.literal('notice'), level: z.enum(['info', 'warning', 'error']), message: z.string() }),
  z.object({ type: z.literal('focusInput'), prefill: z.string().optional() }),
  z.object({ type: z.literal('showHistory') }),
]) satisfies z.ZodType<HostToWebview>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

function parseWith<T>(schema: z.ZodType<T>, raw: unknown): ParseResult<T> {
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  return { ok: false, error: issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid message' };
}

/** Never throws: anything that is not a valid message is reported, not acted on. */
export function parseWebviewMessage(raw: unknown): ParseResult<WebviewToHost> {
  return parseWith(webviewToHostSchema, raw);
}

export function parseHostMessage(raw: unknown): ParseResult<HostToWebview> {
  return parseWith(hostToWebviewSchema, raw);
}
