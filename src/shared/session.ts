/**
 * Sessions, their messages and the rules every store follows (titles, summaries,
 * recovery of interrupted replies, which sessions pruning removes). The zod
 * schemas are the source of truth; the types are derived from them. The stores
 * (files for the gateway and, under globalStorageUri, for the extension) keep
 * only how they persist.
 */
import * as z from 'zod'; // namespace import: lets esbuild drop zod's locales from the webview bundle
import { ATTACHMENT_KINDS, upgradeStoredAttachment, type AttachmentKind } from './attachmentKinds';
import { applyStateSchema, blockKeySchema } from './codeBlocks';
import { MAX_ATTACHMENT_CHARS } from './contextRules';
import { errorCodeSchema, FINISH_REASONS, usageSchema, type FinishReason } from './events';

/** Session ids are ours: lowercase letters, digits and dashes, so they are safe as file names. */
export const SESSION_ID_RE = /^[a-z0-9][a-z0-9-]{7,63}$/;
export function isValidSessionId(id: unknown): id is string {
  return typeof id === 'string' && SESSION_ID_RE.test(id);
}
export const sessionIdSchema = z.string().regex(SESSION_ID_RE, 'invalid session id');
/** Message ids share the session-id shape. */
export const messageIdSchema = sessionIdSchema;

export type Role = 'system' | 'user' | 'assistant';

/** A reply's life: streaming until it ends one of the other ways. */
export const MESSAGE_STATUSES = ['complete', 'streaming', 'stopped', 'error', 'interrupted'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** The status a reply ends with, given how its turn finished. */
export function statusForFinish(reason: FinishReason): MessageStatus {
  switch (reason) {
    case 'stop':
    case 'length':
      return 'complete';
    case 'cancelled':
      return 'stopped';
    case 'error':
      return 'error';
  }
}

const finite = z.number().refine(Number.isFinite, 'must be finite');
const nonNegInt = z.number().int().nonnegative();

/** Caps on what one message may carry: generous, not a context-window check. */
export const MAX_ATTACHMENTS = 50;
export { MAX_ATTACHMENT_CHARS };

/** The kinds, from their registry (attachmentKinds.ts): the persisted strings of old sessions load as before. */
export { ATTACHMENT_KINDS, type AttachmentKind };

/**
 * A typed part of a user message beside its text: code or diagnostics the user
 * chose to give the model. Stored with the message, shown as a chip, and sent
 * to the model in one format (attachments.ts).
 */
export const attachmentSchema = z.preprocess(
  upgradeStoredAttachment,
  z.object({
    kind: z.enum(ATTACHMENT_KINDS),
    /** What the chip shows, e.g. the file name. */
    name: z.string().min(1).max(500),
    /** Workspace-relative path, when the content comes from a workspace file. */
    path: z.string().max(4096).optional(),
    /** The resource to open when the chip is clicked (a URI string; VS Code only). */
    uri: z.string().max(8192).optional(),
    /** A language id or fence name (typescript, python…). */
    language: z.string().max(100).optional(),
    /** 1-based inclusive line range when only part of the file is attached. */
    range: z.object({ startLine: z.number().int().min(1), endLine: z.number().int().min(1) }).optional(),
    content: z.string().max(MAX_ATTACHMENT_CHARS),
    /** Set when the content was cut to fit the context window: how long it was (characters, and lines when cut at lines). */
    truncated: z.object({ originalChars: nonNegInt, originalLines: nonNegInt.optional() }).optional(),
  }),
);
export type Attachment = z.infer<typeof attachmentSchema>;

export const chatMessageSchema = z.object({
  id: z.string().min(1),
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
  /** Context the user attached (user messages only). */
  attachments: z.array(attachmentSchema).max(MAX_ATTACHMENTS).optional(),
  /** Reasoning text of thinking models, kept apart from the answer. */
  thinking: z.string().optional(),
  status: z.enum(MESSAGE_STATUSES),
  /** Epoch milliseconds. */
  created_at: finite,
  model: z.string().optional(),
  usage: usageSchema.optional(),
  finish_reason: z.enum(FINISH_REASONS).optional(),
  error: z.object({ code: errorCodeSchema, message: z.string() }).optional(),
  /**
   * What became of this reply's code blocks the user applied, by block key
   * (codeBlocks.ts). A mark that does not read is dropped: it must never cost the transcript.
   */
  applied: z.record(blockKeySchema, applyStateSchema).catch(() => ({})).optional(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

/** What a session and its summary share. */
const sessionHeadSchema = z.object({
  id: sessionIdSchema,
  title: z.string(),
  model: z.string().optional(),
  /** The workspace the session was started in (a folder URI or path); absent in the browser. */
  workspace: z.string().optional(),
  created_at: finite,
  updated_at: finite,
});

export const sessionSchema = sessionHeadSchema.extend({ messages: z.array(chatMessageSchema) });
export type Session = z.infer<typeof sessionSchema>;

/** The status of a session, as its last assistant message's. */
export const SESSION_STATUSES = [...MESSAGE_STATUSES, 'empty'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const sessionSummarySchema = sessionHeadSchema.extend({
  status: z.enum(SESSION_STATUSES),
  message_count: nonNegInt,
});
export type SessionSummary = z.infer<typeof sessionSummarySchema>;

// ------------------------------------------------------------------ the rules

/** The title of a session nobody has asked anything in yet. */
export const DEFAULT_TITLE = 'New chat';

export function summarize(s: Session): SessionSummary {
  let status: SessionStatus = 'empty';
  for (let i = s.messages.length - 1; i >= 0; i--) {
    const m = s.messages[i]!;
    if (m.role === 'assistant') {
      status = m.status;
      break;
    }
  }
  return {
    id: s.id,
    title: s.title,
    ...(s.model !== undefined ? { model: s.model } : {}),
    ...(s.workspace !== undefined ? { workspace: s.workspace } : {}),
    created_at: s.created_at,
    updated_at: s.updated_at,
    status,
    message_count: s.messages.length,
  };
}

/** A short title from the first user message (code blocks left out). */
export function titleFrom(content: string, max = 60): string {
  const line = content.replace(/```[\s\S]*?(```|$)/g, ' ').replace(/\s+/g, ' ').trim();
  const text = line || content.replace(/\s+/g, ' ').trim() || DEFAULT_TITLE;
  return text.length > max ? text.slice(0, max - 1).trimEnd() + '…' : text;
}

/** A title the user typed: trimmed, never empty. */
export function cleanTitle(title: string): string {
  return title.trim() || DEFAULT_TITLE;
}

/** True while a session still has the default title and no question: its first question names it. */
export function takesTitleFromFirstQuestion(s: Pick<Session, 'title' | 'messages'>): boolean {
  return s.title === DEFAULT_TITLE && !s.messages.some((m) => m.role === 'user');
}

/** Whether a session has a reply being written (by this process or another). */
export function isStreaming(s: Pick<Session, 'messages'>): boolean {
  return s.messages.some((m) => m.status === 'streaming');
}

/** Who left a reply unfinished, for the message a recovered reply shows. */
export type InterruptedBy = 'gateway' | 'editor';

const INTERRUPTED_TEXT: Record<InterruptedBy, string> = {
  gateway: 'The gateway stopped before this reply finished.',
  editor: 'VS Code closed or the extension host stopped before this reply finished.',
};

/** The change recovery makes to a reply left "streaming" by a process that is gone. */
export function interruptedPatch(by: InterruptedBy): Pick<ChatMessage, 'status' | 'finish_reason' | 'error'> {
  return { status: 'interrupted', finish_reason: 'error', error: { code: 'interrupted', message: INTERRUPTED_TEXT[by] } };
}

/**
 * Every session pruning may take, the least recently updated first: never a
 * protected one (sessions just created, ones still streaming).
 */
export function pruneCandidates(summaries: Iterable<SessionSummary>, protectedIds: ReadonlySet<string> = new Set()): SessionSummary[] {
  return [...summaries].filter((s) => !protectedIds.has(s.id) && s.status !== 'streaming').sort((a, b) => a.updated_at - b.updated_at || (a.id < b.id ? -1 : 1));
}

/** What a new session starts with; `messages` (its first question) makes the session and the question one durable write. */
export interface SessionInit {
  title?: string;
  model?: string;
  workspace?: string;
  id?: string;
  messages?: ChatMessage[];
}

/**
 * The store both the standalone gateway (files under HEARTH_DATA_DIR) and the
 * extension (the same files under globalStorageUri) implement.
 * Every mutation is durable when its promise resolves.
 */
/**
 * What a store tells the pages that show its sessions: a change that did not come
 * from the page's own turn (whose writes the turn reports itself), so a reply's
 * saves fire nothing.
 * - added: created by another process (this one's creates are told by the turn that uses them);
 * - renamed: its title changed;
 * - changed: written by another process (another VS Code window) or by start-up
 *   recovery: whoever shows it reads it again;
 * - deleted: deleted, pruned to the trash, or gone from the folder.
 */
export type SessionStoreChange = { type: 'added' | 'renamed' | 'changed' | 'deleted'; ids: string[] };

export interface SessionStore {
  /** Subscribes to the store's changes (stores that cannot tell leave it out). */
  onDidChange?(listener: (change: SessionStoreChange) => void): { dispose(): void };
  list(): Promise<SessionSummary[]>;
  get(id: string): Promise<Session | undefined>;
  create(init: SessionInit): Promise<Session>;
  appendMessage(sessionId: string, message: ChatMessage): Promise<void>;
  updateMessage(sessionId: string, messageId: string, patch: Partial<Omit<ChatMessage, 'id' | 'role'>>): Promise<void>;
  /** Removes the messages from messageId (inclusive) to the end: for regenerate / edit-and-resend. */
  truncateFrom(sessionId: string, messageId: string): Promise<void>;
  rename(id: string, title: string): Promise<void>;
  setModel(id: string, model: string): Promise<void>;
  delete(id: string): Promise<boolean>;
  /** Marks replies still "streaming" (from a crashed process) as "interrupted"; returns how many. */
  recoverInterrupted(): Promise<number>;
}
