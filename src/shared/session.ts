import type { ErrorCode, FinishReason, Usage } from './events';

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

export interface ChatMessage {
  id: string;
  role: Role;
  content: string;
  /** Reasoning text of thinking models, kept apart from the answer. */
  thinking?: string;
  status: MessageStatus;
  /** Epoch milliseconds. */
  created_at: number;
  model?: string;
  usage?: Usage;
  finish_reason?: FinishReason;
  error?: { code: ErrorCode; message: string };
}

export interface Session {
  id: string;
  title: string;
  model?: string;
  /** The workspace the session was started in (a folder URI or path); absent in the browser. */
  workspace?: string;
  created_at: number;
  updated_at: number;
  messages: ChatMessage[];
}

/** The status of a session, as its last assistant message's. */
export type SessionStatus = MessageStatus | 'empty';

export interface SessionSummary {
  id: string;
  title: string;
  model?: string;
  workspace?: string;
  created_at: number;
  updated_at: number;
  status: SessionStatus;
  message_count: number;
}

/** Session ids are ours: lowercase letters, digits and dashes, so they are safe as file names. */
export const SESSION_ID_RE = /^[a-z0-9][a-z0-9-]{7,63}$/;
export function isValidSessionId(id: unknown): id is string {
  return typeof id === 'string' && SESSION_ID_RE.test(id);
}

export function summarize(s: Session): SessionSummary {
  const lastAssistant = [...s.messages].reverse().find((m) => m.role === 'assistant');
  return {
    id: s.id,
    title: s.title,
    model: s.model,
    workspace: s.workspace,
    created_at: s.created_at,
    updated_at: s.updated_at,
    status: lastAssistant ? lastAssistant.status : 'empty',
    message_count: s.messages.length,
  };
}

/** A short title from the first user message. */
export function titleFrom(content: string, max = 60): string {
  const line = content.replace(/```[\s\S]*?(```|$)/g, ' ').replace(/\s+/g, ' ').trim();
  const text = line || content.replace(/\s+/g, ' ').trim() || 'New chat';
  return text.length > max ? text.slice(0, max - 1).trimEnd() + '…' : text;
}

/**
 * The store both the standalone gateway (files under HEARTH_DATA_DIR) and the
 * extension (globalState index + files under globalStorageUri) implement.
 * Every mutation is durable when its promise resolves.
 */
export interface SessionStore {
  list(): Promise<SessionSummary[]>;
  get(id: string): Promise<Session | undefined>;
  create(init: { title?: string; model?: string; workspace?: string; id?: string }): Promise<Session>;
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
