/**
 * The chat service: turns user input into stored, streamed turns.
 * Write-ahead: the user's message and a "streaming" assistant placeholder are
 * durable before engine.run is called; text is flushed (throttled) while it
 * streams; the final state is written before `done` is published and before
 * `finished` resolves. One open turn per session.
 */
import type { ErrorCode, FinishReason, Usage } from '../../shared/events';
import { isValidSessionId, statusForFinish, titleFrom, type Attachment, type ChatMessage, type Session, type SessionStore } from '../../shared/session';
import type { ChatEngine, ChatTurnRequest } from '../engine/types';
import { newId as defaultNewId } from '../ids';
import { ChatError } from './errors';
import { buildHistory } from './history';
import { Turn } from './turn';
import type { ChatService, SendInput, TurnHandle, TurnSettings } from './types';

export interface ChatServiceOptions {
  store: SessionStore;
  engine: ChatEngine;
  /** Read at the start of every turn. */
  settings: () => TurnSettings;
  now?: () => number;
  /** How often partial text is written while streaming (default 500 ms). */
  flushIntervalMs?: number;
  /** How long a finished turn stays resumable (default 60 s). */
  replayTtlMs?: number;
  /** Events kept per turn for replay (default 10 000). */
  maxBufferedEvents?: number;
  /** Finished turns kept for replay at most (default 1000). */
  maxRetainedTurns?: number;
  newId?: () => string;
  /** Problems that must not end a turn (a failed intermediate write, say). */
  log?: (message: string, error?: unknown) => void;
}

const DEFAULT_TITLE = 'New chat';


export function createChatService(opts: ChatServiceOptions): ChatService {
  return new ChatServiceImpl(opts);
}

class ChatServiceImpl implements ChatService {
  private readonly store: SessionStore;
  private readonly engine: ChatEngine;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly flushMs: number;
  private readonly replayTtlMs: number;
  private readonly log: (message: string, error?: unknown) => void;
  /** Sessions with a turn being set up or streaming. */
  private readonly busy = new Set<string>();
  /** Open and recently finished turns, by session. */
  private readonly turns = new Map<string, Turn>();
  private readonly expiry = new Map<Turn, NodeJS.Timeout>();
  private disposed = false;

  constructor(private readonly opts: ChatServiceOptions) {
    this.store = opts.store;
    this.engine = opts.engine;
    this.now = opts.now ?? Date.now;
    this.newId = opts.newId ?? defaultNewId;
    this.flushMs = opts.flushIntervalMs ?? 500;
    this.replayTtlMs = opts.replayTtlMs ?? 60_000;
    this.log = opts.log ?? (() => {});
  }

  async send(input: SendInput): Promise<TurnHandle> {
    this.validate(input);
    const sessionId = input.sessionId ?? this.newId();
    return this.exclusive(sessionId, async () => {
      const session = await this.prepareSession(sessionId, input);
      const user = this.userMessage(input);
      await this.store.appendMessage(sessionId, user);
      return this.startTurn(session, [...session.messages, user], input.model);
    });
  }

  async storeUserMessage(input: SendInput): Promise<{ sessionId: string; messageId: string }> {
    this.validate(input);
    const sessionId = input.sessionId ?? this.newId();
    return this.exclusive(sessionId, async () => {
      await this.prepareSession(sessionId, input);
      const user = this.userMessage(input);
      await this.store.appendMessage(sessionId, user);
      return { sessionId, messageId: user.id };
    });
  }

  async startReply(sessionId: string, model?: string): Promise<TurnHandle> {
    this.assertLive();
    return this.exclusive(sessionId, async () => {
      const session = await this.mustGet(sessionId);
      const last = session.messages.at(-1);
      if (!last || last.role !== 'user') throw new ChatError('conflict', 'the session has no unanswered message');
      return this.startTurn(session, session.messages, this.modelFor(session, model));
    });
  }

  async regenerate(sessionId: string, model: string): Promise<TurnHandle> {
    this.assertLive();
    return this.exclusive(sessionId, async () => {
      const session = await this.mustGet(sessionId);
      const last = session.messages.at(-1);
      if (!last) throw new ChatError('conflict', 'the session has no message to answer');
      let history = session.messages;
      if (last.role === 'assistant') {
        await this.store.truncateFrom(sessionId, last.id);
        history = session.messages.slice(0, -1);
      }
      if (history.at(-1)?.role !== 'user') throw new ChatError('conflict', 'the session has no message to answer');
      return this.startTurn(session, history, this.modelFor(session, model));
    });
  }

  async editLast(sessionId: string, content: string, model: string, attachments?: Attachment[]): Promise<TurnHandle> {
    this.validate({ sessionId, content, model });
    return this.exclusive(sessionId, async () => {
      const session = await this.mustGet(sessionId);
      const idx = session.messages.map((m) => m.role).lastIndexOf('user');
      if (idx < 0) throw new ChatError('conflict', 'the session has no message to edit');
      await this.store.truncateFrom(sessionId, session.messages[idx]!.id);
      const user = this.userMessage({ content, model, ...(attachments ? { attachments } : {}) });
      await this.store.appendMessage(sessionId, user);
      if (idx === 0) await this.store.rename(sessionId, titleFrom(content));
      return this.startTurn(session, [...session.messages.slice(0, idx), user], this.modelFor(session, model));
    });
  }

  turn(sessionId: string): TurnHandle | undefined {
    return this.turns.get(sessionId);
  }

  cancel(sessionId: string): boolean {
    const t = this.turns.get(sessionId);
    if (!t || !t.isOpen) return false;
    t.cancel();
    return true;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const open = [...this.turns.values()].filter((t) => t.isOpen);
    for (const t of open) t.cancel();
    await Promise.all(open.map((t) => t.finished));
    for (const timer of this.expiry.values()) clearTimeout(timer);
    this.expiry.clear();
    this.turns.clear();
  }

  // --- internals ---

  private assertLive(): void {
    if (this.disposed) throw new ChatError('disposed', 'the chat service has been shut down');
  }

  private validate(input: { sessionId?: string; messageId?: string; content: string; model: string }): void {
    this.assertLive();
    if (typeof input.content !== 'string' || input.content.trim() === '') throw new ChatError('bad_request', 'content must be a non-empty string');
    if (typeof input.model !== 'string' || input.model.trim() === '') throw new ChatError('bad_request', 'model must be a non-empty string');
    if (input.sessionId !== undefined && !isValidSessionId(input.sessionId)) throw new ChatError('not_found', 'session not found');
    if (input.messageId !== undefined && !isValidSessionId(input.messageId)) throw new ChatError('bad_request', 'message_id must match ^[a-z0-9][a-z0-9-]{7,63}$');
  }

  /** Runs setup with the session marked busy; the mark stays only if a turn was started. */
  private async exclusive<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    if (this.busy.has(sessionId)) throw new ChatError('conflict', 'a reply is already being generated in this session; cancel it first');
    this.busy.add(sessionId);
    let keep = false;
    try {
      const result = await fn();
      keep = result instanceof Turn;
      return result;
    } finally {
      if (!keep) this.busy.delete(sessionId);
    }
  }

  private async mustGet(sessionId: string): Promise<Session> {
    const s = isValidSessionId(sessionId) ? await this.store.get(sessionId) : undefined;
    if (!s) throw new ChatError('not_found', 'session not found');
    return s;
  }

  private modelFor(session: Session, model: string | undefined): string {
    const m = model?.trim() || session.model;
    if (!m) throw new ChatError('bad_request', 'model is required');
    return m;
  }

  /** Creates the session, or loads it, checks the message id is new, and keeps title/model current. */
  private async prepareSession(sessionId: string, input: SendInput): Promise<Session> {
    let session: Session;
    if (input.sessionId === undefined) {
      session = await this.store.create({ id: sessionId, title: titleFrom(input.content), model: input.model, workspace: input.workspace });
    } else {
      session = await this.mustGet(sessionId);
      if (input.messageId && session.messages.some((m) => m.id === input.messageId)) {
        throw new ChatError('conflict', `message ${input.messageId} is already stored in this session`);
      }
      if (session.title === DEFAULT_TITLE && !session.messages.some((m) => m.role === 'user')) {
        await this.store.rename(sessionId, titleFrom(input.content));
      }
      if (session.model !== input.model) await this.store.setModel(sessionId, input.model);
    }
    return session;
  }

  private userMessage(input: { messageId?: string; content: string; model: string; attachments?: Attachment[] }): ChatMessage {
    return {
      id: input.messageId ?? this.newId(),
      role: 'user',
      content: input.content,
      ...(input.attachments?.length ? { attachments: input.attachments } : {}),
      status: 'complete',
      created_at: this.now(),
      model: input.model,
    };
  }

  /** Stores the placeholder (write-ahead), then starts the engine in the background. */
  private async startTurn(session: Session, history: ChatMessage[], model: string): Promise<Turn> {
    const user = history.at(-1)!;
    const assistant: ChatMessage = { id: this.newId(), role: 'assistant', content: '', status: 'streaming', created_at: this.now(), model };
    await this.store.appendMessage(session.id, assistant);
    const turn = new Turn(session.id, user, assistant, () => this.engine.cancel(assistant.id), this.opts.maxBufferedEvents);
    const previous = this.turns.get(session.id);
    if (previous) this.forget(previous);
    this.turns.set(session.id, turn);
    turn.push({ type: 'status_update', status: 'planning', phase: 'queued', session_id: session.id, message_id: assistant.id, elapsed_ms: 0 });
    const settings = this.opts.settings();
    const request: ChatTurnRequest = {
      turnId: assistant.id,
      sessionId: session.id,
      model,
      ...(settings.systemPrompt ? { systemPrompt: settings.systemPrompt } : {}),
      messages: buildHistory(history),
      ...(settings.options ? { options: settings.options } : {}),
      signal: turn.controller.signal,
    };
    void this.runTurn(turn, request);
    return turn;
  }

  private async runTurn(turn: Turn, request: ChatTurnRequest): Promise<void> {
    const { sessionId } = turn;
    const messageId = turn.assistantMessage.id;
    let content = '';
    let thinking = '';
    let usage: Usage | undefined;
    let error: { code: ErrorCode; message: string } | undefined;
    let finish: FinishReason | undefined;
    let timer: NodeJS.Timeout | undefined;
    let writes: Promise<void> = Promise.resolve();
    let lastStatus = 'planning/queued';

    const flush = () => {
      timer = undefined;
      const patch = { content, ...(thinking ? { thinking } : {}), status: 'streaming' as const };
      writes = writes.then(() => this.store.updateMessage(sessionId, messageId, patch)).catch((e) => this.log(`could not save partial reply ${messageId}`, e));
    };
    const changed = () => {
      timer ??= setTimeout(flush, this.flushMs);
    };

    try {
      for await (const ev of this.engine.run(request)) {
        switch (ev.type) {
          case 'token':
            content += ev.content;
            changed();
            turn.push(ev);
            break;
          case 'thinking':
            thinking += ev.content;
            changed();
            turn.push(ev);
            break;
          case 'usage': {
            const { type: _t, ...u } = ev;
            usage = u;
            turn.push(ev);
            break;
          }
          case 'error':
            error = { code: ev.code, message: ev.message };
            turn.push(ev);
            break;
          case 'status_update': {
            // The engine's opening status repeats ours; consecutive duplicates say nothing new.
            const key = `${ev.status}/${ev.phase ?? ''}`;
            if (key !== lastStatus) turn.push(ev);
            lastStatus = key;
            break;
          }
          case 'done':
            finish = ev.finish_reason;
            break;
        }
        if (finish) break;
      }
    } catch (e) {
      // The engine promises never to throw; if it does, the turn still ends cleanly.
      this.log(`engine failed on turn ${messageId}`, e);
      if (!error) {
        error = { code: 'internal', message: 'internal error while generating the reply' };
        turn.push({ type: 'error', code: 'internal', message: error.message, retryable: true });
      }
    }
    if (timer) clearTimeout(timer);
    if (!finish) {
      if (turn.cancelled) finish = 'cancelled';
      else {
        finish = 'error';
        if (!error) {
          error = { code: 'internal', message: 'the reply ended without finishing' };
          turn.push({ type: 'error', code: 'internal', message: error.message, retryable: true });
        }
      }
    }
    await writes;
    await this.store
      .updateMessage(sessionId, messageId, {
        content,
        ...(thinking ? { thinking } : {}),
        status: statusForFinish(finish),
        finish_reason: finish,
        ...(usage ? { usage } : {}),
        // Explicitly cleared otherwise: another process's start-up recovery may have stamped one meanwhile.
        error: finish === 'error' ? error : undefined,
      })
      .catch((e) => this.log(`could not save the final reply ${messageId}`, e));
    turn.push({ type: 'done', session_id: sessionId, message_id: messageId, finish_reason: finish });
    this.busy.delete(sessionId);
    turn.end(finish);
    this.retain(turn);
  }

  /** Keeps a finished turn resumable for a while, within a bound on how many are kept. */
  private retain(turn: Turn): void {
    if (this.disposed) return;
    const timer = setTimeout(() => this.forget(turn), this.replayTtlMs);
    timer.unref();
    this.expiry.set(turn, timer);
    const max = this.opts.maxRetainedTurns ?? 1000;
    if (this.expiry.size > max) {
      for (const old of this.expiry.keys()) {
        if (this.expiry.size <= max) break;
        this.forget(old);
      }
    }
  }

  private forget(turn: Turn): void {
    const timer = this.expiry.get(turn);
    if (timer) clearTimeout(timer);
    this.expiry.delete(turn);
    if (this.turns.get(turn.sessionId) === turn) this.turns.delete(turn.sessionId);
  }
}
