/**
 * One page's conversation: the answer to every WebviewToHost message — the same
 * code whether the page is VS Code's webview (postMessage) or a browser tab (the
 * gateway's /ui routes). A request (send, edit, context search/add, apply) gets
 * one typed `reply`; every other message is one-way. What the page shows (the
 * open session, the streaming reply, apply marks) is owned by `TurnState`; turns
 * go through the ChatService (write-ahead, partial flush, cancel).
 */
import { isChatError } from '../gateway/chat/errors';
import type { ChatService, TurnHandle } from '../gateway/chat/types';
import { DEFAULT_MAX_FILE_KB } from '../shared/contextRules';
import type { GatewayEvent } from '../shared/events';
import {
  isRequest,
  parseWebviewMessage,
  type ContextState,
  type HostToWebview,
  type PageRequest,
  type ReplyOf,
  type ReplyResult,
  type RequestOf,
  type RequestType,
  type Snapshot,
  type TurnReply,
  type WebviewToHost,
} from '../shared/protocol';
import type { Attachment, SessionSummary } from '../shared/session';
import type { ApplyOutcome } from './apply/target';
import { ApplyFlow } from './applyFlow';
import { checkAttachments } from './attachmentCheck';
import { UiChannel } from './channel';
import { Emitter } from './emitter';
import { LastSessionMemory } from './lastSession';
import { capabilitiesOf, type CoreServices, type Platform, type WorkspaceContext } from './platform';
import { TurnState, type LiveTurn, type TurnInfo } from './turnState';

export type { TurnInfo } from './turnState';
export { LAST_SESSION_KEY } from './lastSession';

export interface SendOptions {
  sessionId?: string;
  model?: string;
  attachments?: Attachment[];
}

/** A turn that started, or the reply saying why none did. */
type Started = { handle: TurnHandle; reply: Extract<TurnReply, { kind: 'accepted' }> } | { handle?: undefined; reply: Exclude<TurnReply, { kind: 'accepted' }> };

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

const NO_MODEL = 'No model is selected. Install one (for Ollama: `ollama pull <model>`) or pick one in the model list.';
const STILL_STREAMING = 'A reply is still streaming. Stop it first (Escape or "Hearth: Stop Generating").';
/** A refusal said as a notice: waiting for the reply in progress is information, the rest a warning. */
const refusalLevel = (reason: string): 'info' | 'warning' => (reason === STILL_STREAMING ? 'info' : 'warning');

export class Conversation {
  readonly channel: UiChannel;
  /** The open session, the live reply and the apply marks: read and written only through it. */
  private readonly turns = new TurnState<TurnHandle>();
  private readonly lastSession: LastSessionMemory;
  private readonly applies: ApplyFlow;
  // Set while a turn is being started, so two quick sends cannot both start one.
  private starting = false;
  private restored = false;
  private disposed = false;
  readonly onStreamingChange = new Emitter<boolean>();
  /** Fired when a turn has finished and its final state is stored. */
  readonly onTurnFinished = new Emitter<TurnInfo & { finishReason: string }>();
  private readonly contextSub: (() => void) | undefined;
  /** The messages a host command sent (not a page): their chips go back to the composer if they do not fit. */
  private readonly fromCommands = new WeakSet<object>();
  /** One handler per request type: the table does not compile until a new request is answered. */
  private readonly requests: { [T in RequestType]: (m: RequestOf<T>) => Promise<ReplyOf<T>> } = {
    send: async (m) => {
      const checked = await this.checkAttachments(m, m.model);
      if (!checked.ok) return checked.reply;
      const attachments = checked.attachments;
      return (await this.trySend(m.content, { ...(m.sessionId ? { sessionId: m.sessionId } : {}), ...(m.model ? { model: m.model } : {}), ...(attachments.length ? { attachments } : {}) })).reply;
    },
    editLast: async (m) => {
      const checked = await this.checkAttachments(m);
      if (!checked.ok) {
        this.giveBack();
        return checked.reply;
      }
      return (await this.tryEditLast(m.content, checked.attachments)).reply;
    },
    contextSearch: async (m) => {
      const context = this.platform.context;
      if (!context) return { kind: 'candidates', items: [] };
      try {
        return { kind: 'candidates', items: await context.search(m.query) };
      } catch (e) {
        // The picker shows "no matches" rather than an error for every key typed.
        this.services.log(`context search failed: ${errorText(e).slice(0, 200)}`);
        return { kind: 'candidates', items: [] };
      }
    },
    contextAdd: async (m) => {
      const context = this.platform.context;
      if (!context) return { kind: 'refused', reason: 'Workspace files can be attached inside VS Code; here, use the attach button.' };
      const r = await context.resolve(m.id);
      return 'error' in r ? { kind: 'refused', reason: r.error } : { kind: 'added', attachments: r.attachments };
    },
    applyCode: async (m) => ({ kind: 'applyOutcome', outcome: await this.applies.apply(m.messageId, m.code) }),
  };

  constructor(
    private readonly services: CoreServices,
    readonly platform: Platform,
    send: (m: HostToWebview) => void,
    private readonly hub: ConversationHubLink,
  ) {
    this.channel = new UiChannel(send);
    this.lastSession = new LastSessionMemory(services.prefs, platform.workspace ?? '', services.log);
    this.applies = new ApplyFlow({ platform, store: services.store, turns: this.turns, post: (m) => this.channel.post(m), log: services.log });
    this.contextSub = platform.context?.onDidChange(() => this.postContextState());
  }

  get streaming(): TurnInfo | undefined {
    return this.turns.streaming;
  }

  get currentSessionId(): string | undefined {
    return this.turns.sessionId;
  }

  /** The open session with the live reply folded in (a copy). */
  currentSession() {
    return this.turns.session();
  }

  /**
   * A message from the page (or, with origin 'command', one a command of the host
   * sends on the user's behalf): validated, then answered (a request with its
   * reply). Never throws.
   */
  async receive(raw: unknown, origin: 'page' | 'command' = 'page'): Promise<WebviewToHost | undefined> {
    const r = parseWebviewMessage(raw);
    if (!r.ok) {
      // The error names a field and a rule, never the value.
      this.services.log(`ignored an invalid message from the page: ${describe(raw)} (${r.error.slice(0, 160)})`);
      return undefined;
    }
    const m = r.value;
    if (origin === 'command') this.fromCommands.add(m);
    if (isRequest(m)) {
      // An Apply's review may stay open for minutes: its reply comes when the user decided, and nothing waits for it here.
      if (m.type === 'applyCode') void this.request(m);
      else await this.request(m);
      return m;
    }
    try {
      await this.handle(m);
    } catch (e) {
      this.services.log(`handling "${m.type}" failed: ${e instanceof Error ? `${e.name}: ${e.message.slice(0, 200)}` : 'unknown error'}`);
      this.notice('error', `Hearth could not do that: ${errorText(e)}`);
    }
    return m;
  }

  /** A request: its handler's result goes back as the reply (a failure as an `error` reply). Never throws. */
  private async request(m: PageRequest): Promise<void> {
    let result: ReplyResult;
    try {
      result = await (this.requests[m.type] as (m: PageRequest) => Promise<ReplyResult>)(m);
    } catch (e) {
      this.services.log(`handling "${m.type}" failed: ${e instanceof Error ? `${e.name}: ${e.message.slice(0, 200)}` : 'unknown error'}`);
      result = { kind: 'error', message: `Hearth could not do that: ${errorText(e)}` };
    }
    this.answer(m, result);
  }

  /**
   * The reply to the page. A request without an id (a command, a test driving the
   * host) has nobody waiting: what the user must know is said instead — a notice,
   * chips to add, a question that does not fit back in the composer.
   */
  private answer(m: PageRequest, result: ReplyResult): void {
    if (m.requestId !== undefined) {
      this.channel.post({ type: 'reply', requestId: m.requestId, result });
      return;
    }
    switch (result.kind) {
      case 'accepted':
      case 'candidates':
        return;
      case 'added':
        return this.channel.post({ type: 'attachmentsAdded', attachments: result.attachments });
      case 'refused':
        return this.notice(refusalLevel(result.reason), result.reason);
      case 'doesNotFit': {
        // Back in the composer, so the user can remove chips or send a cut version from there.
        if (m.type === 'send' || m.type === 'editLast') this.channel.post({ type: 'focusInput', prefill: m.content });
        if (result.attachments) this.channel.post({ type: 'attachmentsAdded', attachments: result.attachments });
        const { used, budget } = result.report;
        return this.notice('warning', `Not sent: the question with its attachments is about ${used.toLocaleString('en-US')} tokens, more than the ${budget.toLocaleString('en-US')} this model's context window leaves for it. Remove attachments or send a cut version.`);
      }
      case 'applyOutcome':
        if (result.outcome.status === 'failed') this.notice('warning', result.outcome.message);
        return;
      case 'error':
        return this.notice('error', result.message);
      default:
        assertNever(result);
    }
  }

  /** The one-way messages. */
  private async handle(m: Exclude<WebviewToHost, PageRequest>): Promise<void> {
    const p = this.platform;
    switch (m.type) {
      case 'ready':
        // The first page to open asks the server for its models; the answer follows the snapshot.
        void this.services.models.ensureChecked();
        return this.channel.onReady(() => this.prepareSnapshot(m.sessionId));
      case 'cancel':
        this.cancel();
        return;
      case 'newChat':
        this.newChat();
        return;
      case 'regenerate':
        await this.regenerate();
        return;
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
      case 'openLink':
        return p.openLink(m.url);
      case 'openSettings':
        return p.openSettings();
      case 'pullModel':
        if (!this.services.canPull()) return this.notice('info', 'This model server cannot pull models; install them with its own tools.');
        // A pull runs for minutes and reports through pullProgress/pullDone (it never throws):
        // the message is handled once the pull has started, so a Stop behind it is not held up.
        void this.hub.pulls.pull(m.model);
        return;
      case 'cancelPull':
        this.hub.pulls.cancel();
        return;
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
      if (s) this.show(s);
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

  /** Starts a turn (commands, tests); why none started is said as a notice. */
  async sendMessage(content: string, opts: SendOptions = {}): Promise<TurnHandle | undefined> {
    return this.said(await this.trySend(content, opts));
  }

  async regenerate(): Promise<TurnHandle | undefined> {
    const s = this.turns.sessionId;
    await this.services.prepare();
    const model = await this.model();
    if (!model) return this.said(this.gaveBack({ reply: { kind: 'refused', reason: NO_MODEL } }));
    if (!s) return undefined;
    return this.said(this.gaveBack(await this.startTurn((chat) => chat.regenerate(s, model))));
  }

  async editLast(content: string, attachments?: Attachment[]): Promise<TurnHandle | undefined> {
    return this.said(await this.tryEditLast(content, attachments));
  }

  /**
   * Proposes a code block of a reply in the open chat as a change (the platform
   * shows it for review) and records the user's decision with the reply. Why
   * nothing was proposed is said as a notice. Resolves once the user decided.
   */
  async applyCode(messageId: string, code: string): Promise<ApplyOutcome> {
    const outcome = await this.applies.apply(messageId, code);
    if (outcome.status === 'failed') this.notice('warning', outcome.message);
    return outcome;
  }

  /** Stops the streaming reply (the request to the server is closed). False when nothing streams. */
  cancel(): boolean {
    const a = this.turns.live;
    if (!a) return false;
    a.handle.cancel();
    return true;
  }

  /** Resolves when the streaming reply (if any) has finished and is stored. */
  async idle(): Promise<void> {
    await this.turns.live?.handle.finished;
  }

  newChat(): void {
    this.show(null);
    this.channel.post({ type: 'session', session: null });
  }

  async openSession(id: string): Promise<boolean> {
    const s = await this.services.store.get(id);
    if (!s) {
      this.notice('warning', 'That chat no longer exists.');
      await this.hub.sessionsChanged();
      return false;
    }
    this.show(s);
    this.channel.post({ type: 'session', session: this.turns.session() });
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
    this.turns.forgetSession(id);
    if (this.turns.sessionId === id) this.newChat();
  }

  /** The session open here was renamed or written elsewhere (the HTTP API, another window): shown again, unless a turn of ours is writing it. */
  async sessionChanged(id: string): Promise<void> {
    const idle = () => this.turns.sessionId === id && !this.turns.live && !this.starting && !this.disposed;
    if (!idle()) return;
    const s = await this.services.store.get(id);
    if (!s || !idle()) return;
    this.turns.show(s);
    this.channel.post({ type: 'session', session: this.turns.session() });
  }

  async renameSession(id: string, title: string): Promise<void> {
    await this.services.store.rename(id, title);
    if (this.turns.sessionId === id) {
      const s = await this.services.store.get(id);
      if (s && this.turns.sessionId === id) this.turns.show(s);
      this.channel.post({ type: 'session', session: this.turns.session() });
    }
    await this.hub.sessionsChanged();
  }

  /** The page went away for good (view disposed, browser tab closed): its reply is stopped. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.turns.live?.handle.cancel();
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
      workspace: !!this.platform.context && !this.platform.context.pageFiles,
      includeCurrentFile: ws?.includeCurrentFile ?? false,
      ...(ws?.currentFile ? { currentFile: ws.currentFile } : {}),
      ...(ws?.indexing ? { indexing: ws.indexing } : {}),
      ...(ws?.mentions ? { mentions: ws.mentions } : {}),
    };
  }

  /** Settings or the current file changed: the page counts with the new state. */
  postContextState(): void {
    this.channel.post({ type: 'contextState', state: this.contextState() });
  }

  // --- turns ---

  private async trySend(content: string, opts: SendOptions): Promise<Started> {
    await this.services.prepare();
    if (opts.model && opts.model !== this.services.models.selected) await this.services.models.select(opts.model);
    const model = opts.model ?? (await this.model());
    if (!model) return { reply: { kind: 'refused', reason: NO_MODEL } };
    const sessionId = opts.sessionId ?? this.turns.sessionId;
    const workspace = this.platform.workspace;
    return this.startTurn((chat) =>
      chat.send({
        ...(sessionId ? { sessionId } : {}),
        content,
        model,
        ...(workspace ? { workspace } : {}),
        ...(opts.attachments?.length ? { attachments: opts.attachments } : {}),
      }),
      sessionId,
    );
  }

  private async tryEditLast(content: string, attachments?: Attachment[]): Promise<Started> {
    const s = this.turns.sessionId;
    await this.services.prepare();
    const model = await this.model();
    if (!model) return this.gaveBack({ reply: { kind: 'refused', reason: NO_MODEL } });
    if (!s) return this.trySend(content, { model, ...(attachments?.length ? { attachments } : {}) });
    return this.gaveBack(await this.startTurn((chat) => chat.editLast(s, content, model, attachments?.length ? attachments : undefined)));
  }

  /** Why no turn started, as a notice (for callers nobody replies to); the handle otherwise. */
  private said(r: Started): TurnHandle | undefined {
    if (r.handle) return r.handle;
    const reply = r.reply;
    switch (reply.kind) {
      case 'refused':
        this.notice(refusalLevel(reply.reason), reply.reason);
        return undefined;
      case 'error':
        this.notice('error', reply.message);
        return undefined;
      case 'doesNotFit':
        this.notice('warning', 'Not sent: the question with its attachments does not fit the context window.');
        return undefined;
      default:
        return assertNever(reply);
    }
  }

  /** An edit or regenerate that started no turn (refused, failed): the page took the old turn off, so it gets the stored transcript back. */
  private gaveBack(r: Started): Started {
    if (!r.handle) this.giveBack();
    return r;
  }

  private giveBack(): void {
    this.channel.post({ type: 'session', session: this.turns.session() });
  }

  private checkAttachments(m: RequestOf<'send' | 'editLast'>, model?: string) {
    const name = model ?? this.services.models.selected;
    return checkAttachments({
      content: m.content,
      attachments: m.attachments,
      cut: m.cutToFit === true,
      // A page holds its own chips (never echo them: a page's megabytes would come straight back);
      // a command's question has nobody holding them, so they go back to the composer.
      echo: this.fromCommands.has(m),
      state: this.contextState(),
      model: this.services.models.models.find((x) => x.name === name),
      context: this.platform.context,
    });
  }

  /** The chosen model; when none is chosen yet (e.g. "Ask About Selection" before the panel was ever opened) the server's list decides. */
  private async model(): Promise<string | undefined> {
    const models = this.services.models;
    if (!models.selected) await models.ensureChecked();
    return models.selected;
  }

  private show(s: Parameters<TurnState['show']>[0]): void {
    if (this.turns.show(s)) void this.lastSession.remember(s?.id);
  }

  private async restoreLastSession(): Promise<void> {
    if (this.turns.sessionId) return;
    const id = this.lastSession.recall();
    if (!id) return;
    const s = await this.services.store.get(id).catch(() => undefined);
    // A turn may have started meanwhile (Ask About Selection right after a reload): it wins.
    if (s && !this.turns.sessionId && !this.turns.live && !this.starting) this.turns.show(s);
  }

  /** `sessionId`: the chat the turn goes into, if any (the open one unless a page named another). */
  private async startTurn(start: (chat: ChatService) => Promise<TurnHandle>, sessionId = this.turns.sessionId): Promise<Started> {
    if (this.turns.live || this.starting) return { reply: { kind: 'refused', reason: STILL_STREAMING } };
    this.starting = true;
    let handle: TurnHandle;
    try {
      handle = await start(await this.services.chat());
    } catch (e) {
      this.starting = false;
      this.services.log(`could not start a turn: ${e instanceof Error ? e.name : 'unknown error'}`);
      if (isChatError(e, 'not_found') && sessionId !== undefined) {
        // The chat is gone (deleted elsewhere, pruned; the page may have sent before it heard): the page gets an empty chat and its text back.
        this.newChat();
        return { reply: { kind: 'refused', reason: 'That chat no longer exists. Send again to start a new one.' } };
      }
      return { reply: { kind: 'error', message: `Could not send: ${errorText(e)}` } };
    }
    this.starting = false;
    if (this.disposed) {
      // The page went away while its turn was being set up: stopped, as closing it means.
      handle.cancel();
      return { reply: { kind: 'refused', reason: 'The chat was closed.' } };
    }
    const { turn, switched } = this.turns.begin(handle);
    if (switched) void this.lastSession.remember(handle.sessionId);
    // Nothing sits between the turn and its first token: the page hears of it and the
    // pump starts at once; the stored session (the truth) is read beside the stream.
    this.channel.post({ type: 'turnStarted', sessionId: handle.sessionId, userMessage: handle.userMessage, assistantMessage: handle.assistantMessage });
    this.onStreamingChange.fire(true);
    void this.pump(turn);
    void this.reread(handle.sessionId);
    return { handle, reply: { kind: 'accepted', sessionId: handle.sessionId, messageId: handle.assistantMessage.id } };
  }

  /** Re-reads the open session from the store; of overlapping reads only the latest counts. */
  private async reread(sessionId: string): Promise<void> {
    const ticket = this.turns.startRead(sessionId);
    const stored = await this.services.store.get(sessionId).catch((e: unknown) => {
      this.services.log(`could not re-read the session: ${e instanceof Error ? e.name : 'unknown error'}`);
      return undefined;
    });
    this.turns.stored(ticket, stored);
  }

  private async pump(turn: LiveTurn<TurnHandle>): Promise<void> {
    let last: GatewayEvent | undefined;
    const models = this.services.models;
    try {
      for await (const { event } of turn.handle.events()) {
        this.turns.fold(turn, event);
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
    // Marks given while the reply streamed: its final write is done, so the store now holds the reply to add them to.
    await this.applies.storeMarks(turn.sessionId, turn.live.id);
    await this.reread(turn.sessionId);
    if (this.disposed) return;
    this.onTurnFinished.fire({ sessionId: turn.sessionId, messageId: turn.live.id, finishReason });
    await this.hub.sessionsChanged().catch(() => {});
  }

  /** The turn no longer streams (once). */
  private turnOver(turn: LiveTurn<TurnHandle>): void {
    if (this.turns.end(turn) && !this.disposed) this.onStreamingChange.fire(false);
  }

  private snapshotWith(sessions: SessionSummary[]): Snapshot {
    const m = this.services.models;
    const snap: Snapshot = {
      sessions,
      current: this.turns.session(),
      models: m.models,
      connection: m.connection,
      capabilities: capabilitiesOf(this.platform, this.services),
    };
    const selected = m.selected;
    if (selected) snap.selectedModel = selected;
    const streaming = this.turns.streaming;
    if (streaming) snap.streaming = streaming;
    if (this.platform.workspace) snap.workspace = this.platform.workspace;
    snap.context = this.contextState();
    return snap;
  }
}
