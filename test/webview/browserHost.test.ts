import assert from 'node:assert/strict';
import { ReadableStream } from 'node:stream/web';
import type { HostToWebview } from '../../src/shared/protocol';
import { BrowserHost, type BrowserEnv } from '../../webview/host/browserHost';

type Reply = { status?: number; json?: unknown; sse?: Uint8Array[]; hang?: boolean };
interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

const SID = 'sess-1234abcd';
const RID = 'reply-1234abcd';

function sseBytes(frames: string, cuts: number[]): Uint8Array[] {
  const bytes = new TextEncoder().encode(frames);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    if (c > at) out.push(bytes.slice(at, c));
    at = c;
  }
  return out;
}

function frame(id: number, event: string, data: unknown): string {
  return `id: ${id}\r\nevent: ${event}\r\ndata: ${JSON.stringify(data)}\r\n\r\n`;
}

class FakeGateway {
  calls: Call[] = [];
  routes = new Map<string, (c: Call) => Reply>();
  on(method: string, path: string, reply: Reply | ((c: Call) => Reply)) {
    this.routes.set(`${method} ${path}`, typeof reply === 'function' ? reply : () => reply);
  }
  fetch = (async (input: string, init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal } = {}) => {
    const method = init.method ?? 'GET';
    const url = String(input);
    const call: Call = { method, url, headers: init.headers ?? {}, body: init.body ? JSON.parse(init.body) : undefined };
    this.calls.push(call);
    const handler = this.routes.get(`${method} ${url}`);
    const r: Reply = handler ? handler(call) : { status: 404, json: { error: { code: 'not_found', message: 'no such route' } } };
    const status = r.status ?? 200;
    let body: ReadableStream<Uint8Array> | null = null;
    if (r.sse) {
      const chunks = [...r.sse];
      body = new ReadableStream<Uint8Array>({
        async pull(ctl) {
          await new Promise((res) => setImmediate(res));
          const next = chunks.shift();
          if (next) ctl.enqueue(next);
          else if (!r.hang) ctl.close();
        },
      });
    }
    return { ok: status >= 200 && status < 300, status, json: async () => r.json, body };
  }) as unknown as typeof fetch;
}

function memStorage(): Storage {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) } as Storage;
}

function makeEnv(gw: FakeGateway, hash = '#token=secret-token&session=' + SID) {
  const replaced: string[] = [];
  const opened: string[] = [];
  const confirms: string[] = [];
  const downloads: Array<{ name: string; text: string }> = [];
  let confirmAnswer = true;
  let n = 0;
  const env: BrowserEnv = {
    fetch: gw.fetch,
    location: { hash, pathname: '/', search: '', origin: 'http://127.0.0.1:6120' },
    history: { replaceState: (_d, _u, url) => void replaced.push(String(url)) },
    localStorage: memStorage(),
    sessionStorage: memStorage(),
    confirm: (m) => (confirms.push(m), confirmAnswer),
    open: (u) => void opened.push(u),
    clipboard: { writeText: async () => undefined },
    download: (name, text) => void downloads.push({ name, text }),
    now: () => 1_700_000_000_000,
    randomId: () => `user-0000000${++n}`,
  };
  return { env, replaced, opened, confirms, downloads, setConfirm: (v: boolean) => (confirmAnswer = v) };
}

const session = {
  session_id: SID,
  title: 'Stored chat',
  status: 'complete',
  created_at: 1,
  updated_at: 2,
  messages: [
    { id: 'user-stored01', role: 'user', content: 'q', status: 'complete', created_at: 1 },
    { id: 'reply-0000001', role: 'assistant', content: 'a', status: 'complete', created_at: 2 },
  ],
};

function standardRoutes(gw: FakeGateway) {
  gw.on('GET', '/health', { json: { status: 'ok', ollama: { reachable: true, version: '0.12.0' } } });
  gw.on('GET', '/models', { json: { models: [{ name: 'alpha:1b', size: 1 }, { name: 'beta:2b', size: 2 }] } });
  gw.on('GET', '/sessions', { json: { sessions: [{ session_id: SID, title: 'Stored chat', created_at: 1, updated_at: 2, status: 'complete', message_count: 2 }, { session_id: '../bad', title: 'x' }] } });
  gw.on('GET', `/sessions/${SID}`, { json: session });
}

/** Waits on a condition by time, not by a count of turns: timers (health polling) need wall-clock time. */
async function until<T>(fn: () => T | undefined, what: string, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

function collect(host: BrowserHost): HostToWebview[] {
  const got: HostToWebview[] = [];
  host.onMessage((m) => got.push(m));
  return got;
}

describe('browser host', () => {
  let host: BrowserHost | undefined;
  afterEach(() => host?.dispose());

  it('takes the token and session from the fragment and removes them from the URL', async () => {
    const gw = new FakeGateway();
    standardRoutes(gw);
    const { env, replaced } = makeEnv(gw);
    host = new BrowserHost(env);
    assert.deepEqual(replaced, ['/']);
    const got = collect(host);
    host.post({ type: 'ready' });
    const snap = await until(() => got.find((m) => m.type === 'snapshot'), 'snapshot');
    assert.equal(snap.type, 'snapshot');
    if (snap.type !== 'snapshot') return;
    assert.equal(snap.state.current?.id, SID, '#session opened the session');
    assert.equal(snap.state.current?.messages.length, 2);
    assert.deepEqual(snap.state.sessions.map((s) => s.id), [SID], 'the malformed summary was skipped');
    assert.deepEqual(snap.state.models.map((m) => m.name), ['alpha:1b', 'beta:2b']);
    assert.equal(snap.state.selectedModel, 'alpha:1b');
    assert.equal(snap.state.connection.status, 'ok');
    assert.deepEqual(snap.state.capabilities, { editor: false, pull: true });
    // The token travels only in the Authorization header, never in a URL or body; /health too
    // (without it the gateway answers only {status}, no connection details).
    assert.ok(gw.calls.some((c) => c.url === '/health'));
    for (const c of gw.calls) {
      assert.doesNotMatch(c.url, /secret-token/);
      assert.doesNotMatch(JSON.stringify(c.body ?? ''), /secret-token/);
      assert.equal(c.headers.Authorization, 'Bearer secret-token', c.url);
    }
  });

  it('keeps the token for this tab so a reload still works', () => {
    const gw = new FakeGateway();
    const { env } = makeEnv(gw);
    host = new BrowserHost(env);
    host.dispose();
    const again = new BrowserHost({ ...env, location: { ...env.location, hash: '' } });
    host = again;
    host.post({ type: 'refreshModels' });
    assert.equal(gw.calls[0]?.headers.Authorization, 'Bearer secret-token');
  });

  it('without a token the snapshot says so', async () => {
    const gw = new FakeGateway();
    const { env } = makeEnv(gw, '');
    host = new BrowserHost(env);
    const got = collect(host);
    host.post({ type: 'ready' });
    await until(() => got.find((m) => m.type === 'notice'), 'notice');
    assert.ok(got.some((m) => m.type === 'notice' && /token/.test(m.message)));
    assert.equal(gw.calls.length, 0);
  });

  it('streams a turn from SSE bytes split at odd boundaries, validating each event', async () => {
    const gw = new FakeGateway();
    standardRoutes(gw);
    const text =
      ': keep-alive\r\n\r\n' +
      frame(1, 'status_update', { status: 'executing', phase: 'loading_model', session_id: SID, message_id: RID }) +
      frame(2, 'token', { content: 'Grüße ' }) +
      frame(3, 'token', { content: '🙂 and ' }) +
      frame(4, 'token', { content: 42 }) + // invalid: dropped
      frame(5, 'bogus', { x: 1 }) + // unknown event: dropped
      frame(6, 'token', { content: 'more' }) +
      frame(7, 'usage', { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4, cost_usd: 0, tokens_per_second: 10, time_to_first_token_ms: 5, load_ms: 1, context_window: 2048, context_used: 4, truncated: false }) +
      frame(8, 'done', { session_id: SID, message_id: RID, finish_reason: 'stop' });
    // Cut inside the multi-byte ü and 🙂, inside a CRLF and inside a field name.
    const bytes = new TextEncoder().encode(text);
    const cuts = [1, 3, 20, 21, 22, 57, 58, 59];
    const uIdx = bytes.findIndex((b, i) => b === 0xc3 && bytes[i + 1] === 0xbc);
    const emojiIdx = bytes.findIndex((b) => b === 0xf0);
    cuts.push(uIdx + 1, emojiIdx + 1, emojiIdx + 2, emojiIdx + 3);
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === 13) cuts.push(i + 1);
    gw.on('POST', '/chat/stream', { sse: sseBytes(text, [...new Set(cuts)].sort((a, b) => a - b)) });
    const { env } = makeEnv(gw, '#token=t');
    const warnings: string[] = [];
    const origWarn = console.warn;
    console.warn = (m: string) => void warnings.push(m);
    host = new BrowserHost(env);
    const got = collect(host);
    try {
      host.post({ type: 'send', content: 'hello', model: 'alpha:1b' });
      await until(() => got.some((m) => m.type === 'session'), 'final session');
    } finally {
      console.warn = origWarn;
    }
    const post = gw.calls.find((c) => c.url === '/chat/stream')!;
    assert.deepEqual(post.body, { content: 'hello', model: 'alpha:1b', message_id: 'user-00000001' });
    assert.equal(post.headers.Accept, 'text/event-stream');
    const started = got.find((m) => m.type === 'turnStarted');
    assert.ok(started && started.type === 'turnStarted');
    assert.equal(started.sessionId, SID);
    assert.equal(started.userMessage.id, 'user-00000001');
    assert.equal(started.userMessage.content, 'hello');
    assert.equal(started.assistantMessage.id, RID);
    const events = got.flatMap((m) => (m.type === 'event' ? [m.event] : []));
    assert.deepEqual(events.map((e) => e.type), ['status_update', 'token', 'token', 'token', 'usage', 'done']);
    const textOut = events.map((e) => (e.type === 'token' ? e.content : '')).join('');
    assert.equal(textOut, 'Grüße 🙂 and more');
    assert.equal(warnings.length, 2, 'the two invalid events were dropped with a warning');
    assert.ok(got.some((m) => m.type === 'sessions'), 'history refreshed after the turn');
  });

  it('Stop posts the cancel route for the open turn', async () => {
    const gw = new FakeGateway();
    standardRoutes(gw);
    gw.on('POST', '/chat/stream', { sse: sseBytes(frame(1, 'status_update', { status: 'executing', session_id: SID, message_id: RID }), []), hang: true });
    gw.on('POST', `/chat/${SID}/cancel`, { json: { session_id: SID, cancelled: true } });
    const { env } = makeEnv(gw, '#token=t');
    host = new BrowserHost(env);
    const got = collect(host);
    host.post({ type: 'send', content: 'long one', model: 'alpha:1b' });
    await until(() => got.find((m) => m.type === 'turnStarted'), 'turn start');
    host.post({ type: 'cancel' });
    await until(() => gw.calls.find((c) => c.url === `/chat/${SID}/cancel` && c.method === 'POST'), 'cancel request');
  });

  it('a stream that breaks before done is resumed with Last-Event-ID', async () => {
    const gw = new FakeGateway();
    standardRoutes(gw);
    gw.on('POST', '/chat/stream', { sse: sseBytes(frame(1, 'status_update', { status: 'executing', session_id: SID, message_id: RID }) + frame(2, 'token', { content: 'part one, ' }), []) });
    gw.on('GET', `/chat/stream/${SID}`, { sse: sseBytes(frame(3, 'token', { content: 'part two' }) + frame(4, 'done', { session_id: SID, message_id: RID, finish_reason: 'stop' }), []) });
    const { env } = makeEnv(gw, '#token=t');
    host = new BrowserHost(env);
    const got = collect(host);
    host.post({ type: 'send', content: 'q', model: 'alpha:1b' });
    await until(() => got.find((m) => m.type === 'event' && m.event.type === 'done'), 'done');
    const resume = gw.calls.find((c) => c.method === 'GET' && c.url === `/chat/stream/${SID}`)!;
    assert.equal(resume.headers['Last-Event-ID'], '2');
    const tokens = got.flatMap((m) => (m.type === 'event' && m.event.type === 'token' ? [m.event.content] : []));
    assert.deepEqual(tokens, ['part one, ', 'part two']);
  });

  it('regenerate and edit use the gateway routes when it has them', async () => {
    const gw = new FakeGateway();
    standardRoutes(gw);
    const stream = frame(1, 'status_update', { status: 'executing', session_id: SID, message_id: RID }) + frame(2, 'done', { session_id: SID, message_id: RID, finish_reason: 'stop' });
    gw.on('POST', `/chat/${SID}/regenerate`, () => ({ sse: sseBytes(stream, []) }));
    gw.on('POST', `/chat/${SID}/edit`, () => ({ sse: sseBytes(stream, []) }));
    const { env } = makeEnv(gw);
    host = new BrowserHost(env);
    const got = collect(host);
    host.post({ type: 'ready' });
    await until(() => got.find((m) => m.type === 'snapshot'), 'snapshot');
    host.post({ type: 'regenerate' });
    await until(() => got.filter((m) => m.type === 'event' && m.event.type === 'done').length === 1, 'regenerated');
    assert.deepEqual(gw.calls.find((c) => c.url.endsWith('/regenerate'))!.body, { model: 'alpha:1b' });
    const started = got.find((m) => m.type === 'turnStarted');
    assert.ok(started?.type === 'turnStarted' && started.userMessage.id === 'user-stored01', 'the question is the stored one');
    await until(() => got.filter((m) => m.type === 'session').length >= 1, 'session refresh');
    host.post({ type: 'editLast', content: 'better question' });
    await until(() => gw.calls.some((c) => c.url.endsWith('/edit')), 'edit');
    assert.deepEqual(gw.calls.find((c) => c.url.endsWith('/edit'))!.body, { content: 'better question', model: 'alpha:1b' });
    assert.equal(gw.calls.filter((c) => c.url === '/chat/stream').length, 0);
  });

  it('regenerate falls back to asking again on a gateway without the route', async () => {
    const gw = new FakeGateway();
    standardRoutes(gw);
    gw.on('POST', '/chat/stream', () => ({ sse: sseBytes(frame(1, 'done', { session_id: SID, message_id: RID, finish_reason: 'stop' }), []) }));
    const { env } = makeEnv(gw);
    host = new BrowserHost(env);
    const got = collect(host);
    host.post({ type: 'ready' });
    await until(() => got.find((m) => m.type === 'snapshot'), 'snapshot');
    host.post({ type: 'regenerate' });
    await until(() => gw.calls.find((c) => c.url === '/chat/stream'), 'fallback');
    const body = gw.calls.find((c) => c.url === '/chat/stream')!.body as Record<string, unknown>;
    assert.equal(body.content, 'q');
    assert.equal(body.session_id, SID);
  });

  it('maps history actions: open, rename (PATCH), delete, export as a Markdown download', async () => {
    const gw = new FakeGateway();
    standardRoutes(gw);
    gw.on('PATCH', `/sessions/${SID}`, { json: {} });
    gw.on('DELETE', `/sessions/${SID}`, { status: 204 });
    const { env, downloads } = makeEnv(gw, '#token=t');
    host = new BrowserHost(env);
    const got = collect(host);
    host.post({ type: 'openSession', sessionId: SID });
    await until(() => got.find((m) => m.type === 'session'), 'session');
    host.post({ type: 'renameSession', sessionId: SID, title: 'Renamed' });
    await until(() => gw.calls.find((c) => c.method === 'PATCH'), 'patch');
    assert.deepEqual(gw.calls.find((c) => c.method === 'PATCH')!.body, { title: 'Renamed' });
    host.post({ type: 'exportSession', sessionId: SID });
    await until(() => downloads[0], 'download');
    assert.equal(downloads[0]!.name, 'Stored-chat.md');
    assert.match(downloads[0]!.text, /^# Stored chat/);
    assert.match(downloads[0]!.text, /## You\n\nq/);
    host.post({ type: 'deleteSession', sessionId: SID });
    await until(() => got.find((m) => m.type === 'session' && m.session === null), 'current cleared');
    assert.ok(gw.calls.some((c) => c.method === 'DELETE' && c.url === `/sessions/${SID}`));
  });

  it('links: confirm with the full URL, then open with noopener; declined opens nothing', () => {
    const gw = new FakeGateway();
    const { env, opened, confirms, setConfirm } = makeEnv(gw, '#token=t');
    host = new BrowserHost(env);
    host.post({ type: 'openLink', url: 'https://example.com/a?b=1' });
    assert.match(confirms[0]!, /https:\/\/example\.com\/a\?b=1/);
    assert.deepEqual(opened, ['https://example.com/a?b=1']);
    setConfirm(false);
    host.post({ type: 'openLink', url: 'https://example.com/other' });
    assert.equal(opened.length, 1);
  });

  it('remembers the selected model in localStorage', () => {
    const gw = new FakeGateway();
    const { env } = makeEnv(gw, '#token=t');
    host = new BrowserHost(env);
    host.post({ type: 'selectModel', model: 'beta:2b' });
    assert.equal(env.localStorage.getItem('hearth.model'), 'beta:2b');
  });

  it('reports Ollama unreachable from /health', async () => {
    const gw = new FakeGateway();
    standardRoutes(gw);
    gw.on('GET', '/health', { json: { status: 'degraded', ollama: { reachable: false, version: null, error: 'connect ECONNREFUSED 127.0.0.1:11434' } } });
    const { env } = makeEnv(gw, '#token=t');
    host = new BrowserHost(env);
    const got = collect(host);
    host.post({ type: 'retryConnection' });
    const c = await until(() => got.find((m) => m.type === 'connection'), 'connection');
    assert.ok(c.type === 'connection' && c.connection.status === 'unreachable');
    assert.match(c.connection.status === 'unreachable' ? c.connection.error : '', /ECONNREFUSED/);
  });

  it('re-checks /health while Ollama is unreachable and clears the state when it is back', async () => {
    const gw = new FakeGateway();
    standardRoutes(gw);
    let up = false;
    gw.on('GET', '/health', () => ({ json: { status: up ? 'ok' : 'degraded', ollama: { reachable: up, version: null, ...(up ? {} : { error: 'ECONNREFUSED' }) } } }));
    const { env } = makeEnv(gw, '#token=t');
    host = new BrowserHost({ ...env, healthPollMs: 5 });
    const got = collect(host);
    host.post({ type: 'ready' });
    const snap = await until(() => got.find((m) => m.type === 'snapshot'), 'snapshot');
    assert.ok(snap.type === 'snapshot' && snap.state.connection.status === 'unreachable');
    await until(() => gw.calls.filter((c) => c.url === '/health').length >= 3, 'polling');
    up = true;
    await until(() => got.find((m) => m.type === 'connection' && m.connection.status === 'ok'), 'back up');
    const polls = gw.calls.filter((c) => c.url === '/health').length;
    await until(() => got.some((m) => m.type === 'models'), 'models refreshed');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(gw.calls.filter((c) => c.url === '/health').length, polls, 'polling stops once reachable');
  });

  it('a 401 becomes a notice that says where the token comes from', async () => {
    const gw = new FakeGateway();
    gw.on('GET', '/models', { status: 401, json: { error: { code: 'unauthorized', message: 'missing or wrong token' } } });
    const { env } = makeEnv(gw, '#token=wrong');
    host = new BrowserHost(env);
    const got = collect(host);
    host.post({ type: 'refreshModels' });
    const n = await until(() => got.find((m) => m.type === 'notice'), 'notice');
    assert.ok(n.type === 'notice' && /#token=/.test(n.message));
  });

  it('pull: progress events, then done and a model refresh; cancel aborts', async () => {
    const gw = new FakeGateway();
    standardRoutes(gw);
    gw.on('POST', '/models/pull', { sse: sseBytes(frame(1, 'progress', { status: 'pulling', total: 100, completed: 50 }) + frame(2, 'done', { model: 'gamma:1b', status: 'success' }), [7, 30]) });
    const { env } = makeEnv(gw, '#token=t');
    host = new BrowserHost(env);
    const got = collect(host);
    host.post({ type: 'pullModel', model: 'gamma:1b' });
    await until(() => got.find((m) => m.type === 'pullDone'), 'pull done');
    const progress = got.filter((m) => m.type === 'pullProgress');
    assert.ok(progress.some((m) => m.type === 'pullProgress' && m.progress.completed === 50));
    const doneMsg = got.find((m) => m.type === 'pullDone');
    assert.ok(doneMsg && doneMsg.type === 'pullDone' && doneMsg.error === undefined);
    await until(() => got.find((m) => m.type === 'models'), 'models refresh');
  });

  it('features without an editor say so instead of failing silently', async () => {
    const gw = new FakeGateway();
    const { env } = makeEnv(gw, '#token=t');
    host = new BrowserHost(env);
    const got = collect(host);
    host.post({ type: 'insertCode', code: 'x' });
    await until(() => got.find((m) => m.type === 'notice'), 'notice');
  });
});
