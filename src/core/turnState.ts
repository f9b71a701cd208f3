/**
 * The one owner of what a page shows of a conversation: the open session (as
 * stored, or provisional while a new turn's session is read back), the reply
 * streaming now (its live fold), and the apply marks not yet known to be
 * stored. Everything else reads it through this API and writes it only here,
 * so a snapshot, an Apply and a store read-back can arrive in any order and
 * still agree. Pure state: no I/O, no timers, no messages to the page.
 */
import type { ApplyState } from '../shared/codeBlocks';
import type { GatewayEvent } from '../shared/events';
import { foldEvent } from '../shared/fold';
import { titleFrom, type ChatMessage, type Session } from '../shared/session';

export interface TurnInfo {
  sessionId: string;
  messageId: string;
}

/** What a started turn tells the state (the ChatService's TurnHandle satisfies it). */
export interface TurnStart {
  readonly sessionId: string;
  readonly userMessage: ChatMessage;
  readonly assistantMessage: ChatMessage;
}

/** The reply streaming now: its turn and its fold so far. */
export interface LiveTurn<T extends TurnStart = TurnStart> {
  readonly handle: T;
  readonly sessionId: string;
  live: ChatMessage;
}

/** A ticket for a read of the stored session; of overlapping reads only the latest counts. */
export interface ReadTicket {
  readonly n: number;
  readonly sessionId: string;
}

type Marks = Record<string, ApplyState>;

export class TurnState<T extends TurnStart = TurnStart> {
  private current: Session | null = null;
  private provisionalId: string | undefined;
  private active: LiveTurn<T> | undefined;
  private reads = 0;
  /** Marks recorded here and not yet confirmed stored, by message id: laid over every stored copy read meanwhile. */
  private readonly unstored = new Map<string, { sessionId: string; marks: Marks }>();

  get sessionId(): string | undefined {
    return this.current?.id;
  }

  /** The open session is the provisional one (the turn's question only, its stored copy not read yet). */
  get isProvisional(): boolean {
    return this.current !== null && this.current.id === this.provisionalId;
  }

  get live(): LiveTurn<T> | undefined {
    return this.active;
  }

  get streaming(): TurnInfo | undefined {
    return this.active && { sessionId: this.active.sessionId, messageId: this.active.live.id };
  }

  /** The open session with the live reply folded in (a copy), or null for a new chat. */
  session(): Session | null {
    return this.current && this.overlay(this.current);
  }

  /** Shows a session (opened, renamed, a new chat); returns whether the open session's id changed. */
  show(s: Session | null): boolean {
    const changed = this.current?.id !== s?.id;
    this.current = s && this.withUnstored(s);
    this.provisionalId = undefined;
    return changed;
  }

  /**
   * A turn started: it streams now. When it is in another session than the open
   * one (a new chat), that session is shown provisionally; returns whether the
   * open session's id changed.
   */
  begin(handle: T): { turn: LiveTurn<T>; switched: boolean } {
    const turn: LiveTurn<T> = { handle, sessionId: handle.sessionId, live: structuredClone(handle.assistantMessage) };
    this.active = turn;
    const switched = this.current?.id !== handle.sessionId;
    if (switched) {
      const at = handle.userMessage.created_at;
      this.current = { id: handle.sessionId, title: titleFrom(handle.userMessage.content), created_at: at, updated_at: at, messages: [structuredClone(handle.userMessage)] };
      this.provisionalId = handle.sessionId;
    }
    return { turn, switched };
  }

  /** An event of the live reply: folded into it (marks recorded meanwhile stay). */
  fold(turn: LiveTurn<T>, event: GatewayEvent): void {
    turn.live = foldEvent(turn.live, event);
  }

  /**
   * The turn no longer streams (once; false if it already ended). Its reply
   * stays in the open session until the stored copy is read back, so nothing in
   * between sees the write-ahead placeholder.
   */
  end(turn: LiveTurn<T>): boolean {
    if (this.active !== turn) return false;
    if (this.current?.id === turn.sessionId) this.current = this.overlay(this.current);
    this.active = undefined;
    return true;
  }

  /** Starts a read of the stored session. */
  startRead(sessionId: string): ReadTicket {
    return { n: ++this.reads, sessionId };
  }

  /**
   * A stored copy arrived. It replaces the open session if it is the latest read
   * and the session is still open; marks not yet stored are laid over it.
   */
  stored(ticket: ReadTicket, s: Session | undefined): boolean {
    if (!s || ticket.n !== this.reads || this.current?.id !== ticket.sessionId) return false;
    this.current = this.withUnstored(s);
    this.provisionalId = undefined;
    return true;
  }

  /**
   * Records what became of a block in the reply `messageId` (in memory: the live
   * reply, the open session) and returns the reply's marks with it, or undefined
   * when this state does not hold that reply (the caller then asks the store).
   * The mark counts as unstored until `markStored`.
   */
  mark(sessionId: string, messageId: string, key: string, state: ApplyState, prior?: Marks): Marks | undefined {
    const a = this.active;
    const inLive = a && a.sessionId === sessionId && a.live.id === messageId ? a.live : undefined;
    const inCurrent = this.current?.id === sessionId ? this.current.messages.find((m) => m.id === messageId) : undefined;
    const held = this.unstored.get(messageId);
    const base = inLive ?? inCurrent;
    if (!base && !prior) return undefined;
    const applied: Marks = { ...prior, ...base?.applied, ...held?.marks, [key]: state };
    this.unstored.set(messageId, { sessionId, marks: applied });
    if (inLive && a) a.live = { ...a.live, applied };
    if (this.current?.id === sessionId && inCurrent) {
      this.current = { ...this.current, messages: this.current.messages.map((m) => (m.id === messageId ? { ...m, applied } : m)) };
    }
    return applied;
  }

  /** The marks of a reply as they should be stored now (all recorded so far). */
  marksOf(messageId: string): Marks | undefined {
    return this.unstored.get(messageId)?.marks;
  }

  /** These marks are in the store: stored copies read from now on carry them. */
  markStored(messageId: string, marks: Marks): void {
    const held = this.unstored.get(messageId);
    // A mark recorded while these were written is still unstored.
    if (held && Object.keys(held.marks).every((k) => marks[k] === held.marks[k])) this.unstored.delete(messageId);
  }

  /** The reply is gone (its session deleted): nothing of it is held. */
  forgetSession(sessionId: string): void {
    for (const [id, h] of this.unstored) if (h.sessionId === sessionId) this.unstored.delete(id);
  }

  private withUnstored(s: Session): Session {
    if (this.unstored.size === 0) return s;
    let changed = false;
    const messages = s.messages.map((m) => {
      const held = this.unstored.get(m.id);
      if (!held || held.sessionId !== s.id) return m;
      changed = true;
      return { ...m, applied: { ...m.applied, ...held.marks } };
    });
    return changed ? { ...s, messages } : s;
  }

  private overlay(s: Session): Session {
    const copy = structuredClone(s);
    const a = this.active;
    if (a && a.sessionId === s.id) {
      const i = copy.messages.findIndex((m) => m.id === a.live.id);
      if (i >= 0) copy.messages[i] = structuredClone(a.live);
      else copy.messages.push(structuredClone(a.live));
    }
    return copy;
  }
}
