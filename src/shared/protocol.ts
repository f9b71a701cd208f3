/**
 * The host <-> webview protocol. One typed union per direction; both sides
 * validate every message on arrival (a webview is a trust boundary, and so is
 * whatever a host sends back). The zod schemas are the source of truth; the
 * types are derived from them.
 *
 * One conversation core (src/core) answers every WebviewToHost message, whether
 * it arrived over postMessage (VS Code) or over HTTP (the standalone gateway's
 * browser UI). Host capabilities tell the UI which editor-only actions exist.
 */
import * as z from 'zod'; // namespace import: lets esbuild drop zod's locales from the webview bundle (~370 kB)
import { applyStateSchema, blockKeySchema } from './codeBlocks';
import { gatewayEventSchema } from './events';
import { modelInfoSchema, pullProgressSchema } from './models';
import { ATTACHMENT_KINDS, attachmentSchema, chatMessageSchema, MAX_ATTACHMENTS, messageIdSchema, sessionIdSchema, sessionSchema, sessionSummarySchema } from './session';

/** Limits on what a webview may send: a generous cap, not a context-window check. */
export const MAX_MESSAGE_CHARS = 1_000_000;
export const MAX_TITLE_CHARS = 200;
export const MAX_URL_CHARS = 8_192;

// ---------------------------------------------------------------- webview -> host

const text = z.string().max(MAX_MESSAGE_CHARS);
const question = text.refine((s) => s.trim().length > 0, 'empty message');
const modelName = z.string().min(1).max(500);
const attachments = z.array(attachmentSchema).max(MAX_ATTACHMENTS);
/** The page's answer to "it does not fit": send the attachments cut (src/shared/fit.ts), each marked as cut. */
const cutToFit = z.literal(true).optional();
const lineRange = z.object({ startLine: z.number().int().min(1), endLine: z.number().int().min(1) });
/**
 * Names a page request; the host answers it with one `reply` of the same id. A
 * message without one (a command, a test driving the host) gets its outcome as
 * a notice instead.
 */
const requestId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional();

/** Something the `@` picker offers; the page names it back by `id` only, so it can add nothing it was not offered. */
export const contextCandidateSchema = z.object({
  id: z.string().min(1).max(100),
  kind: z.enum(ATTACHMENT_KINDS),
  /** What the row shows: a file name, "Problems in the current file"… */
  label: z.string().max(500),
  /** The folder, a count of problems… */
  description: z.string().max(4096).optional(),
});
export type ContextCandidate = z.infer<typeof contextCandidateSchema>;

/** What the composer needs to count, fit and offer context. */
export const contextStateSchema = z.object({
  /** hearth.contextLength (0 = the model's own, as the engine decides). */
  contextLength: z.number().int().nonnegative(),
  /** Tokens every prompt spends before the question (the system prompt). */
  reservedTokens: z.number().int().nonnegative(),
  /** The size cap for a file the page reads itself (the browser's attach button). */
  maxFileKB: z.number().int().positive(),
  /** The host offers workspace files (the `@` picker, the current file): VS Code. */
  workspace: z.boolean(),
  /** hearth.context.includeCurrentFile: the current file goes with every question (as a visible chip). */
  includeCurrentFile: z.boolean(),
  /** The file in the editor, offered as a one-click chip; its attachment when it goes with every question. */
  currentFile: z
    .object({
      candidate: contextCandidateSchema,
      uri: z.string().max(8192),
      attachment: attachmentSchema.optional(),
      /** Why it cannot be attached (too large, binary), said on the chip. */
      problem: z.string().max(1000).optional(),
    })
    .optional(),
  /** While the codebase index builds, a line the panel shows ("Indexing 1,204 / 2,355 files"). */
  indexing: z.string().max(200).optional(),
  /**
   * The `@` words this host's picker offers, when it offers only those (a browser tab: `codebase`),
   * so the page opens the picker without workspace files and hints at them; absent: `workspace` decides.
   */
  mentions: z.array(z.enum(ATTACHMENT_KINDS)).max(20).optional(),
});
export type ContextState = z.infer<typeof contextStateSchema>;

export const webviewToHostSchema = z.discriminatedUnion('type', [
  /** The page is up and wants a snapshot; `sessionId` asks to open that session (a browser link). */
  z.strictObject({ type: z.literal('ready'), sessionId: sessionIdSchema.optional() }),
  z.strictObject({
    type: z.literal('send'),
    requestId,
    content: question,
    model: modelName.optional(),
    sessionId: sessionIdSchema.optional(),
    attachments: attachments.optional(),
    cutToFit,
  }),
  z.strictObject({ type: z.literal('cancel') }),
  z.strictObject({ type: z.literal('newChat') }),
  z.strictObject({ type: z.literal('regenerate') }),
  z.strictObject({ type: z.literal('editLast'), requestId, content: question, attachments: attachments.optional(), cutToFit }),
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
  /** Apply a code block of a reply in the open chat (VS Code: reviewed as a diff first). */
  z.strictObject({ type: z.literal('applyCode'), requestId, messageId: messageIdSchema, code: text }),
  z.strictObject({ type: z.literal('openLink'), url: z.string().max(MAX_URL_CHARS) }),
  z.strictObject({ type: z.literal('openSettings') }),
  z.strictObject({ type: z.literal('pullModel'), model: modelName }),
  z.strictObject({ type: z.literal('cancelPull') }),
  /** The `@` picker's text changed: the reply holds the candidates. */
  z.strictObject({ type: z.literal('contextSearch'), requestId, query: z.string().max(200) }),
  /** Add what the host offered under this id (a file, problems, the selection, the current file); the reply holds the chips. */
  z.strictObject({ type: z.literal('contextAdd'), requestId, id: z.string().min(1).max(100) }),
  /** A chip was clicked: open its file at its lines. */
  z.strictObject({ type: z.literal('openAttachment'), uri: z.string().max(8192), range: lineRange.optional() }),
]);
export type WebviewToHost = z.infer<typeof webviewToHostSchema>;
export type WebviewMessageType = WebviewToHost['type'];

// ---------------------------------------------------------------- requests and their replies

const count = z.number().int().nonnegative();
const reason = z.string().max(4000);

/** What became of an Apply: the user's decision, or why nothing was proposed. */
export const applyOutcomeSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('applied') }),
  z.object({ status: z.literal('rejected') }),
  /** The review was closed without a decision, or replaced by a newer one. */
  z.object({ status: z.literal('dismissed') }),
  /** Nothing was proposed; `message` says why. */
  z.object({ status: z.literal('failed'), message: reason }),
]);
export type ApplyOutcome = z.infer<typeof applyOutcomeSchema>;

/** Each kind of answer once; REPLY_SCHEMAS says which a request may get. */
const accepted = z.object({ kind: z.literal('accepted'), sessionId: sessionIdSchema, messageId: messageIdSchema });
/** Not done, and why (no model chosen, a reply still streaming, a file that cannot be read…). */
const refused = z.object({ kind: z.literal('refused'), reason });
/**
 * Not sent: the question with its attachments (as read again just now) does not
 * fit the context window. The page offers a cut version. `attachments` only when
 * reading again changed one: the page keeps what it sent otherwise (a page's
 * megabytes are not echoed back to it).
 */
const doesNotFit = z.object({ kind: z.literal('doesNotFit'), attachments: attachments.optional(), report: z.object({ window: count, budget: count, used: count }) });
const candidates = z.object({ kind: z.literal('candidates'), items: z.array(contextCandidateSchema).max(200) });
const added = z.object({ kind: z.literal('added'), attachments });
const applyOutcome = z.object({ kind: z.literal('applyOutcome'), outcome: applyOutcomeSchema });
/** The host failed while doing it; nothing is known to have happened. */
const failed = z.object({ kind: z.literal('error'), message: reason });

export const replyResultSchema = z.discriminatedUnion('kind', [accepted, refused, doesNotFit, candidates, added, applyOutcome, failed]);
export type ReplyResult = z.infer<typeof replyResultSchema>;

const turnReply = z.discriminatedUnion('kind', [accepted, refused, doesNotFit, failed]);
/**
 * The page messages that are requests, each with the replies it may get (the
 * page checks a reply against its request's schema). A new request: add its
 * message above (with `requestId`) and its line here; the core's handler table
 * does not compile until it answers it.
 */
export const REPLY_SCHEMAS = {
  send: turnReply,
  editLast: turnReply,
  contextSearch: z.discriminatedUnion('kind', [candidates, failed]),
  contextAdd: z.discriminatedUnion('kind', [added, refused, failed]),
  applyCode: z.discriminatedUnion('kind', [applyOutcome, failed]),
} satisfies Partial<Record<WebviewMessageType, z.ZodType<ReplyResult>>>;
export type RequestType = keyof typeof REPLY_SCHEMAS;
export type PageRequest = Extract<WebviewToHost, { type: RequestType }>;
export type RequestOf<T extends RequestType> = Extract<WebviewToHost, { type: T }>;
export type ReplyOf<T extends RequestType> = z.infer<(typeof REPLY_SCHEMAS)[T]>;
export type TurnReply = z.infer<typeof turnReply>;

export function isRequest(m: WebviewToHost): m is PageRequest {
  return Object.hasOwn(REPLY_SCHEMAS, m.type);
}

// ---------------------------------------------------------------- host -> webview

/**
 * How the UI names the server ("Ollama", "The model server") and what it advises
 * when nothing answers, in its provider's words ("start it with `ollama serve`");
 * absent: neutral wording.
 */
const server = { server: z.string().max(100).optional(), startHint: z.string().max(300).optional() };
export const connectionSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('unknown'), url: z.string(), ...server }),
  z.object({ status: z.literal('ok'), url: z.string(), version: z.string().optional(), ...server }),
  z.object({ status: z.literal('unreachable'), url: z.string(), error: z.string(), ...server }),
]);
export type ConnectionState = z.infer<typeof connectionSchema>;

export const hostCapabilitiesSchema = z.object({
  /** Insert at cursor / open in a new editor / apply as a diff exist (VS Code only). */
  editor: z.boolean(),
  /** Pulling models is offered (the provider can pull). */
  pull: z.boolean(),
  /**
   * The host draws New chat and History in its own title bar (VS Code's view title
   * actions), so the page does not repeat them. Absent: the page shows its own.
   */
  titleActions: z.boolean().optional(),
});
export type HostCapabilities = z.infer<typeof hostCapabilitiesSchema>;

export const snapshotSchema = z.object({
  sessions: z.array(sessionSummarySchema),
  /** The open session, or null for a fresh chat. */
  current: sessionSchema.nullable(),
  models: z.array(modelInfoSchema),
  /** The chosen model; may be absent when none is chosen and none is installed. */
  selectedModel: z.string().optional(),
  connection: connectionSchema,
  /** The reply being streamed right now, if any. */
  streaming: z.object({ sessionId: z.string(), messageId: z.string() }).optional(),
  /** The current workspace, so the history can list its sessions first. */
  workspace: z.string().optional(),
  capabilities: hostCapabilitiesSchema,
  /** Counting and offering context (absent from an older host: the page assumes defaults). */
  context: contextStateSchema.optional(),
});
export type Snapshot = z.infer<typeof snapshotSchema>;

const noticeLevel = z.enum(['info', 'warning', 'error']);

export const hostToWebviewSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('snapshot'), state: snapshotSchema }),
  z.object({ type: z.literal('sessions'), sessions: z.array(sessionSummarySchema) }),
  z.object({ type: z.literal('session'), session: sessionSchema.nullable() }),
  z.object({ type: z.literal('models'), models: z.array(modelInfoSchema), selectedModel: z.string().optional() }),
  z.object({ type: z.literal('connection'), connection: connectionSchema }),
  z.object({ type: z.literal('turnStarted'), sessionId: sessionIdSchema, userMessage: chatMessageSchema, assistantMessage: chatMessageSchema }),
  z.object({ type: z.literal('event'), sessionId: sessionIdSchema, messageId: messageIdSchema, event: gatewayEventSchema }),
  z.object({ type: z.literal('pullProgress'), model: z.string(), progress: pullProgressSchema }),
  z.object({ type: z.literal('pullDone'), model: z.string(), error: z.string().optional() }),
  z.object({ type: z.literal('notice'), level: noticeLevel, message: z.string() }),
  /** Focus the message box; `prefill` fills it when it is empty (a command's question that did not fit comes back this way). */
  z.object({ type: z.literal('focusInput'), prefill: z.string().optional() }),
  /** A code block of a reply was applied or rejected (also stored with the reply, `ChatMessage.applied`). */
  z.object({ type: z.literal('applyState'), sessionId: sessionIdSchema, messageId: messageIdSchema, key: blockKeySchema, state: applyStateSchema }),
  /** The answer to the page request of this id (see REPLY_SCHEMAS for what each request may get). */
  z.object({ type: z.literal('reply'), requestId: z.number().int().nonnegative(), result: replyResultSchema }),
  /** Chips to add to the question being written (picked, or added by a command). */
  z.object({ type: z.literal('attachmentsAdded'), attachments }),
  z.object({ type: z.literal('contextState'), state: contextStateSchema }),
  /** Open the history list (the "Show History" command / view title button). */
  z.object({ type: z.literal('showHistory') }),
  /**
   * Effects only the page itself can perform (a browser tab: its clipboard, a
   * download, a new tab). The VS Code host never sends these; it does them itself.
   */
  z.object({ type: z.literal('pageEffect'), effect: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('copy'), text: z.string() }),
    z.object({ kind: z.literal('download'), fileName: z.string().max(200), text: z.string() }),
    z.object({ kind: z.literal('openUrl'), url: z.string().max(MAX_URL_CHARS) }),
  ]) }),
]);
export type HostToWebview = z.infer<typeof hostToWebviewSchema>;
export type PageEffect = Extract<HostToWebview, { type: 'pageEffect' }>['effect'];

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

/** A reply checked against what its request may get (a reply of the wrong kind is a host bug, not an answer). */
export function parseReply<T extends RequestType>(type: T, result: unknown): ParseResult<ReplyOf<T>> {
  return parseWith(REPLY_SCHEMAS[type] as unknown as z.ZodType<ReplyOf<T>>, result);
}
