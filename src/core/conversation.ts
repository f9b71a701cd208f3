/**
 * One page's conversation: the open session, the one reply streaming right now,
 * and the answer to every WebviewToHost message — the same code whether the page
 * is VS Code's webview (postMessage) or a browser tab (the gateway's /ui routes).
 * Turns go through the ChatService (write-ahead, partial flush, cancel); this
 * class keeps a live copy of the streaming reply (folded with the shared fold),
 * so a snapshot taken mid-stream has every token so far.
 */
import { isChatError } from '../gateway/chat/errors';
import type { ChatService, TurnHandle } from '../gateway/chat/types';
import { codeBlockKey, type ApplyState } from '../shared/codeBlocks';
import { DEFAULT_MAX_FILE_KB } from '../shared/contextRules';
import type { GatewayEvent } from '../shared/events';
import { checkFit, contextWindowFor, cutToFit } from '../shared/fit';
import { foldEvent } from '../shared/fold';
import { parseWebviewMessage, type ContextCandidate, type ContextState, type HostToWebview, type Snapshot, type WebviewToHost } from '../shared/protocol';
import { titleFrom, type Attachment, type ChatMessage, type Session, type SessionSummary } from '../shared/session';
import { findBlock } from './apply/fences';
import { questionTargets, type ApplyOutcome } from './apply/target';
import { UiChannel } from './channel';
import { Emitter } from './emitter';
import { capabilitiesOf, type CoreServices, type Platform, type WorkspaceContext } from './platform';

export interface TurnInfo {
  sessionId: string;
  messageId: string;
}

export interface SendOptions {
  sessionId?: string;
  model?: string;
  attachments?: Attachment[];
}

interface ActiveTurn {
  handle: TurnHandle;
  sessionId: string;
  /** The reply as streamed so far. */
  live: ChatMessage;
}

/** Where the last open session of a workspace is remembered (one key per workspace; '' = none). */
export const LAST_SESSION_KEY = 'hearth.lastSession';
const MAX_REMEMBERED_WORKSPACES = 50;

/** What the hub does for its conversations. */
export interface ConversationHubLink {
  /** The history changed: every page gets the new list. */
  sessionsChanged(): Promise<void>;
  /** A session was deleted: every page that has it open starts a new chat. */
  sessionDeleted(id: string): void;
  closed(c: Conversation): void;
  /** Pulls are shared by every page (their progress goes to all). */
  readonly pulls: { pull(model: string): Promise<void>; cancel(): boolean };
}

function assertNever(x: never): never {
  throw new Error(`unhandled webview message ${(x as { type?: unknown }).type}`);
}

/** A short, content-free description of what arrived, for the log. */
function describe(raw: unknown): string {
  const t = raw && typeof raw === 'object' ? (raw as { type?: unknown }).type : undefined;
  return typeof t === 'string' && /^[A-Za-z]{1,40}$/.test(t) ? `type "${t}"` : `a ${raw === null ? 'null' : typeof raw}`;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class Conversation {
  readonly channel: UiChannel;
  private current: Session | null = null;
  private active: ActiveTurn | undefined;
  // Set while a turn is being started, so two quick sends cannot both start one.
  private starting = false;
  private restored = false;
  private reads = 0;
  private disposed = false;
  readonly onStreamingChange = new Emitter<boolean>();
  /** Fired when a turn has finished and its final state is stored. */
  readonly onTurnFinished = new Emitter<TurnInfo & { finishReason: string }>();
  private readonly contextSub: (() => void) | undefined;

  constructor(
    private readonly services: CoreServices,
    readonly platform: Platform,
    send: (m: HostToWebview) => void,
    private readonly hub: ConversationHubLink,
  ) {
    this.channel = new UiChannel(send);
    this.contextSub = platform.context?.onDidChange(() => this.postContextState());
  }

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

  /** A message from the page: validated, then answered by one exhaustive switch. Never throws. */
  async receive(raw: unknown): Promise<WebviewToHost | undefined> {
    const r = parseWebviewMessage(raw);
    if (!r.ok) {
      // The error names a field and a rule, never the value.
      this.services.log(`ignored an invalid message from the page: ${describe(raw)} (${r.error.slice(0, 160)})`);
      return undefined;
    }
    const m = r.value;
    try {
      await this.handle(m);
    } catch (e) {
      this.services.log(`handling "${m.type}" failed: ${e instanceof Error ? `${e.name}: ${e.message.slice(0, 200)}` : 'unknown error'}`);
      this.notice('error', `Hearth could not do that: ${errorText(e)}`);
    }
    return m;
  }

  private async handle(m: WebviewToHost): Promise<void> {
    const p = this.platform;
    switch (m.type) {
      case 'ready':
        // The first page to open asks the server for its models; the answer follows the snapshot.
        void this.services.models.ensureChecked();
        return this.channel.onReady(() => this.prepareSnapshot(m.sessionId));
      case 'send': {
        const attachments = await this.prepareAttachments(m.content, m.attachments, m.cutToFit === true, m.model);
        if (!attachments) return;
        await this.sendMessage(m.content, {
          ...(m.sessionId ? { sessionId: m.sessionId } : {}),
          ...(m.model ? { model: m.model } : {}),
          ...(attachments.length ? { attachments } : {}),
        });
        return;
      }
      case 'cancel':
        this.cancel();
        return;
      case 'newChat':
        this.newChat();
        return;
      case 'regenerate':
        await this.regenerate();
        return;
      case 'editLast': {
        const attachments = await this.prepareAttachments(m.content, m.attachments, m.cutToFit === true);
        if (!attachments) return;
        await this.editLast(m.content, attachments);
        return;
      }
      case 'selectModel':
        return this.services.models.select(m.model);
      case 'refreshModels':
      case 'retryConnection':
        return this.services.models.refresh();
      case 'openSession':
        await this.openSession(m.sessionId);
        return;
      case 'deleteSession':
        return this.deleteSession(m.sessionId);
      case 'renameSession':
        return this.renameSession(m.sessionId, m.title);
      case 'exportSession': {
        const s = await this.services.store.get(m.sessionId);
        if (!s) return this.notice('warning', 'That chat no longer exists.');
        return p.exportSession(s);
      }
      case 'copy':
        return p.copy(m.text);
      case 'insertCode':
        return p.insertCode(m.code);
      case 'openInEditor':
        return p.openInEditor(m.code, m.language);
      case 'applyCode':
        // Not awaited: the review may stay open for minutes; its outcome arrives as `applyState`.
        void this.applyCode(m.messageId, m.code);
        return;
      case 'openLink':
        return p.openLink(m.url);
      case 'openSettings':
        return p.openSettings();
      case 'pullModel':
        if (!this.services.canPull()) return this.notice('info', 'This model server cannot pull models; install them with its own tools.');
        return this.hub.pulls.pull(m.model);
      case 'cancelPull':
        this.hub.pulls.cancel();
        return;
      case 'contextSearch': {
        let items: ContextCandidate[] = [];
        try {
          items = p.context ? await p.context.search(m.query) : [];
        } catch (e) {
          // The picker waits for an answer: an empty one, rather than none.
          this.services.log(`context search failed: ${e instanceof Error ? e.message.slice(0, 200) : 'unknown error'}`);
        }
        this.channel.post({ type: 'contextCandidates', requestId: m.requestId, items });
        return;
      }
      case 'contextAdd': {
        if (!p.context) return this.notice('info', 'Workspace files can be attached inside VS Code; here, use the attach button.');
        const r = await p.context.resolve(m.id);
        if ('error' in r) return this.notice('warning', r.error);
        this.channel.post({ type: 'attachmentsAdded', attachments: r.attachments });
        return;
      }
      case 'openAttachment':
        return p.context?.open(m.uri, m.range);
      default:
        assertNever(m);
    }
  }

  /**
   * Loads what a snapshot needs (after start-up recovery, so a reply a crash left
   * "streaming" shows as interrupted); the returned function builds it synchronously.
   */
  async prepareSnapshot(openId?: string): Promise<() => Snapshot> {
    await this.services.ready();
    if (openId) {
      this.restored = true;
      const s = await this.services.store.get(openId).catch(() => undefined);
      if (s) this.setCurrent(s);
      else queueMicrotask(() => this.notice('warning', 'That chat was not found.'));
    } else if (!this.restored) {
      // A page opening for the first time in this process: reopen where the user was.
      this.restored = true;
      await this.restoreLastSession();
    }
    let sessions: SessionSummary[] = [];
    let failed = false;
    try {
      sessions = await this.services.store.list();
    } catch (e) {
      // The chat must still open (and say why the history is missing) rather than hang on "Connecting…".
      failed = true;
      this.services.log(`listing sessions failed: ${errorText(e)}`);
    }
    return () => {
      const snap = this.snapshotWith(sessions);
      if (failed) queueMicrotask(() => this.notice('error', 'Hearth could not read its chat history; see the log for details.'));
      return snap;
    };
  }

  async sendMessage(content: string, opts: SendOptions = {}): Promise<TurnHandle | undefined> {
    await this.services.prepare();
    if (opts.model && opts.model !== this.services.models.selected) await this.services.models.select(opts.model);
    const model = opts.model ?? (await this.model());
    if (!model) return this.noModel();
    const sessionId = opts.sessionId ?? this.current?.id;
    const workspace = this.platform.workspace;
    return this.startTurn((chat) =>
      chat.send({
        ...(sessionId ? { sessionId } : {}),
        content,
        model,
        ...(workspace ? { workspace } : {}),
        ...(opts.attachments?.length ? { attachments: opts.attachments } : {}),
      }),
    );
  }

  async regenerate(): Promise<TurnHandle | undefined> {
    const s = this.current;
    await this.services.prepare();
    const model = await this.model();
    if (!model) return this.noModel(true);
    if (!s) return undefined;
    return this.gaveBack(await this.startTurn((chat) => chat.regenerate(s.id, model)));
  }

  async editLast(content: string, attachments?: Attachment[]): Promise<TurnHandle | undefined> {
    const s = this.current;
    await this.services.prepare();
    const model = await this.model();
    if (!model) return this.noModel(true);
    if (!s) return this.sendMessage(content, { model, ...(attachments?.length ? { attachments } : {}) });
    return this.gaveBack(await this.startTurn((chat) => chat.editLast(s.id, content, model, attachments?.length ? attachments : undefined)));
  }

  /** No turn: says why; an edit or regenerate (the page already took the old turn off) gets the transcript back too. */
  private noModel(restore = false): undefined {
    this.notice('warning', 'No model is selected. Install one (for Ollama: `ollama pull <model>`) or pick one in the model list.');
    if (restore) this.refused();
    return undefined;
  }

  /** An edit or regenerate that started no turn (refused, failed): the page gets the stored transcript back. */
  private gaveBack(h: TurnHandle | undefined): TurnHandle | undefined {
    if (!h) this.refused();
    return h;
  }

  /**
   * Proposes a code block of a reply in the open chat as a change (the platform
   * shows it for review) and records the user's decision with the reply. Only a
   * block of the reply's answer text qualifies — never its reasoning, never a
   * block still being written. The request carries what the question was about
   * (its attachments with a URI and range), the first place to apply to.
   * Resolves with the outcome once the user decided; never throws.
   */
  async applyCode(messageId: string, code: string): Promise<ApplyOutcome> {
    const refuse = (level: 'info' | 'warning', message: string): ApplyOutcome => {
      this.notice(level, message);
      return { status: 'failed', message };
    };
    if (!this.platform.editor) return refuse('info', 'Applying code needs a workspace: it works in Hearth inside VS Code. Use Copy here.');
    const s = this.current && this.overlay(this.current);
    const at = s ? s.messages.findIndex((x) => x.id === messageId) : -1;
    const reply = s?.messages[at];
    if (!s || !reply || reply.role !== 'assistant') return refuse('warning', 'That reply is no longer in the open chat.');
    const block = findBlock(reply.content, code, reply.status !== 'streaming');
    if (!block) return refuse('warning', 'Only a complete code block of the reply itself can be applied (not its reasoning, not a block still being written).');
    const question = s.messages.slice(0, at).reverse().find((x) => x.role === 'user');
    const key = codeBlockKey(block.code);
    let outcome: ApplyOutcome;
    try {
      outcome = await this.platform.applyCode({ code: block.code, info: block.info, targets: questionTargets(question?.attachments) });
    } catch (e) {
      this.services.log(`apply failed: ${e instanceof Error ? e.name : 'unknown error'}`);
      return refuse('warning', `Hearth could not apply the block: ${errorText(e)}. Nothing was changed.`);
    }
    if (outcome.status === 'failed') this.notice('warning', outcome.message);
    else if (outcome.status === 'applied' || outcome.status === 'rejected') await this.recordApply(s.id, messageId, key, outcome.status);
    return outcome;
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
    this.setCurrent(null);
    this.channel.post({ type: 'session', session: null });
  }

  async openSession(id: string): Promise<boolean> {
    const s = await this.services.store.get(id);
    if (!s) {
      this.notice('warning', 'That chat no longer exists.');
      await this.hub.sessionsChanged();
      return false;
    }
    this.setCurrent(s);
    this.channel.post({ type: 'session', session: this.overlay(s) });
    return true;
  }

  async deleteSession(id: string): Promise<void> {
    // A reply still being written there (from this page or another) is stopped first, so its last write cannot bring the file back.
    const chat = await this.services.chat();
    const turn = chat.turn(id);
    if (chat.cancel(id) && turn) await turn.finished;
    await this.services.store.delete(id);
    this.hub.sessionDeleted(id);
    await this.hub.sessionsChanged();
  }

  /** The session open here was deleted (here or on another page): a new chat instead. */
  sessionGone(id: string): void {
    if (this.current?.id === id) this.newChat();
  }

  /** The session open here was renamed or written elsewhere (the HTTP API, another window): shown again, unless a turn of ours is writing it. */
  async sessionChanged(id: string): Promise<void> {
    const idle = () => this.current?.id === id && !this.active && !this.starting && !this.disposed;
    if (!idle()) return;
    const s = await this.services.store.get(id);
    if (!s || !idle()) return;
    this.current = s;
    this.channel.post({ type: 'session', session: this.overlay(s) });
  }

  async renameSession(id: string, title: string): Promise<void> {
    await this.services.store.rename(id, title);
    if (this.current?.id === id) {
      this.current = (await this.services.store.get(id)) ?? this.current;
      this.channel.post({ type: 'session', session: this.overlay(this.current) });
    }
    await this.hub.sessionsChanged();
  }

  /** The page went away for good (view disposed, browser tab closed): its reply is stopped. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.active?.handle.cancel();
    this.channel.dispose();
    this.onStreamingChange.dispose();
    this.onTurnFinished.dispose();
    this.contextSub?.();
    this.hub.closed(this);
  }

  notice(level: 'info' | 'warning' | 'error', message: string): void {
    this.channel.post({ type: 'notice', level, message });
  }

  /** What the composer counts and offers with: the fit settings, and the editor's current file. */
  contextState(): ContextState {
    const f = this.services.fitSettings?.() ?? { contextLength: 0, reservedTokens: 0, maxFileKB: DEFAULT_MAX_FILE_KB };
    let ws: ReturnType<WorkspaceContext['state']> | undefined;
    try {
      ws = this.platform.context?.state();
    } catch (e) {
      // The chat must still open (and count) without the editor's current file rather than hang on "Connecting…".
      this.services.log(`reading the workspace context failed: ${errorText(e).slice(0, 200)}`);
    }
    return {
      contextLength: f.contextLength,
      reservedTokens: f.reservedTokens,
      maxFileKB: f.maxFileKB,
      workspace: !!this.platform.context,
      includeCurrentFile: ws?.includeCurrentFile ?? false,
      ...(ws?.currentFile ? { currentFile: ws.currentFile } : {}),
    };
  }

  /** Settings or the current file changed: the page counts with the new state. */
  postContextState(): void {
    this.channel.post({ type: 'contextState', state: this.contextState() });
  }

  // --- internals ---

  /** Nothing was sent: the page gets the transcript back as stored (an edit-and-resend had already taken its question off). */
  private refused(): void {
    this.channel.post({ type: 'session', session: this.currentSession() });
  }

  /**
   * The attachments to send, or undefined when the page was told why not. Chips
   * are read again first (a file changed since it was attached is sent as it is
   * now); then the question with them must fit the context window. It never is
   * cut silently: without the page's `cutToFit` it is sent back (fitRefused) so
   * the user chooses; with it, attachments are cut, each marked as cut.
   */

  private async prepareAttachments(content: string, attachments: Attachment[] | undefined, cut: boolean, model?: string): Promise<Attachment[] | undefined> {
    if (!attachments?.length) return [];
    let list = attachments;
    if (this.platform.context) {
      const r = await this.platform.context.refresh(list);
      if ('error' in r) {
        this.refused();
        this.notice('warning', r.error);
        return undefined;
      }
      list = r.attachments;
    }
    const state = this.contextState();
    const name = model ?? this.services.models.selected;
    const info = this.services.models.models.find((x) => x.name === name);
    const input = { content, attachments: list, window: contextWindowFor(state.contextLength, info).tokens, reserved: state.reservedTokens };
    const report = checkFit(input);
    if (report.fits) return list;
    if (!cut) {
      this.refused();
      // Only what reading again changed goes back: the page has the rest already.
      const changed = list.length !== attachments.length || list.some((a, i) => a.content !== attachments[i]!.content);
      this.channel.post({ type: 'fitRefused', content, ...(changed ? { attachments: list } : {}), report: { window: report.window, budget: report.budget, used: report.used } });
      return undefined;
    }
    const r = cutToFit(input);
    if (!r.report.fits) {
      this.refused();
      this.notice('warning', `The question alone is about ${r.report.used.toLocaleString('en-US')} tokens, more than the ${r.report.budget.toLocaleString('en-US')} this model's context window leaves for it. Shorten the question.`);
      return undefined;
    }
    return r.attachments;
  }

  /** The chosen model; when none is chosen yet (e.g. "Ask About Selection" before the panel was ever opened) the server's list decides. */
  private async model(): Promise<string | undefined> {
    const models = this.services.models;
    if (!models.selected) await models.ensureChecked();
    return models.selected;
  }

  private setCurrent(s: Session | null): void {
    this.current = s;
    void this.rememberCurrent(s?.id);
  }

  private lastSessions(): Record<string, string> {
    const v = this.services.prefs.get<unknown>(LAST_SESSION_KEY);
    return v && typeof v === 'object' && !Array.isArray(v) ? { ...(v as Record<string, string>) } : {};
  }

  private async rememberCurrent(id: string | undefined): Promise<void> {
    const key = this.platform.workspace ?? '';
    const all = this.lastSessions();
    if (all[key] === id) return;
    delete all[key];
    if (id) all[key] = id;
    // Most recent last; a bounded map, so the preference stays tiny.
    const entries = Object.entries(all).slice(-MAX_REMEMBERED_WORKSPACES);
    try {
      await this.services.prefs.update(LAST_SESSION_KEY, Object.fromEntries(entries));
    } catch (e) {
      this.services.log(`could not remember the open chat: ${errorText(e)}`);
    }
  }

  private async restoreLastSession(): Promise<void> {
    if (this.current) return;
    const id = this.lastSessions()[this.platform.workspace ?? ''];
    if (typeof id !== 'string') return;
    const s = await this.services.store.get(id).catch(() => undefined);
    // A turn may have started meanwhile (Ask About Selection right after a reload): it wins.
    if (s && !this.current && !this.active && !this.starting) this.current = s;
  }

  private async startTurn(start: (chat: ChatService) => Promise<TurnHandle>): Promise<TurnHandle | undefined> {
    if (this.active || this.starting) {
      this.notice('info', 'A reply is still streaming. Stop it first (Escape or "Hearth: Stop Generating").');
      return undefined;
    }
    this.starting = true;
    let handle: TurnHandle;
    try {
      handle = await start(await this.services.chat());
    } catch (e) {
      this.starting = false;
      this.services.log(`could not start a turn: ${e instanceof Error ? e.name : 'unknown error'}`);
      if (isChatError(e, 'not_found') && this.current) {
        // The open chat is gone (deleted elsewhere, pruned): the page gets an empty chat and its text back.
        this.newChat();
        this.notice('warning', 'That chat no longer exists. Send again to start a new one.');
      } else {
        this.notice('error', `Could not send: ${errorText(e)}`);
      }
      return undefined;
    }
    this.starting = false;
    if (this.disposed) {
      // The page went away while its turn was being set up: stopped, as closing it means.
      handle.cancel();
      return undefined;
    }
    const turn: ActiveTurn = { handle, sessionId: handle.sessionId, live: structuredClone(handle.assistantMessage) };
    this.active = turn;
    // Nothing sits between the turn and its first token: the page hears of it and the
    // pump starts at once; the stored session (the truth) is read beside the stream.
    if (this.current?.id !== handle.sessionId) this.setCurrent(this.provisional(handle));
    this.channel.post({ type: 'turnStarted', sessionId: handle.sessionId, userMessage: handle.userMessage, assistantMessage: handle.assistantMessage });
    this.onStreamingChange.fire(true);
    void this.pump(turn);
    void this.reread(handle.sessionId);
    return handle;
  }

  /** Re-reads the open session from the store; of overlapping reads only the latest counts. */
  private async reread(sessionId: string): Promise<void> {
    const n = ++this.reads;
    const stored = await this.services.store.get(sessionId).catch((e: unknown) => {
      this.services.log(`could not re-read the session: ${e instanceof Error ? e.name : 'unknown error'}`);
      return undefined;
    });
    if (stored && n === this.reads && this.current?.id === sessionId) this.current = stored;
  }

  /** Until the stored session is read: the session as the turn describes it (its question; the live reply is overlaid). */
  private provisional(h: TurnHandle): Session {
    const at = h.userMessage.created_at;
    return { id: h.sessionId, title: titleFrom(h.userMessage.content), created_at: at, updated_at: at, messages: [structuredClone(h.userMessage)] };
  }

  private async pump(turn: ActiveTurn): Promise<void> {
    let last: GatewayEvent | undefined;
    const models = this.services.models;
    try {
      for await (const { event } of turn.handle.events()) {
        turn.live = foldEvent(turn.live, event);
        last = event;
        if (event.type === 'error' && event.code === 'unreachable') models.markUnreachable(event.message);
        if (event.type === 'token' || event.type === 'thinking') models.markReachable();
        this.channel.post({ type: 'event', sessionId: turn.sessionId, messageId: turn.live.id, event });
        // The page shows the reply as finished now: the next question must be accepted now too.
        if (event.type === 'done') this.turnOver(turn);
      }
    } catch (e) {
      this.services.log(`turn stream failed: ${e instanceof Error ? e.name : 'unknown error'}`);
    }
    const finishReason = await turn.handle.finished;
    this.turnOver(turn);
    if (last?.type !== 'done') this.services.log('turn ended without a done event');
    await this.reread(turn.sessionId);
    if (this.disposed) return;
    this.onTurnFinished.fire({ sessionId: turn.sessionId, messageId: turn.live.id, finishReason });
    await this.hub.sessionsChanged().catch(() => {});
  }

  /** The turn no longer streams (once). Its reply stays in the open session while the stored copy is read back (a snapshot or an Apply in between must not see the write-ahead placeholder). */
  private turnOver(turn: ActiveTurn): void {
    if (this.active !== turn) return;
    if (this.current?.id === turn.sessionId) this.current = this.overlay(this.current);
    this.active = undefined;
    if (!this.disposed) this.onStreamingChange.fire(false);
  }


  /** Stores what became of a block with its reply (so a reload shows it) and tells the page. */
  private async recordApply(sessionId: string, messageId: string, key: string, state: ApplyState): Promise<void> {
    const fromCurrent = this.current?.id === sessionId ? this.current.messages.find((m) => m.id === messageId) : undefined;
    const prior = fromCurrent ?? (await this.services.store.get(sessionId).catch(() => undefined))?.messages.find((m) => m.id === messageId);
    if (!prior) return; // the session or reply is gone (deleted, regenerated)
    const applied = { ...prior.applied, [key]: state };
    try {
      await this.services.store.updateMessage(sessionId, messageId, { applied });
    } catch (e) {
      this.services.log(`could not store the apply outcome: ${errorText(e)}`);
    }
    if (this.current?.id === sessionId) {
      this.current = { ...this.current, messages: this.current.messages.map((m) => (m.id === messageId ? { ...m, applied } : m)) };
    }
    // A reply still streaming: its live copy is what snapshots show.
    if (this.active?.live.id === messageId) this.active.live = { ...this.active.live, applied };
    this.channel.post({ type: 'applyState', sessionId, messageId, key, state });
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
    const m = this.services.models;
    const snap: Snapshot = {
      sessions,
      current: this.current && this.overlay(this.current),
      models: m.models,
      connection: m.connection,
      capabilities: capabilitiesOf(this.platform, this.services),
    };
    const selected = m.selected;
    if (selected) snap.selectedModel = selected;
    if (this.streaming) snap.streaming = this.streaming;
    if (this.platform.workspace) snap.workspace = this.platform.workspace;
    snap.context = this.contextState();
    return snap;
  }
}
