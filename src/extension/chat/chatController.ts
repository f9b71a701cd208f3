/**
 * The chat as the extension host runs it: which session is open, the one reply
 * streaming right now, and what the webview is told. Turns go through the
 * ChatService (write-ahead, partial flush, cancel); this class keeps a live copy
 * of the streaming reply so a snapshot taken mid-stream (the view was hidden and
 * shown again) has every token so far. Pure: no `vscode` import.
 */
import type { GatewayEvent } from '../../shared/events';
import type { HostCapabilities, HostToWebview, Snapshot } from '../../shared/protocol';
import type { ChatMessage, Session, SessionStore, SessionSummary } from '../../shared/session';
import type { ChatService, TurnHandle } from '../../gateway/chat/types';
import type { ModelState } from '../models/modelState';
import { Emitter } from '../util/emitter';
import { foldEvent } from '../../shared/fold';

export interface ChatControllerDeps {
  store: SessionStore;
  /** Created (and its code loaded) on first use. */
  chat: () => Promise<ChatService>;
  models: ModelState;
  /** To the webview (coalesced, and dropped while it is not ready). */
  post: (m: HostToWebview) => void;
  workspace?: string;
  capabilities: () => HostCapabilities;
  log: (line: string) => void;
}

interface ActiveTurn {
  handle: TurnHandle;
  sessionId: string;
  /** The reply as streamed so far. */
  live: ChatMessage;
}

export interface TurnInfo {
  sessionId: string;
  messageId: string;
}

export class ChatController {
  private current: Session | null = null;
  private active: ActiveTurn | undefined;
  // Set while a turn is being started, so two quick sends cannot both start one.
  private starting = false;
  readonly onStreamingChange = new Emitter<boolean>();
  /** Fired when a turn has finished and its final state is stored. */
  readonly onTurnFinished = new Emitter<TurnInfo & { finishReason: string }>();

  constructor(private readonly deps: ChatControllerDeps) {}

  get streaming(): TurnInfo | undefined {
    return this.active && { sessionId: this.active.sessionId, messageId: this.active.live.id };
  }

  get currentSessionId(): string | undefined {
    return this.current?.id;
  }

  /** The open session with the live reply folded in (a copy). */
  currentSession(): Session | null {
    return this.current && this.overlay(this.current);
  }

  /**
   * Loads what a snapshot needs; the returned function builds it synchronously,
   * so a caller can discard buffered deltas and post the snapshot in one step.
   */
  async prepareSnapshot(): Promise<() => Snapshot> {
    let sessions: SessionSummary[] = [];
    let failed = false;
    try {
      sessions = await this.deps.store.list();
    } catch (e) {
      // The chat must still open (and say why the history is missing) rather than hang on "Connecting…".
      failed = true;
      this.deps.log(`listing sessions failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    return () => {
      const snap = this.snapshotWith(sessions);
      if (failed) queueMicrotask(() => this.notice('error', 'Hearth could not read its chat history; see the "Hearth" output for details.'));
      return snap;
    };
  }

  async sendMessage(content: string, opts: { model?: string; sessionId?: string } = {}): Promise<TurnHandle | undefined> {
    const model = opts.model ?? (await this.model());
    if (!model) {
      this.notice('warning', 'No model is selected. Install one with `ollama pull <model>` or pick one with "Hearth: Select Model".');
      return undefined;
    }
    const sessionId = opts.sessionId ?? this.current?.id;
    return this.startTurn(async () => (await this.deps.chat()).send({ ...(sessionId ? { sessionId } : {}), content, model, ...(this.deps.workspace ? { workspace: this.deps.workspace } : {}) }));
  }

  async regenerate(): Promise<TurnHandle | undefined> {
    const s = this.current;
    const model = await this.model();
    if (!s || !model) return undefined;
    return this.startTurn(async () => (await this.deps.chat()).regenerate(s.id, model));
  }

  async editLast(content: string): Promise<TurnHandle | undefined> {
    const s = this.current;
    const model = await this.model();
    if (!s || !model) return undefined;
    return this.startTurn(async () => (await this.deps.chat()).editLast(s.id, content, model));
  }

  /** Stops the streaming reply (the request to the server is closed). False when nothing streams. */
  cancel(): boolean {
    const a = this.active;
    if (!a) return false;
    a.handle.cancel();
    return true;
  }

  /** Resolves when the streaming reply (if any) has finished and is stored. */
  async idle(): Promise<void> {
    await this.active?.handle.finished;
  }

  newChat(): void {
    this.current = null;
    this.deps.post({ type: 'session', session: null });
  }

  async openSession(id: string): Promise<boolean> {
    const s = await this.deps.store.get(id);
    if (!s) {
      this.notice('warning', 'That chat no longer exists.');
      await this.postSessions();
      return false;
    }
    this.current = s;
    this.deps.post({ type: 'session', session: this.overlay(s) });
    return true;
  }

  async deleteSession(id: string): Promise<void> {
    if (this.active?.sessionId === id) {
      this.active.handle.cancel();
      await this.active?.handle.finished;
    }
    await this.deps.store.delete(id);
    if (this.current?.id === id) this.newChat();
    await this.postSessions();
  }

  async renameSession(id: string, title: string): Promise<void> {
    await this.deps.store.rename(id, title);
    if (this.current?.id === id) {
      this.current = { ...this.current, title: title.trim() || this.current.title };
      this.deps.post({ type: 'session', session: this.overlay(this.current) });
    }
    await this.postSessions();
  }

  async postSessions(): Promise<SessionSummary[]> {
    const sessions = await this.deps.store.list();
    this.deps.post({ type: 'sessions', sessions });
    return sessions;
  }

  dispose(): void {
    this.active?.handle.cancel();
    this.onStreamingChange.dispose();
    this.onTurnFinished.dispose();
  }

  // --- internals ---

  /** The chosen model; when none is chosen yet (e.g. "Ask About Selection" before the panel was ever opened) the server's list decides. */
  private async model(): Promise<string | undefined> {
    if (!this.deps.models.selected) await this.deps.models.ensureChecked();
    return this.deps.models.selected;
  }

  private async startTurn(start: () => Promise<TurnHandle>): Promise<TurnHandle | undefined> {
    if (this.active || this.starting) {
      this.notice('info', 'A reply is still streaming. Stop it first (Escape or "Hearth: Stop Generating").');
      return undefined;
    }
    this.starting = true;
    let handle: TurnHandle;
    try {
      handle = await start();
    } catch (e) {
      this.starting = false;
      this.deps.log(`could not start a turn: ${e instanceof Error ? e.name : 'unknown error'}`);
      this.notice('error', `Could not send: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
    this.starting = false;
    const live: ChatMessage = structuredClone(handle.assistantMessage);
    this.active = { handle, sessionId: handle.sessionId, live };
    // The service stored both messages before returning (write-ahead): the stored session is the truth.
    // A failed read must not strand the turn: pump (below) is what clears `active`.
    const stored = await this.deps.store.get(handle.sessionId).catch((e: unknown) => {
      this.deps.log(`could not re-read the session: ${e instanceof Error ? e.name : 'unknown error'}`);
      return undefined;
    });
    this.current = stored ?? this.current;
    this.deps.post({ type: 'turnStarted', sessionId: handle.sessionId, userMessage: handle.userMessage, assistantMessage: handle.assistantMessage });
    this.onStreamingChange.fire(true);
    void this.pump(this.active);
    return handle;
  }

  private async pump(turn: ActiveTurn): Promise<void> {
    let last: GatewayEvent | undefined;
    try {
      for await (const { event } of turn.handle.events()) {
        turn.live = foldEvent(turn.live, event);
        last = event;
        if (event.type === 'error' && event.code === 'unreachable') this.deps.models.markUnreachable(event.message);
        if (event.type === 'token' || event.type === 'thinking') this.deps.models.markReachable();
        this.deps.post({ type: 'event', sessionId: turn.sessionId, messageId: turn.live.id, event });
      }
    } catch (e) {
      this.deps.log(`turn stream failed: ${e instanceof Error ? e.name : 'unknown error'}`);
    }
    const finishReason = await turn.handle.finished;
    if (this.active === turn) this.active = undefined;
    if (last?.type !== 'done') this.deps.log('turn ended without a done event');
    if (this.current?.id === turn.sessionId) {
      this.current = (await this.deps.store.get(turn.sessionId).catch(() => undefined)) ?? this.current;
    }
    this.onStreamingChange.fire(false);
    this.onTurnFinished.fire({ sessionId: turn.sessionId, messageId: turn.live.id, finishReason });
    await this.postSessions().catch(() => {});
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

  private snapshotWith(sessions: SessionSummary[]): Snapshot {
    const m = this.deps.models;
    const snap: Snapshot = {
      sessions,
      current: this.current && this.overlay(this.current),
      models: m.models,
      connection: m.connection,
      capabilities: this.deps.capabilities(),
    };
    const selected = m.selected;
    if (selected) snap.selectedModel = selected;
    if (this.streaming) snap.streaming = this.streaming;
    if (this.deps.workspace) snap.workspace = this.deps.workspace;
    return snap;
  }

  private notice(level: 'info' | 'warning' | 'error', message: string): void {
    this.deps.post({ type: 'notice', level, message });
  }
}
