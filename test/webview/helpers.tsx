// Shared fixtures for the webview tests: a fake host, a manual frame clock, builders.
import { act, render, type RenderResult } from '@testing-library/preact';
import type { GatewayEvent, Usage } from '../../src/shared/events';
import type { ModelInfo } from '../../src/shared/models';
import { parseHostMessage, type HostToWebview, type ReplyOf, type ReplyResult, type RequestType, type Snapshot, type WebviewToHost } from '../../src/shared/protocol';
import type { ChatMessage, Session, SessionSummary } from '../../src/shared/session';
import { App } from '../../webview/components/App';
import { LexClockContext } from '../../webview/components/context';
import { PageRequests, type RequestBody, type RequestTimers } from '../../webview/host/requests';
import { Listeners, type Host, type UiState } from '../../webview/host/types';
import { Store } from '../../webview/state/store';

/** requestAnimationFrame under the test's control. */
export class FakeFrames {
  private queue: Array<() => void> = [];
  frames = 0;
  schedule = (cb: () => void): void => {
    this.queue.push(cb);
  };
  get pending(): number {
    return this.queue.length;
  }
  flush(): void {
    const q = this.queue;
    this.queue = [];
    if (q.length) this.frames++;
    for (const cb of q) cb();
  }
}

/** setTimeout under the test's control, on the test's clock. */
export class FakeTimers {
  private queue: Array<{ at: number; cb: () => void; id: number }> = [];
  private seq = 0;
  constructor(private readonly clock: { now: number }) {}
  set = (cb: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.queue.push({ at: this.clock.now + ms, cb, id });
    return id;
  };
  clear = (id: unknown): void => {
    this.queue = this.queue.filter((t) => t.id !== id);
  };
  get pending(): number {
    return this.queue.length;
  }
  /** Moves the clock forward, running each timer that falls due on the way, at its time. */
  advance(ms: number): void {
    const end = this.clock.now + ms;
    for (;;) {
      const next = this.queue.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.queue = this.queue.filter((t) => t !== next);
      this.clock.now = Math.max(this.clock.now, next.at);
      next.cb();
    }
    this.clock.now = end;
  }
  /** Runs every timer, moving the clock to each one's time. */
  runAll(): void {
    while (this.queue.length) this.advance(Math.max(0, Math.min(...this.queue.map((t) => t.at)) - this.clock.now));
  }
}

/** A host that records what the page posts; requests go through the real PageRequests (ids, replies, timeouts on the test's clock). */
export class FakeHost implements Host {
  readonly posted: WebviewToHost[] = [];
  private readonly listeners = new Listeners<HostToWebview>();
  readonly requests: PageRequests;
  ui: UiState = {};
  constructor(timers?: RequestTimers) {
    this.requests = new PageRequests((m) => this.post(m), timers);
  }
  post(message: WebviewToHost): void {
    this.posted.push(message);
  }
  request<T extends RequestType>(message: RequestBody<T>): Promise<ReplyOf<T>> {
    return this.requests.request(message);
  }
  onMessage(listener: (m: HostToWebview) => void): () => void {
    return this.listeners.add(listener);
  }
  /** Sends a message as a real host would: it must pass the validator first. */
  emit(message: HostToWebview): void {
    const parsed = parseHostMessage(message);
    if (!parsed.ok) throw new Error(`test sent an invalid host message: ${parsed.error}`);
    if (!this.requests.receive(parsed.value)) this.listeners.emit(parsed.value);
  }
  getUiState(): UiState {
    return this.ui;
  }
  setUiState(state: UiState): void {
    this.ui = state;
  }
  dispose(): void {}
  ofType<T extends WebviewToHost['type']>(type: T): Extract<WebviewToHost, { type: T }>[] {
    return this.posted.filter((m): m is Extract<WebviewToHost, { type: T }> => m.type === type);
  }
  /** The last request of this type the page made, as the host got it (without its id, to compare with what was meant). */
  asked<T extends RequestType>(type: T): Omit<Extract<WebviewToHost, { type: T }>, 'requestId'>[] {
    return this.ofType(type).map((m) => {
      const { requestId: _id, ...rest } = m as unknown as { requestId?: number } & Record<string, unknown>;
      return rest as Omit<Extract<WebviewToHost, { type: T }>, 'requestId'>;
    });
  }
  /** The host's reply to the latest request of this type (the message, for `send`). */
  replyTo(type: RequestType, result: ReplyResult): HostToWebview {
    const q = this.ofType(type).at(-1) as { requestId?: number } | undefined;
    if (q?.requestId === undefined) throw new Error(`the page made no ${type} request`);
    return { type: 'reply', requestId: q.requestId, result };
  }
}

let seq = 0;
export function id(prefix = 'id'): string {
  return `${prefix}-${String(++seq).padStart(8, '0')}`;
}

export function model(name: string, extra: Partial<ModelInfo> = {}): ModelInfo {
  return { name, size: 4_000_000_000, ...extra };
}

export function usage(extra: Partial<Usage> = {}): Usage {
  return {
    prompt_tokens: 100,
    completion_tokens: 42,
    total_tokens: 142,
    cost_usd: 0,
    tokens_per_second: 21.5,
    time_to_first_token_ms: 350,
    load_ms: 10,
    context_window: 8192,
    context_used: 142,
    truncated: false,
    ...extra,
  };
}

export function message(role: ChatMessage['role'], content: string, extra: Partial<ChatMessage> = {}): ChatMessage {
  return { id: id(role === 'user' ? 'user' : 'reply'), role, content, status: 'complete', created_at: 1_700_000_000_000, ...extra };
}

export function session(messages: ChatMessage[], extra: Partial<Session> = {}): Session {
  return { id: id('sess'), title: 'A chat', created_at: 1_700_000_000_000, updated_at: 1_700_000_000_000, messages, ...extra };
}

export function summary(title: string, extra: Partial<SessionSummary> = {}): SessionSummary {
  return { id: id('sess'), title, created_at: 1_700_000_000_000, updated_at: 1_700_000_000_000, status: 'complete', message_count: 2, ...extra };
}

export function snapshot(extra: Partial<Snapshot> = {}): Snapshot {
  return {
    sessions: [],
    current: null,
    models: [model('testmodel:1b'), model('other:7b')],
    selectedModel: 'testmodel:1b',
    connection: { status: 'ok', url: 'http://127.0.0.1:11434', version: '0.12.0' },
    capabilities: { editor: true, pull: true },
    ...extra,
  };
}

export interface Mounted extends RenderResult {
  host: FakeHost;
  store: Store;
  frames: FakeFrames;
  timers: FakeTimers;
  /** The requests' reply timeouts (advance to let one run out). */
  requestTimers: FakeTimers;
  clock: { now: number };
  /** Host messages in, then the next paint. */
  send(...messages: HostToWebview[]): void;
  /** The host's reply to the page's latest request of this type; resolves once the page has acted on it and painted. */
  reply(type: RequestType, result: ReplyResult): Promise<void>;
  /** Lets settled requests run their continuations, then paints. */
  settle(): Promise<void>;
  /** The next paint: any paint-interval timer runs (the clock moves to it), then one animation frame. */
  frame(): void;
  event(sessionId: string, messageId: string, event: GatewayEvent): HostToWebview;
}

export function mountApp(snap: Snapshot | null = snapshot(), ui: UiState = {}): Mounted {
  const frames = new FakeFrames();
  const clock = { now: Date.now() };
  const timers = new FakeTimers(clock);
  // Their own queue: a paint (which runs every paint timer) must not time requests out.
  const requestTimers = new FakeTimers(clock);
  const host = new FakeHost(requestTimers);
  host.ui = ui;
  const store = new Store(frames.schedule, () => clock.now, timers);
  // Lexer calls are timed on the test's clock too, which stands still while one runs: on a
  // loaded machine a wall-clock lex can pass SLOW_LEX_MS and turn the open block plain.
  const r = render(
    <LexClockContext.Provider value={() => clock.now}>
      <App host={host} store={store} />
    </LexClockContext.Provider>,
  );
  // Preact's act() flushes synchronously for a synchronous callback; its promise carries nothing.
  const frame = () =>
    void act(() => {
      timers.runAll();
      frames.flush();
    });
  const send = (...messages: HostToWebview[]) => {
    void act(() => {
      for (const m of messages) host.emit(m);
    });
    frame();
  };
  if (snap) send({ type: 'snapshot', state: snap });
  // A macrotask turn: every promise continuation queued so far (a reply's .then) has run after it.
  const settle = async () => {
    await act(async () => {
      await new Promise((r) => setTimeout(r, 0));
    });
    frame();
  };
  return {
    ...r,
    host,
    store,
    frames,
    timers,
    requestTimers,
    clock,
    send,
    reply: async (type, result) => {
      send(host.replyTo(type, result));
      await settle();
    },
    settle,
    frame,
    event: (sessionId, messageId, event) => ({ type: 'event', sessionId, messageId, event }),
  };
}

/** Starts a turn in the current (or a new) session; returns the ids. */
export function startTurn(m: Mounted, question = 'Hello?', sessionId = m.store.getState().current?.id ?? id('sess')) {
  const userMessage = message('user', question);
  const assistantMessage = message('assistant', '', { status: 'streaming', model: 'testmodel:1b' });
  m.send({ type: 'turnStarted', sessionId, userMessage, assistantMessage });
  return { sessionId, userId: userMessage.id, replyId: assistantMessage.id };
}

export function tokens(m: Mounted, ids: { sessionId: string; replyId: string }, ...parts: string[]): void {
  void act(() => {
    for (const p of parts) m.host.emit(m.event(ids.sessionId, ids.replyId, { type: 'token', content: p }));
  });
}

export function done(m: Mounted, ids: { sessionId: string; replyId: string }, finish_reason: 'stop' | 'length' | 'cancelled' | 'error' = 'stop'): void {
  m.send(m.event(ids.sessionId, ids.replyId, { type: 'done', session_id: ids.sessionId, message_id: ids.replyId, finish_reason }));
}
