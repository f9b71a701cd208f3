import { parseHostMessage, type HostToWebview, type PageEffect, type ReplyOf, type RequestType, type WebviewToHost } from '../../src/shared/protocol';
import { PageRequests, type RequestBody, type RequestTimers } from './requests';
import { SseParser } from './sseParser';
import { Listeners, parseUiState, type Host, type UiState } from './types';

/** What the browser transport needs from its page; injectable for tests. */
export interface BrowserEnv {
  fetch: typeof fetch;
  location: { hash: string; pathname: string; search: string; origin: string };
  history: { replaceState(data: unknown, unused: string, url?: string): void };
  sessionStorage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  confirm(message: string): boolean;
  open(url: string, target: string, features: string): unknown;
  clipboard?: { writeText(text: string): Promise<void> };
  download(fileName: string, text: string): void;
  /** Waits before reconnecting a dropped event stream (attempt 0, 1, …). */
  retryDelayMs?: (attempt: number) => number;
  /** How long requests wait for their replies (tests). */
  timers?: RequestTimers;
}

const UI_KEY = 'hearth.ui';
const NO_TOKEN = "This page needs the gateway's token: open the URL the gateway printed at start-up (it ends with #token=…).";
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
    sessionStorage: window.sessionStorage,
    confirm: (m) => window.confirm(m),
    open: (u, t, f) => window.open(u, t, f),
    clipboard: navigator.clipboard,
    download: defaultDownload,
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

class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

/** The gateway has no room for this page now (503): its sentence, and when to ask again. */
class RefusedError extends Error {
  constructor(
    message: string,
    readonly retryMs: number,
  ) {
    super(message);
  }
}

/** A 503 from /ui/events as a RefusedError (its message from the JSON body, its wait from Retry-After). */
async function refusal(res: Response): Promise<RefusedError> {
  const seconds = Number(res.headers?.get?.('Retry-After') ?? '');
  let message = 'The Hearth gateway is busy; this page tries again by itself.';
  try {
    const body = (await res.json()) as { error?: { message?: unknown } } | null;
    if (typeof body?.error?.message === 'string' && body.error.message) message = body.error.message.slice(0, 500);
  } catch {
    /* no JSON body: the general sentence */
  }
  return new RefusedError(message, Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 300) * 1000 : 10_000);
}

/**
 * The browser tab's transport to the gateway's conversation core: one event
 * stream of host messages (GET /ui/events), and each page message POSTed to
 * /ui/messages in order. The core answers every message, as it does for the
 * VS Code webview; this class only carries them, reconnects a dropped stream
 * (the page then gets a fresh snapshot) and performs the few effects only the
 * page can (clipboard, download, opening a tab).
 */
export class BrowserHost implements Host {
  private readonly listeners = new Listeners<HostToWebview>();
  private readonly token: string | undefined;
  private openSession: string | undefined;
  private connection: string | undefined;
  /** Messages wait for a live stream (the core needs the page's connection id). */
  private live = false;
  private connected!: () => void;
  private whenConnected: Promise<void>;
  private outbox: Promise<void> = Promise.resolve();
  /** The page said `ready` at least once: a new stream re-sends it so the core sends a fresh snapshot. */
  private pageReady = false;
  private readonly stop = new AbortController();
  private readonly requests: PageRequests;
  /** Requests the current connection's conversation took: it alone can answer them. */
  private readonly delivered = new Set<number>();

  constructor(private readonly env: BrowserEnv = defaultBrowserEnv()) {
    this.requests = new PageRequests((m) => this.post(m), env.timers);
    const frag = takeFragment(env);
    // Kept for this tab only, so a reload still works once the fragment is gone.
    if (frag.token) env.sessionStorage.setItem(TOKEN_KEY, frag.token);
    this.token = frag.token ?? env.sessionStorage.getItem(TOKEN_KEY) ?? undefined;
    this.openSession = frag.session;
    this.whenConnected = new Promise((r) => (this.connected = r));
    if (this.token) void this.run();
  }

  onMessage(listener: (m: HostToWebview) => void): () => void {
    return this.listeners.add(listener);
  }

  request<T extends RequestType>(message: RequestBody<T>): Promise<ReplyOf<T>> {
    return this.requests.request(message);
  }

  post(msg: WebviewToHost): void {
    const requestId = 'requestId' in msg ? msg.requestId : undefined;
    if (!this.token) {
      if (msg.type === 'ready') this.noToken();
      if (requestId !== undefined) this.requests.fail(requestId, NO_TOKEN);
      return;
    }
    let m = msg;
    if (m.type === 'ready') {
      this.pageReady = true;
      // A `#session=` link opens that session once.
      if (this.openSession) m = { type: 'ready', sessionId: this.openSession };
      this.openSession = undefined;
    }
    // One at a time, in order: the core handles them in the order they arrive.
    this.outbox = this.outbox.then(() => this.deliver(m)).catch((e: unknown) => this.failed(e, requestId));
  }

  getUiState(): UiState {
    try {
      return parseUiState(JSON.parse(this.env.sessionStorage.getItem(UI_KEY) ?? '{}'));
    } catch {
      return {};
    }
  }

  setUiState(state: UiState): void {
    try {
      this.env.sessionStorage.setItem(UI_KEY, JSON.stringify(state));
    } catch {
      // Over the storage quota (large attachments): keep at least the draft across a reload.
      try {
        this.env.sessionStorage.setItem(UI_KEY, JSON.stringify({ draft: state.draft, view: state.view }));
      } catch {
        /* storage unavailable: the page still works, it just forgets on reload */
      }
    }
  }

  dispose(): void {
    this.stop.abort();
    this.requests.failAll('The page was closed before Hearth answered.');
    this.listeners.clear();
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { Authorization: `Bearer ${this.token}`, ...extra };
  }

  private async deliver(message: WebviewToHost): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await this.whenConnected;
      const res = await this.env.fetch('/ui/messages', {
        method: 'POST',
        headers: this.headers({ 'Content-Type': 'application/json' }),
        body: JSON.stringify({ connection: this.connection, message }),
        signal: this.stop.signal,
        cache: 'no-store',
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
      if (res.ok) {
        if ('requestId' in message && message.requestId !== undefined) this.delivered.add(message.requestId);
        return;
      }
      // The gateway forgot this page (it restarted): wait for the stream to reconnect, then send again.
      if (res.status === 404 && attempt < 3) {
        this.lost();
        continue;
      }
      // Busy receiving from other pages: the same message again after the wait it names.
      if (res.status === 503 && attempt < 10) {
        const seconds = Number(res.headers?.get?.('Retry-After') ?? '');
        await new Promise((r) => setTimeout(r, Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 30) * 1000 : 1000));
        continue;
      }
      throw new HttpStatusError(res.status);
    }
  }

  /** The event stream, reconnected whenever it drops, until disposed. */
  private async run(): Promise<void> {
    // Said once per refusal spell, not at every retry.
    let refusedSaid = false;
    for (let attempt = 0; !this.stop.signal.aborted; ) {
      let wait = 0;
      try {
        await this.stream(() => {
          attempt = 0;
          refusedSaid = false;
        });
      } catch (e) {
        if (this.stop.signal.aborted) return;
        if (e instanceof HttpStatusError && e.status === 401) return this.noToken();
        if (e instanceof RefusedError) {
          if (!refusedSaid) this.notice('error', e.message);
          refusedSaid = true;
          wait = e.retryMs;
        } else this.emit({ type: 'connection', connection: { status: 'unreachable', url: this.env.location.origin, error: 'the Hearth gateway is not responding' } });
      }
      this.lost();
      await new Promise((r) => setTimeout(r, Math.max(wait, (this.env.retryDelayMs ?? defaultRetry)(attempt++))));
    }
  }

  private async stream(onOpen: () => void): Promise<void> {
    const query = this.connection ? `?connection=${encodeURIComponent(this.connection)}` : '';
    const res = await this.env.fetch(`/ui/events${query}`, {
      headers: this.headers({ Accept: 'text/event-stream' }),
      signal: this.stop.signal,
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
    if (res.status === 503) throw await refusal(res);
    if (!res.ok || !res.body) throw new HttpStatusError(res.status);
    onOpen();
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        for (const ev of parser.push(done ? decoder.decode() : decoder.decode(value, { stream: true }))) this.onEvent(ev.event, ev.data);
        if (done) return;
      }
    } finally {
      void reader.cancel().catch(() => undefined);
    }
  }

  private onEvent(event: string, data: string): void {
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      return console.warn(`[hearth] dropped an event that is not JSON (${event})`);
    }
    if (event === 'hello') {
      const id = (value as { connection?: unknown } | null)?.connection;
      if (typeof id !== 'string') return;
      const again = this.connection !== undefined;
      if (again && id !== this.connection) {
        // The gateway forgot this page (it restarted): what the old conversation took will never be answered.
        const lost = new Set(this.delivered);
        this.requests.failAll('The Hearth gateway restarted before it answered. Nothing may have been done: try again.', (r) => lost.has(r));
      }
      if (id !== this.connection) this.delivered.clear();
      this.connection = id;
      // A new stream: the core sends a fresh snapshot once the page says ready again.
      if (again && this.pageReady) this.outbox = this.outbox.then(() => this.deliver({ type: 'ready' })).catch((e: unknown) => this.failed(e, undefined));
      this.live = true;
      this.connected();
      return;
    }
    if (event !== 'message') return;
    const parsed = parseHostMessage(value);
    if (!parsed.ok) return console.warn(`[hearth] dropped invalid host message: ${parsed.error}`);
    if (parsed.value.type === 'pageEffect') void this.perform(parsed.value.effect);
    else if (parsed.value.type === 'reply') {
      this.delivered.delete(parsed.value.requestId);
      this.requests.receive(parsed.value);
    } else this.emit(parsed.value);
  }

  /** The stream is gone: later messages wait for the next one. */
  private lost(): void {
    if (!this.live) return;
    this.live = false;
    this.whenConnected = new Promise((r) => (this.connected = r));
  }

  private async perform(e: PageEffect): Promise<void> {
    switch (e.kind) {
      case 'copy':
        try {
          if (!this.env.clipboard) throw new Error('no clipboard');
          await this.env.clipboard.writeText(e.text);
          this.notice('info', 'Copied.');
        } catch {
          this.notice('error', 'The browser did not allow copying: select the text and press Ctrl+C.');
        }
        return;
      case 'download':
        this.env.download(e.fileName, e.text);
        return;
      case 'openUrl':
        // The user sees the full address before anything opens; the page gets no handle to it.
        if (this.env.confirm(`Open this link in a new tab?\n\n${e.url}`)) this.env.open(e.url, '_blank', 'noopener,noreferrer');
        return;
    }
  }

  private failed(e: unknown, requestId: number | undefined): void {
    if (this.stop.signal.aborted || (e instanceof Error && e.name === 'AbortError')) return;
    const unauthorized = e instanceof HttpStatusError && e.status === 401;
    const reason = unauthorized ? NO_TOKEN : `The Hearth gateway did not take that (${e instanceof Error ? e.message : String(e)}). Is it still running?`;
    // A request says it through its own rejection (the page keeps the user's text); anything else as a notice.
    if (requestId !== undefined) this.requests.fail(requestId, reason);
    if (unauthorized) return this.noToken();
    if (requestId === undefined) this.notice('error', reason);
  }

  /** Without a (valid) token nothing can be asked: an empty chat that says why. */
  private noToken(): void {
    this.emit({
      type: 'snapshot',
      state: { sessions: [], current: null, models: [], connection: { status: 'unknown', url: this.env.location.origin }, capabilities: { editor: false, pull: false } },
    });
    this.notice('error', NO_TOKEN);
  }

  private notice(level: 'info' | 'warning' | 'error', message: string): void {
    this.emit({ type: 'notice', level, message });
  }

  /** Everything handed to the UI passes the same validator as in VS Code. */
  private emit(m: HostToWebview): void {
    if (this.stop.signal.aborted) return;
    const parsed = parseHostMessage(m);
    if (!parsed.ok) return;
    // The first snapshot (also the empty one of a page without a token) releases requests made before it.
    this.requests.receive(parsed.value);
    this.listeners.emit(parsed.value);
  }
}

function defaultRetry(attempt: number): number {
  return Math.min(500 * 2 ** attempt, 10_000);
}
