/**
 * The chat service: turns user input into stored, streamed turns.
 * Write-ahead, beside the model call: the request to the model leaves as soon as
 * a turn is accepted, while the question is saved; no event of the reply is
 * published before the question is durable. A "streaming" assistant placeholder
 * is appended right after it (before any write of the reply, so a crash mid-reply
 * is recovered as "interrupted"). The reply is the fold of its events
 * (src/shared/fold.ts): flushed (throttled) while it streams, written in full
 * before `done` is published and before `finished` resolves. One open turn per
 * session.
 */
import * as z from 'zod';
import type { FinishReason, GatewayEvent } from '../../shared/events';
import { foldEvent } from '../../shared/fold';
import {
  attachmentSchema,
  interruptedPatch,
  isValidSessionId,
  MAX_ATTACHMENTS,
  takesTitleFromFirstQuestion,
  titleFrom,
  type Attachment,
  type ChatMessage,
  type InterruptedBy,
  type Session,
  type SessionStore,
} from '../../shared/session';
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
  /** Who runs this service: what a reply cut off by dispose() (a window reload, a shutdown) says (default 'gateway'). */
  interruptedBy?: InterruptedBy;
}

const attachmentsSchema = z.array(attachmentSchema).max(MAX_ATTACHMENTS);

export function createChatService(opts: ChatServiceOptions): ChatService {
  return new ChatServiceImpl(opts);
}

/** The writes that make a turn's question durable (they run beside the model call). */
type Persist = () => Promise<void>;

/**
 * The title a session takes from a question, if it takes one: a new session, or
 * one still called "New chat" with no question yet, is named after its first question.
 */
function titleFromQuestion(session: Session | undefined, content: string): string | undefined {
  return !session || takesTitleFromFirstQuestion(session) ? titleFrom(content) : undefined;
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
  /** Turns dispose() cut off: nobody pressed Stop, so they are stored as interrupted, not stopped. */
  private readonly shutDown = new WeakSet<Turn>();
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
    const attachments = this.validate(input);
    const sessionId = input.sessionId ?? this.newId();
    return this.exclusive(sessionId, async () => {
      const existing = await this.existingFor(sessionId, input);
      const user = this.userMessage(input, attachments);
      return this.startTurn(sessionId, [...(existing?.messages ?? []), user], input.model, () => this.storeQuestion(sessionId, existing, input, user));
    });
  }

  async storeUserMessage(input: SendInput): Promise<{ sessionId: string; messageId: string }> {
    const attachments = this.validate(input);
    const sessionId = input.sessionId ?? this.newId();
    return this.exclusive(sessionId, async () => {
      const existing = await this.existingFor(sessionId, input);
      const user = this.userMessage(input, attachments);
      await this.storeQuestion(sessionId, existing, input, user);
      return { sessionId, messageId: user.id };
    });
  }

  async startReply(sessionId: string, model?: string): Promise<TurnHandle> {
    this.assertLive();
    return this.exclusive(sessionId, async () => {
      const session = await this.mustGet(sessionId);
      const last = session.messages.at(-1);
      if (!last || last.role !== 'user') throw new ChatError('conflict', 'the session has no unanswered message');
      return this.startTurn(sessionId, session.messages, this.modelFor(session, model), async () => {});
    });
  }

  async regenerate(sessionId: string, model: string): Promise<TurnHandle> {
    this.assertLive();
    return this.exclusive(sessionId, async () => {
      const session = await this.mustGet(sessionId);
      const last = session.messages.at(-1);
      if (!last) throw new ChatError('conflict', 'the session has no message to answer');
      // The question keeps its attachments: it is answered again as stored.
      const history = last.role === 'assistant' ? session.messages.slice(0, -1) : session.messages;
      if (history.at(-1)?.role !== 'user') throw new ChatError('conflict', 'the session has no message to answer');
      const persist: Persist = last.role === 'assistant' ? () => this.store.truncateFrom(sessionId, last.id) : async () => {};
      return this.startTurn(sessionId, history, this.modelFor(session, model), persist);
    });
  }

  async editLast(sessionId: string, content: string, model: string, attachments?: Attachment[]): Promise<TurnHandle> {
    const parts = this.validate({ sessionId, content, model, attachments });
    return this.exclusive(sessionId, async () => {
      const session = await this.mustGet(sessionId);
      const idx = session.messages.map((m) => m.role).lastIndexOf('user');
      if (idx < 0) throw new ChatError('conflict', 'the session has no message to edit');
      const old = session.messages[idx]!;
      const user = this.userMessage({ content, model }, parts);
      // Editing the first question renames a session that was named after it.
      const retitle = idx === 0 && (session.title === titleFrom(old.content) || takesTitleFromFirstQuestion({ title: session.title, messages: [] }));
      return this.startTurn(sessionId, [...session.messages.slice(0, idx), user], this.modelFor(session, model), async () => {
        await this.store.truncateFrom(sessionId, old.id);
        await this.store.appendMessage(sessionId, user);
        if (retitle) await this.store.rename(sessionId, titleFrom(content));
      });
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
    for (const t of open) {
      if (!t.cancelled) this.shutDown.add(t);
      t.cancel();
    }
    await Promise.all(open.map((t) => t.finished));
    for (const timer of this.expiry.values()) clearTimeout(timer);
    this.expiry.clear();
    this.turns.clear();
  }

  // --- internals ---

  private assertLive(): void {
    if (this.disposed) throw new ChatError('disposed', 'the chat service has been shut down');
  }

  /** Checks what a caller sends; returns the attachments as validated (extra fields dropped). */
  private validate(input: { sessionId?: string; messageId?: string; content: string; model: string; attachments?: unknown }): Attachment[] | undefined {
    this.assertLive();
    if (typeof input.content !== 'string' || input.content.trim() === '') throw new ChatError('bad_request', 'content must be a non-empty string');
    if (typeof input.model !== 'string' || input.model.trim() === '') throw new ChatError('bad_request', 'model must be a non-empty string');
    if (input.sessionId !== undefined && !isValidSessionId(input.sessionId)) throw new ChatError('not_found', 'session not found');
    if (input.messageId !== undefined && !isValidSessionId(input.messageId)) throw new ChatError('bad_request', 'message_id must match ^[a-z0-9][a-z0-9-]{7,63}$');
    if (input.attachments === undefined) return undefined;
    const parsed = attachmentsSchema.safeParse(input.attachments);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ChatError('bad_request', `invalid attachments: ${issue?.path.length ? `${issue.path.join('.')}: ` : ''}${issue?.message ?? 'invalid'}`);
    }
    return parsed.data;
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

  /** The session a question goes to (none yet when it starts one); its message id must be new there. */
  private async existingFor(sessionId: string, input: SendInput): Promise<Session | undefined> {
    if (input.sessionId === undefined) return undefined;
    const session = await this.mustGet(sessionId);
    if (input.messageId && session.messages.some((m) => m.id === input.messageId)) {
      throw new ChatError('conflict', `message ${input.messageId} is already stored in this session`);
    }
    return session;
  }

  /** Makes a question durable: creates the session with it, or keeps the session's title and model current and appends it. */
  private async storeQuestion(sessionId: string, existing: Session | undefined, input: SendInput, user: ChatMessage): Promise<void> {
    const title = titleFromQuestion(existing, input.content);
    if (!existing) {
      // One write: the session with its question.
      await this.store.create({ id: sessionId, title, model: input.model, workspace: input.workspace, messages: [user] });
      return;
    }
    if (title !== undefined) await this.store.rename(sessionId, title);
    if (existing.model !== input.model) await this.store.setModel(sessionId, input.model);
    await this.store.appendMessage(sessionId, user);
  }

  private userMessage(input: { messageId?: string; content: string; model: string }, attachments: Attachment[] | undefined): ChatMessage {
    return {
      id: input.messageId ?? this.newId(),
      role: 'user',
      content: input.content,
      ...(attachments?.length ? { attachments } : {}),
      status: 'complete',
      created_at: this.now(),
      model: input.model,
    };
  }

  /**
   * Starts the model call at once and, beside it, `persist` (the writes that make
   * the question durable). Resolves with the turn once the question is durable:
   * its first event is published only then. The assistant placeholder is
   * appended next, off the critical path (one fsync'd write less before the first
   * token); every write of the reply queues behind it. When persisting fails the
   * model call is closed and the error is thrown: the turn never happened.
   */
  private async startTurn(sessionId: string, history: ChatMessage[], model: string, persist: Persist): Promise<Turn> {
    const user = history.at(-1)!;
    const assistant: ChatMessage = { id: this.newId(), role: 'assistant', content: '', status: 'streaming', created_at: this.now(), model };
    const turn = new Turn(sessionId, user, assistant, () => this.engine.cancel(assistant.id), this.opts.maxBufferedEvents);
    const previous = this.turns.get(sessionId);
    if (previous) this.forget(previous);
    // Registered before the writes finish, so cancel() and dispose() reach it meanwhile.
    this.turns.set(sessionId, turn);
    const settings = this.opts.settings();
    const request: ChatTurnRequest = {
      turnId: assistant.id,
      sessionId,
      model,
      ...(settings.systemPrompt ? { systemPrompt: settings.systemPrompt } : {}),
      messages: buildHistory(history),
      ...(settings.options ? { options: settings.options } : {}),
      signal: turn.controller.signal,
    };
    const saved = (async () => {
      await persist();
      turn.push({ type: 'status_update', status: 'planning', phase: 'queued', session_id: sessionId, message_id: assistant.id, elapsed_ms: 0 });
    })();
    const running = this.runTurn(turn, request, saved);
    try {
      await saved;
    } catch (e) {
      await running;
      throw e;
    }
    return turn;
  }

  /**
   * Reads the engine's events from the start (so the request leaves at once),
   * but publishes nothing until `saved` (the question is durable), and writes
   * nothing of the reply before its placeholder. The reply is the fold of the events.
   */
  private async runTurn(turn: Turn, request: ChatTurnRequest, saved: Promise<void>): Promise<void> {
    const { sessionId } = turn;
    const messageId = turn.assistantMessage.id;
    const events = startNow(() => this.engine.run(request));
    try {
      await saved;
    } catch {
      // The question could not be stored: close the model call and forget the turn.
      turn.cancel();
      try {
        for await (const _ of events) void _;
      } catch (e) {
        this.log(`engine failed while closing turn ${messageId}`, e);
      }
      this.forget(turn);
      turn.end('error');
      return;
    }
    // True once the placeholder is stored; false if that failed (the reply is then appended whole at the end).
    const placeholder = this.store.appendMessage(sessionId, turn.assistantMessage).then(
      () => true,
      (e: unknown) => {
        this.log(`could not save the placeholder of reply ${messageId}`, e);
        return false;
      },
    );

    let reply: ChatMessage = { ...turn.assistantMessage };
    let finish: FinishReason | undefined;
    let timer: NodeJS.Timeout | undefined;
    let writes: Promise<unknown> = placeholder;
    let lastStatus = 'planning/queued';
    const publish = (ev: GatewayEvent) => {
      reply = foldEvent(reply, ev);
      turn.push(ev);
    };
    const flush = () => {
      timer = undefined;
      const patch = { content: reply.content, ...(reply.thinking ? { thinking: reply.thinking } : {}), status: 'streaming' as const };
      writes = writes
        .then(async () => (await placeholder) && this.store.updateMessage(sessionId, messageId, patch))
        .catch((e) => this.log(`could not save partial reply ${messageId}`, e));
    };
    const internalError = (message: string) => {
      if (!reply.error) publish({ type: 'error', code: 'internal', message, retryable: true });
    };

    try {
      for await (const ev of events) {
        switch (ev.type) {
          case 'token':
          case 'thinking':
            publish(ev);
            timer ??= setTimeout(flush, this.flushMs);
            break;
          case 'usage':
          case 'error':
            publish(ev);
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
          default: {
            const never: never = ev;
            this.log(`unknown event ${String((never as { type?: unknown }).type)} on turn ${messageId}`);
          }
        }
        if (finish) break;
      }
    } catch (e) {
      // The engine promises never to throw; if it does, the turn still ends cleanly.
      this.log(`engine failed on turn ${messageId}`, e);
      internalError('internal error while generating the reply');
    }
    if (timer) clearTimeout(timer);
    if (!finish) {
      if (turn.cancelled) finish = 'cancelled';
      else {
        finish = 'error';
        internalError('the reply ended without finishing');
      }
    }
    // Cut off by a shutdown or window reload (nobody pressed Stop): recorded as start-up recovery records a crash.
    if (finish === 'cancelled' && this.shutDown.has(turn)) {
      finish = 'error';
      publish({ type: 'error', code: 'interrupted', message: interruptedPatch(this.opts.interruptedBy ?? 'gateway').error!.message, retryable: true });
    }
    const done: GatewayEvent = { type: 'done', session_id: sessionId, message_id: messageId, finish_reason: finish };
    reply = foldEvent(reply, done);
    await writes;
    const { id: _id, role: _role, ...final } = reply;
    // `error` explicitly, also when there is none: another process's start-up recovery may have stamped one meanwhile.
    const write = (await placeholder) ? this.store.updateMessage(sessionId, messageId, { ...final, error: reply.error }) : this.store.appendMessage(sessionId, reply);
    await write.catch((e) => this.log(`could not save the final reply ${messageId}`, e));
    turn.push(done);
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

/**
 * Starts reading an event stream now — an engine that is an async generator
 * (the extension's EngineHolder) sends its request only on the first next() —
 * and hands it over for for-await later. A synchronous throw becomes the
 * stream's failure.
 */
function startNow(run: () => AsyncIterable<GatewayEvent>): AsyncIterable<GatewayEvent> {
  let it: AsyncIterator<GatewayEvent>;
  let first: Promise<IteratorResult<GatewayEvent>> | undefined;
  try {
    it = run()[Symbol.asyncIterator]();
    first = it.next();
  } catch (e) {
    it = { next: () => Promise.reject(e) };
    first = undefined;
  }
  // Handled when awaited; until then a failure must not count as unhandled.
  first?.catch(() => undefined);
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => {
        const p = first ?? it.next();
        first = undefined;
        return p;
      },
      return: async () => (await it.return?.()) ?? { done: true, value: undefined },
    }),
  };
}
