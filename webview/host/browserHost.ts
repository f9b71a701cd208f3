import type { GatewayEvent } from '../../src/shared/events';
import type { ModelInfo } from '../../src/shared/models';
import { parseHostMessage, type ConnectionState, type HostToWebview, type Snapshot, type WebviewToHost } from '../../src/shared/protocol';
import type { ChatMessage, Session, SessionSummary } from '../../src/shared/session';
import { exportFileName, sessionToMarkdown } from '../../src/shared/exportMarkdown';
import { GatewayApi, GatewayHttpError, type SequencedGatewayEvent } from './gatewayApi';
import { Listeners, type Host, type UiState } from './types';

/** What the browser host needs from its page; injectable for tests. */
export interface BrowserEnv {
  fetch: typeof fetch;
  location: { hash: string; pathname: string; search: string; origin: string };
  history: { replaceState(data: unknown, unused: string, url?: string): void };
  localStorage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  sessionStorage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  confirm(message: string): boolean;
  open(url: string, target: string, features: string): unknown;
  clipboard?: { writeText(text: string): Promise<void> };
  download(fileName: string, text: string): void;
  now(): number;
  randomId(): string;
  /** How often /health is re-checked while Ollama is unreachable (default 10 s). */
  healthPollMs?: number;
}

const MODEL_KEY = 'hearth.model';
const UI_KEY = 'hearth.ui';
const TOKEN_KEY = 'hearth.token';

function defaultDownload(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/markdown;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function defaultBrowserEnv(): BrowserEnv {
  return {
    fetch: window.fetch.bind(window),
    location: window.location,
    history: window.history,
    localStorage: window.localStorage,
    sessionStorage: window.sessionStorage,
    confirm: (m) => window.confirm(m),
    open: (u, t, f) => window.open(u, t, f),
    clipboard: navigator.clipboard,
    download: defaultDownload,
    now: () => Date.now(),
    randomId: () => crypto.randomUUID(),
  };
}

/** Reads `#token=T&session=S`, then removes it from the visible URL (and from history). */
export function takeFragment(env: BrowserEnv): { token?: string; session?: string } {
  const hash = env.location.hash.replace(/^#/, '');
  const params = new URLSearchParams(hash);
  const token = params.get('token') ?? undefined;
  const session = params.get('session') ?? undefined;
  if (hash) env.history.replaceState(null, '', env.location.pathname + env.location.search);
  return { token, session };
}

interface OpenTurn {
  sessionId?: string;
  cancelRequested: boolean;
}

/**
 * Host for a browser tab served by the standalone gateway: the webview protocol
 * mapped onto its HTTP/SSE API. The UI cannot tell it from the VS Code host.
 */
export class BrowserHost implements Host {
  private readonly listeners = new Listeners<HostToWebview>();
  private readonly api: GatewayApi;
  private readonly token: string | undefined;
  private pendingSession: string | undefined;
  private current: Session | null = null;
  private models: ModelInfo[] = [];
  private selectedModel: string | undefined;
  private turn: OpenTurn | undefined;
  private pullAbort: AbortController | undefined;
  private disposed = false;
  private readonly turnAbort = new AbortController();
  /** While Ollama is unreachable, /health is asked again now and then so the banner clears by itself. */
  private healthTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly env: BrowserEnv = defaultBrowserEnv()) {
    const frag = takeFragment(env);
    // Kept for this tab only, so a reload still works once the fragment is gone.
    if (frag.token) env.sessionStorage.setItem(TOKEN_KEY, frag.token);
    this.token = frag.token ?? env.sessionStorage.getItem(TOKEN_KEY) ?? undefined;
    this.pendingSession = frag.session;
    this.selectedModel = env.localStorage.getItem(MODEL_KEY) ?? undefined;
    this.api = new GatewayApi(this.token ?? '', env.fetch);
  }

  onMessage(listener: (m: HostToWebview) => void): () => void {
    return this.listeners.add(listener);
  }

  getUiState(): UiState {
    try {
      const raw = JSON.parse(this.env.sessionStorage.getItem(UI_KEY) ?? '{}') as Record<string, unknown>;
      return {
        draft: typeof raw.draft === 'string' ? raw.draft : undefined,
        view: raw.view === 'history' || raw.view === 'chat' ? raw.view : undefined,
      };
    } catch {
      return {};
    }
  }

  setUiState(state: UiState): void {
    this.env.sessionStorage.setItem(UI_KEY, JSON.stringify(state));
  }

  dispose(): void {
    this.disposed = true;
    if (this.healthTimer) clearTimeout(this.healthTimer);
    this.turnAbort.abort();
    this.pullAbort?.abort();
    this.listeners.clear();
  }

  post(msg: WebviewToHost): void {
    this.handle(msg).catch((e: unknown) => this.report(e));
  }

  /** Everything we hand the UI passes the same validator as in VS Code. */
  private emit(m: HostToWebview): void {
    if (this.disposed) return;
    const parsed = parseHostMessage(m);
    if (!parsed.ok) {
      console.warn(`[hearth] dropped invalid host message: ${parsed.error}`);
      return;
    }
    this.listeners.emit(parsed.value);
  }

  private notice(level: 'info' | 'warning' | 'error', message: string): void {
    this.emit({ type: 'notice', level, message });
  }

  private report(e: unknown): void {
    if (e instanceof GatewayHttpError && e.status === 401) {
      this.notice('error', "This page needs the gateway's token: open the URL the gateway printed at start-up (…/#token=…).");
    } else if (e instanceof GatewayHttpError) {
      this.notice('error', e.message);
    } else if (e instanceof Error && e.name === 'AbortError') {
      // we cancelled it
    } else {
      this.notice('error', `The Hearth gateway did not answer (${e instanceof Error ? e.message : String(e)}). Is it still running?`);
      this.emit({ type: 'connection', connection: { status: 'unreachable', url: this.env.location.origin, error: 'the Hearth gateway is not responding' } });
    }
  }

  private async handle(msg: WebviewToHost): Promise<void> {
    switch (msg.type) {
      case 'ready':
        return this.sendSnapshot();
      case 'send':
        return this.runTurn({ content: msg.content, model: msg.model ?? this.selectedModel, ...(msg.sessionId ? { sessionId: msg.sessionId } : {}) });
      case 'cancel':
        return this.cancelTurn();
      case 'newChat':
        this.current = null;
        this.emit({ type: 'session', session: null });
        return;
      case 'regenerate':
        return this.regenerate();
      case 'editLast':
        return this.editLast(msg.content);
      case 'selectModel':
        this.selectedModel = msg.model;
        this.env.localStorage.setItem(MODEL_KEY, msg.model);
        this.emit({ type: 'models', models: this.models, selectedModel: msg.model });
        return;
      case 'refreshModels':
        return this.refreshModels();
      case 'retryConnection':
        await this.refreshConnection();
        return this.refreshModels();
      case 'openSession':
        return this.openSession(msg.sessionId);
      case 'deleteSession':
        await this.api.remove(msg.sessionId);
        if (this.current?.id === msg.sessionId) {
          this.current = null;
          this.emit({ type: 'session', session: null });
        }
        return this.refreshSessions();
      case 'renameSession':
        await this.api.rename(msg.sessionId, msg.title);
        if (this.current?.id === msg.sessionId) this.current = { ...this.current, title: msg.title };
        return this.refreshSessions();
      case 'exportSession': {
        const s = await this.api.session(msg.sessionId);
        this.env.download(exportFileName(s), sessionToMarkdown(s));
        return;
      }
      case 'copy':
        if (!this.env.clipboard) throw new Error('the clipboard is not available on this page');
        await this.env.clipboard.writeText(msg.text);
        this.notice('info', 'Copied.');
        return;
      case 'insertCode':
      case 'openInEditor':
        this.notice('info', 'Inserting into an editor is only available inside VS Code.');
        return;
      case 'openLink':
        // The user sees the full address before anything opens; the page gets no handle to it.
        if (this.env.confirm(`Open this link in a new tab?\n\n${msg.url}`)) this.env.open(msg.url, '_blank', 'noopener,noreferrer');
        return;
      case 'openSettings':
        this.notice('info', 'The standalone gateway is configured by environment variables: OLLAMA_HOST (Ollama URL), HEARTH_GATEWAY_PORT, HEARTH_DATA_DIR, HEARTH_SYSTEM_PROMPT. Restart it after a change.');
        return;
      case 'pullModel':
        return this.pull(msg.model);
      case 'cancelPull':
        this.pullAbort?.abort();
        return;
    }
  }

  private async sendSnapshot(): Promise<void> {
    if (!this.token) {
      const state: Snapshot = {
        sessions: [],
        current: null,
        models: [],
        connection: { status: 'unknown', url: this.env.location.origin },
        capabilities: { editor: false, pull: true },
      };
      this.emit({ type: 'snapshot', state });
      this.notice('error', "No token: open the URL the gateway printed at start-up (it ends with #token=…).");
      return;
    }
    const [connection, models, sessions] = await Promise.all([
      this.connectionState(),
      this.api.models().catch(() => [] as ModelInfo[]),
      this.api.sessions().catch((e: unknown) => {
        this.report(e);
        return [] as SessionSummary[];
      }),
    ]);
    this.models = models;
    // A remembered model that is gone stays selected: the picker shows it as not installed.
    if (!this.selectedModel && models.length > 0) this.selectedModel = models[0]!.name;
    if (this.pendingSession) {
      const id = this.pendingSession;
      this.pendingSession = undefined;
      this.current = await this.api.session(id).catch(() => {
        this.notice('warning', `Session ${id} was not found.`);
        return null;
      });
    }
    const state: Snapshot = {
      sessions,
      current: this.current,
      models,
      connection,
      capabilities: { editor: false, pull: true },
      ...(this.selectedModel ? { selectedModel: this.selectedModel } : {}),
    };
    this.emit({ type: 'snapshot', state });
    this.watchHealth(connection);
  }

  private async connectionState(): Promise<ConnectionState> {
    try {
      const h = await this.api.health();
      const url = h.ollama.url ?? 'Ollama (OLLAMA_HOST of the gateway)';
      return h.ollama.reachable
        ? { status: 'ok', url, ...(h.ollama.version ? { version: h.ollama.version } : {}) }
        : { status: 'unreachable', url, error: h.ollama.error ?? 'connection refused' };
    } catch (e) {
      return { status: 'unreachable', url: this.env.location.origin, error: `the Hearth gateway is not responding (${e instanceof Error ? e.message : String(e)})` };
    }
  }

  private async refreshConnection(): Promise<void> {
    this.publishConnection(await this.connectionState());
  }

  private publishConnection(connection: ConnectionState): void {
    this.emit({ type: 'connection', connection });
    this.watchHealth(connection);
  }

  private watchHealth(connection: ConnectionState): void {
    if (this.healthTimer) clearTimeout(this.healthTimer);
    this.healthTimer = undefined;
    if (connection.status !== 'unreachable' || this.disposed) return;
    this.healthTimer = setTimeout(() => {
      this.healthTimer = undefined;
      void this.connectionState().then(async (c) => {
        if (this.disposed) return;
        this.publishConnection(c);
        if (c.status === 'ok') await this.refreshModels().catch(() => undefined);
      });
    }, this.env.healthPollMs ?? 10_000);
  }

  private async refreshModels(): Promise<void> {
    this.models = await this.api.models();
    if (!this.selectedModel && this.models.length > 0) this.selectedModel = this.models[0]!.name;
    this.emit({ type: 'models', models: this.models, ...(this.selectedModel ? { selectedModel: this.selectedModel } : {}) });
  }

  private async refreshSessions(): Promise<void> {
    this.emit({ type: 'sessions', sessions: await this.api.sessions() });
  }

  private async openSession(id: string): Promise<void> {
    this.current = await this.api.session(id);
    this.emit({ type: 'session', session: this.current });
  }

  private async cancelTurn(): Promise<void> {
    const t = this.turn;
    if (!t) return;
    t.cancelRequested = true;
    // Before the first event we do not know the session yet; the cancel goes out once we do.
    if (t.sessionId) await this.api.cancel(t.sessionId);
  }

  private lastQuestion(): ChatMessage | undefined {
    return [...(this.current?.messages ?? [])].reverse().find((m) => m.role === 'user');
  }

  /**
   * Regenerate / edit-and-resend use the gateway's routes for them when it has
   * them; an older gateway without them gets the question asked again instead.
   */
  private async regenerate(): Promise<void> {
    const q = this.lastQuestion();
    if (!q || !this.current) return;
    const sid = this.current.id;
    return this.runTurn(
      { content: q.content, model: this.selectedModel, sessionId: sid, reuseUserId: q.id },
      { path: `/chat/${encodeURIComponent(sid)}/regenerate`, body: { model: this.selectedModel } },
    );
  }

  private async editLast(content: string): Promise<void> {
    if (!this.current) return this.runTurn({ content, model: this.selectedModel });
    const sid = this.current.id;
    return this.runTurn({ content, model: this.selectedModel, sessionId: sid }, { path: `/chat/${encodeURIComponent(sid)}/edit`, body: { content, model: this.selectedModel } });
  }

  private async runTurn(input: { content: string; model?: string; sessionId?: string; reuseUserId?: string }, special?: { path: string; body: unknown }): Promise<void> {
    if (this.turn) {
      this.notice('warning', 'A reply is still being written: stop it first.');
      return;
    }
    if (!input.model) {
      this.notice('error', 'Choose a model first.');
      return;
    }
    const userId = input.reuseUserId ?? this.env.randomId();
    const turn: OpenTurn = { sessionId: input.sessionId, cancelRequested: false };
    this.turn = turn;
    const body = { content: input.content, model: input.model, message_id: userId, ...(input.sessionId ? { session_id: input.sessionId } : {}) };
    let started: { sessionId: string; messageId: string } | undefined;
    let lastId: number | undefined;
    let finished = false;
    const onEvent = async (se: SequencedGatewayEvent) => {
      if (se.id !== undefined) lastId = se.id;
      const e = se.event;
      if (!started) {
        const ids = firstIds(e);
        if (!ids) return; // nothing to attach it to yet
        started = ids;
        turn.sessionId = ids.sessionId;
        const now = this.env.now();
        const userMessage: ChatMessage = { id: userId, role: 'user', content: input.content, status: 'complete', created_at: now };
        const assistantMessage: ChatMessage = { id: ids.messageId, role: 'assistant', content: '', status: 'streaming', created_at: now, model: input.model };
        this.emit({ type: 'turnStarted', sessionId: ids.sessionId, userMessage, assistantMessage });
        if (turn.cancelRequested) void this.api.cancel(ids.sessionId).catch((err: unknown) => this.report(err));
      }
      this.emit({ type: 'event', sessionId: started.sessionId, messageId: started.messageId, event: e });
      if (e.type === 'error' && e.code === 'unreachable') void this.refreshConnection().catch(() => undefined);
      if (e.type === 'done') finished = true;
    };
    const onInvalid = (why: string) => console.warn(`[hearth] dropped an invalid event: ${why}`);
    const open = (path: string, b: unknown) => this.api.stream('POST', path, b, { signal: this.turnAbort.signal, onInvalid });
    try {
      let events: AsyncGenerator<SequencedGatewayEvent>;
      if (special) {
        try {
          events = await firstOf(open(special.path, special.body));
        } catch (e) {
          if (!(e instanceof GatewayHttpError && (e.status === 404 || e.status === 405) && e.message.includes('route'))) throw e;
          events = open('/chat/stream', { ...body, message_id: this.env.randomId() });
        }
      } else {
        events = open('/chat/stream', body);
      }
      for await (const se of events) await onEvent(se);
      // The stream broke before `done`: resume it once from the last event we saw.
      for (let attempt = 0; !finished && started && attempt < 3; attempt++) {
        const sid: string = started.sessionId;
        for await (const se of this.api.stream('GET', `/chat/stream/${encodeURIComponent(sid)}`, undefined, { signal: this.turnAbort.signal, lastEventId: lastId ?? 0, onInvalid })) {
          await onEvent(se);
        }
        if (!finished) {
          // Nothing left to resume (204): the stored transcript is the truth.
          const s = await this.api.session(sid);
          this.current = s;
          this.emit({ type: 'session', session: s });
          finished = true;
        }
      }
    } catch (e) {
      if (started && !finished) {
        this.emit({ type: 'event', sessionId: started.sessionId, messageId: started.messageId, event: { type: 'error', code: 'truncated', message: 'The connection to the gateway was lost before the reply ended.', retryable: true } });
        this.emit({ type: 'event', sessionId: started.sessionId, messageId: started.messageId, event: { type: 'done', session_id: started.sessionId, message_id: started.messageId, finish_reason: 'error' } });
      }
      this.report(e);
    } finally {
      if (this.turn === turn) this.turn = undefined;
    }
    if (started) {
      // Keep our copy of the transcript and the history list in step with the server.
      await this.api
        .session(started.sessionId)
        .then((s) => {
          // The server's transcript is the truth (ids, stored status); the UI adopts it if it still shows this session.
          if (this.current === null || this.current.id === s.id) {
            this.current = s;
            this.emit({ type: 'session', session: s });
          }
        })
        .catch(() => undefined);
      await this.refreshSessions().catch(() => undefined);
    }
  }

  private async pull(model: string): Promise<void> {
    this.pullAbort?.abort();
    const ac = new AbortController();
    this.pullAbort = ac;
    this.emit({ type: 'pullProgress', model, progress: { status: 'starting' } });
    try {
      let error: string | undefined;
      for await (const { event, data } of this.api.pull(model, ac.signal)) {
        const d = (data ?? {}) as Record<string, unknown>;
        if (event === 'progress' && typeof d.status === 'string') {
          this.emit({
            type: 'pullProgress',
            model,
            progress: {
              status: d.status,
              ...(typeof d.digest === 'string' ? { digest: d.digest } : {}),
              ...(typeof d.total === 'number' ? { total: d.total } : {}),
              ...(typeof d.completed === 'number' ? { completed: d.completed } : {}),
            },
          });
        } else if (event === 'error') {
          error = typeof d.message === 'string' ? d.message : 'the pull failed';
        }
      }
      this.emit({ type: 'pullDone', model, ...(error ? { error } : {}) });
      if (!error) await this.refreshModels();
    } catch (e) {
      this.emit({ type: 'pullDone', model, error: ac.signal.aborted ? 'cancelled' : e instanceof Error ? e.message : String(e) });
    } finally {
      if (this.pullAbort === ac) this.pullAbort = undefined;
    }
  }
}

/** Starts a generator so its request errors surface here; yields the first item again. */
async function firstOf<T>(gen: AsyncGenerator<T>): Promise<AsyncGenerator<T>> {
  const first = await gen.next();
  return (async function* () {
    if (first.done) return;
    yield first.value;
    yield* gen;
  })();
}

function firstIds(e: GatewayEvent): { sessionId: string; messageId: string } | undefined {
  if (e.type === 'status_update' && e.session_id && e.message_id) return { sessionId: e.session_id, messageId: e.message_id };
  if (e.type === 'done') return { sessionId: e.session_id, messageId: e.message_id };
  return undefined;
}
