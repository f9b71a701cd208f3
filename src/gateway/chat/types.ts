import type { GatewayEvent, FinishReason } from '../../shared/events';
import type { Attachment, ChatMessage } from '../../shared/session';
import type { ChatOptions } from '../engine/types';

/** One event of a turn with its sequence number (the SSE `id:`; increasing from 1). */
export interface SequencedEvent {
  id: number;
  event: GatewayEvent;
}

/** A turn in flight (or just finished: kept briefly so a dropped SSE stream can resume). */
export interface TurnHandle {
  sessionId: string;
  userMessage: ChatMessage;
  assistantMessage: ChatMessage;
  /**
   * Replays buffered events with id > afterId, then follows live ones until `done`.
   * Several subscribers may follow one turn. Ending the iteration early does NOT
   * cancel the turn (callers that own the turn call cancel()).
   */
  events(afterId?: number): AsyncIterable<SequencedEvent>;
  cancel(): void;
  /** False once `done` has been published. Optional so other implementations stay valid. */
  readonly isOpen?: boolean;
  /** The id of the latest event so far (0 before the first). */
  readonly lastEventId?: number;
  /** Resolves (never rejects) when the turn is over and its final state is stored. */
  readonly finished: Promise<FinishReason>;
}

export interface SendInput {
  /** Without it a new session is created. */
  sessionId?: string;
  /** Client-chosen id for the user message (idempotency); validated like a session id. */
  messageId?: string;
  content: string;
  /** Context the user attached: stored with the question and sent to the model with it (src/shared/attachments.ts). */
  attachments?: Attachment[];
  model: string;
  workspace?: string;
}

/** Settings read at the start of every turn, so changes apply live. */
export interface TurnSettings {
  systemPrompt?: string;
  options?: ChatOptions;
}

/**
 * Orchestrates turns over a SessionStore and a ChatEngine. Write-ahead: the
 * user's message is saved beside the model call and is durable before any event
 * of the reply is published (and before a turn handle is returned); an assistant
 * placeholder ("streaming") follows it before any write of the reply; partial
 * text is flushed while streaming and on cancel/error; the final state is
 * written before `finished` resolves.
 * One open turn per session.
 */
export interface ChatService {
  send(input: SendInput): Promise<TurnHandle>;
  /** Two-step form (POST /chat/message): store the user message only. */
  storeUserMessage(input: SendInput): Promise<{ sessionId: string; messageId: string }>;
  /** Two-step form (GET /chat/stream/{id}): reply to the session's last, unanswered user message. */
  startReply(sessionId: string, model?: string): Promise<TurnHandle>;
  /** Replaces the last assistant reply with a new one (the question keeps its attachments). */
  regenerate(sessionId: string, model: string): Promise<TurnHandle>;
  /** Replaces the last user message (and its reply) and asks again, with the attachments given (none when omitted). */
  editLast(sessionId: string, content: string, model: string, attachments?: Attachment[]): Promise<TurnHandle>;
  /** The open (or just finished, still resumable) turn of a session. */
  turn(sessionId: string): TurnHandle | undefined;
  /** Cancels the session's open turn; false when there is none. */
  cancel(sessionId: string): boolean;
  /** Cancels every open turn and waits for their final writes. */
  dispose(): Promise<void>;
}
