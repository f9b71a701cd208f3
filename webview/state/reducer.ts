import { attachmentKind } from '../../src/shared/attachmentKinds';
import type { GatewayEvent } from '../../src/shared/events';
import type { HostToWebview } from '../../src/shared/protocol';
import { foldEvent } from '../../src/shared/fold';
import { titleFrom, type Attachment, type Session } from '../../src/shared/session';
import type { AppState } from './types';

/** Things the UI itself does to its state before the host answers (optimistic updates). */
export type LocalAction =
  | { type: 'local/newChat' }
  | { type: 'local/regenerate' }
  | { type: 'local/editLast' }
  | { type: 'local/selectModel'; model: string }
  | { type: 'local/dismissNotice'; id: number }
  | { type: 'local/deleteSession'; sessionId: string }
  | { type: 'local/renameSession'; sessionId: string; title: string }
  /** Chips the page made itself (files picked or dropped in the browser). */
  | { type: 'local/addAttachments'; attachments: Attachment[] }
  | { type: 'local/removeAttachment'; index: number }
  /** Replaces every chip (cleared on send, given back on a refusal, loaded for edit-and-resend). */
  | { type: 'local/setAttachments'; attachments: Attachment[] }
  /** A notice the page raises itself (a file it could not read). */
  | { type: 'local/notice'; level: 'info' | 'warning' | 'error'; message: string };

let noticeSeq = 0;

/** Same chip, by its kind's rule (attachmentKinds.ts): same file and lines (or, without a file, same name and content), or same name. */
function sameChip(a: Attachment, b: Attachment): boolean {
  if (a.kind !== b.kind) return false;
  const identity = attachmentKind(a.kind).identity;
  if (identity === 'name') return a.name === b.name;
  if (a.uri || b.uri) return a.uri === b.uri && a.range?.startLine === b.range?.startLine && a.range?.endLine === b.range?.endLine && (identity === 'place' || a.content === b.content);
  return a.name === b.name && a.content === b.content;
}

/** Adds chips; one already there is replaced by the newer one (read later), in its place. */
export function mergeAttachments(current: readonly Attachment[], added: readonly Attachment[]): Attachment[] {
  const out = [...current];
  for (const a of added) {
    const i = out.findIndex((b) => sameChip(a, b));
    if (i >= 0) out[i] = a;
    else out.push(a);
  }
  return out;
}

function addNotice(state: AppState, level: 'info' | 'warning' | 'error', message: string): AppState {
  return { ...state, notices: [...state.notices.slice(-4), { id: ++noticeSeq, level, message }] };
}

/** Applies one host message. Pure apart from Date.now() for the elapsed-time origin. */
export function reduceHost(state: AppState, msg: HostToWebview, now: number): AppState {
  switch (msg.type) {
    case 'snapshot': {
      const s = msg.state;
      return {
        ...state,
        ready: true,
        sessions: s.sessions,
        current: s.current,
        models: s.models,
        selectedModel: s.selectedModel,
        connection: s.connection,
        workspace: s.workspace,
        capabilities: s.capabilities,
        streaming: s.streaming ? { ...s.streaming, startedAt: now } : undefined,
        context: s.context ?? state.context,
      };
    }
    case 'sessions':
      return { ...state, sessions: msg.sessions };
    case 'session':
      return { ...state, current: msg.session };
    case 'models':
      return { ...state, models: msg.models, selectedModel: msg.selectedModel ?? state.selectedModel };
    case 'connection':
      return { ...state, connection: msg.connection };
    case 'turnStarted':
      return turnStarted(state, msg, now);
    case 'event':
      return applyEvent(state, msg.sessionId, msg.messageId, msg.event);
    case 'pullProgress':
      return { ...state, pull: { model: msg.model, progress: msg.progress, active: true } };
    case 'pullDone':
      return { ...state, pull: { model: msg.model, progress: state.pull?.progress, active: false, error: msg.error } };
    case 'notice':
      return addNotice(state, msg.level, msg.message);
    case 'focusInput':
      return { ...state, focus: { seq: state.focus.seq + 1, prefill: msg.prefill } };
    case 'showHistory':
      return { ...state, historySeq: state.historySeq + 1 };
    case 'applyState':
      return applyState(state, msg);
    case 'pageEffect':
      // Carried out by the page's transport; nothing to show.
      return state;
    case 'reply':
      // Settled by the transport (the page awaits its request); never state.
      return state;
    case 'attachmentsAdded':
      return { ...state, attachments: mergeAttachments(state.attachments, msg.attachments) };
    case 'contextState':
      return { ...state, context: msg.state };
  }
}

export function reduceLocal(state: AppState, action: LocalAction): AppState {
  switch (action.type) {
    case 'local/newChat':
      return { ...state, current: null };
    case 'local/regenerate': {
      // Drop the last reply; the host streams a new one for the same question.
      const msgs = state.current?.messages ?? [];
      const last = msgs[msgs.length - 1];
      if (!state.current || !last || last.role !== 'assistant') return state;
      return { ...state, current: { ...state.current, messages: msgs.slice(0, -1) } };
    }
    case 'local/editLast': {
      // Drop the last question and everything after; the edited one arrives with turnStarted.
      const msgs = state.current?.messages ?? [];
      let i = msgs.length - 1;
      while (i >= 0 && msgs[i]!.role !== 'user') i--;
      if (!state.current || i < 0) return state;
      return { ...state, current: { ...state.current, messages: msgs.slice(0, i) } };
    }
    case 'local/selectModel':
      return { ...state, selectedModel: action.model };
    case 'local/dismissNotice':
      return { ...state, notices: state.notices.filter((n) => n.id !== action.id) };
    case 'local/deleteSession':
      return {
        ...state,
        sessions: state.sessions.filter((s) => s.id !== action.sessionId),
        current: state.current?.id === action.sessionId ? null : state.current,
      };
    case 'local/addAttachments':
      return { ...state, attachments: mergeAttachments(state.attachments, action.attachments) };
    case 'local/removeAttachment':
      return { ...state, attachments: state.attachments.filter((_, i) => i !== action.index) };
    case 'local/setAttachments':
      return { ...state, attachments: action.attachments };
    case 'local/notice':
      return addNotice(state, action.level, action.message);
    case 'local/renameSession':
      return {
        ...state,
        sessions: state.sessions.map((s) => (s.id === action.sessionId ? { ...s, title: action.title } : s)),
        current: state.current?.id === action.sessionId ? { ...state.current, title: action.title } : state.current,
      };
  }
}

function turnStarted(state: AppState, msg: Extract<HostToWebview, { type: 'turnStarted' }>, now: number): AppState {
  const base: Session =
    state.current && state.current.id === msg.sessionId
      ? state.current
      : {
          id: msg.sessionId,
          title: titleFrom(msg.userMessage.content),
          model: msg.assistantMessage.model,
          created_at: msg.userMessage.created_at,
          updated_at: msg.userMessage.created_at,
          messages: [],
        };
  const messages = base.messages.filter((m) => m.id !== msg.assistantMessage.id);
  const userAt = messages.findIndex((m) => m.id === msg.userMessage.id);
  // Regenerate reuses the question: keep it and everything before it.
  const kept = userAt >= 0 ? messages.slice(0, userAt + 1) : [...messages, msg.userMessage];
  return {
    ...state,
    current: { ...base, messages: [...kept, msg.assistantMessage], updated_at: msg.assistantMessage.created_at },
    streaming: { sessionId: msg.sessionId, messageId: msg.assistantMessage.id, startedAt: now },
  };
}


function applyEvent(state: AppState, sessionId: string, messageId: string, event: GatewayEvent): AppState {
  let next = state;
  const isStreamingTurn = state.streaming?.sessionId === sessionId && state.streaming.messageId === messageId;
  if (isStreamingTurn) {
    if (event.type === 'status_update' && event.phase) next = { ...next, streaming: { ...state.streaming!, phase: event.phase } };
    if (event.type === 'done') next = { ...next, streaming: undefined };
  }
  if (!state.current || state.current.id !== sessionId) return next;
  const msgs = state.current.messages;
  const idx = msgs.findIndex((m) => m.id === messageId);
  if (idx < 0) return next;
  const m = msgs[idx]!;
  const updated = foldEvent(m, event);
  if (updated === m) return next;
  const messages = msgs.slice();
  messages[idx] = updated;
  return { ...next, current: { ...state.current, messages } };
}

/** Marks a code block of a reply applied or rejected (the host stored it with the reply too). */
function applyState(state: AppState, msg: Extract<HostToWebview, { type: 'applyState' }>): AppState {
  if (!state.current || state.current.id !== msg.sessionId) return state;
  const msgs = state.current.messages;
  const idx = msgs.findIndex((m) => m.id === msg.messageId);
  if (idx < 0) return state;
  const messages = msgs.slice();
  messages[idx] = { ...msgs[idx]!, applied: { ...msgs[idx]!.applied, [msg.key]: msg.state } };
  return { ...state, current: { ...state.current, messages } };
}
