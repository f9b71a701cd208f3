import assert from 'node:assert/strict';
import { ReadableStream } from 'node:stream/web';
import type { HostToWebview } from '../../src/shared/protocol';
import { BrowserHost, type BrowserEnv } from '../../webview/host/browserHost';

/**
 * The browser transport against a fake gateway: GET /ui/events is an event
 * stream the test writes into; POST /ui/messages records what the page sent.
 */
interface Posted {
  connection: string;
  message: { type: string; [k: string]: unknown };
  auth: string | undefined;
}

class FakeStream {
  private ctl!: ReadableStreamDefaultController<Uint8Array>;
  readonly body = new ReadableStream<Uint8Array>({ start: (c) => void (this.ctl = c) });
  closed = false;
  write(text: string): void {
    this.ctl.enqueue(new TextEncoder().encode(text));
  }
  hello(id: string): void {
    this.write(`event: hello\ndata: ${JSON.stringify({ connection: id })}\n\n`);
  }
  send(m: unknown, id = 1): void {
    // Split mid-frame on purpose: the reader must not care where chunks end.
    const text = `id: ${id}\r\nevent: message\r\ndata: ${JSON.stringify(m)}\r\n\r\n`;
    const cut = Math.floor(text.length / 2);
    this.write(text.slice(0, cut));
    this.write(text.slice(cut));
  }
  end(): void {
    this.closed = true;
    this.ctl.close();
  }
}

class FakeGateway {
  streams: { url: string; auth: string | undefined; stream: FakeStream }[] = [];
  posted: Posted[] = [];
  /** Status for the next POST /ui/messages (then back to 202). */
  postStatus: number[] = [];
  streamStatus: number[] = [];
  down = false;
  fetch = (async (input: string, init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal } = {}) => {
    if (this.down) throw new TypeError('Failed to fetch');
    const url = String(input);
    const auth = init.headers?.Authorization;
    if ((init.method ?? 'GET') === 'GET' && url.startsWith('/ui/events')) {
      const status = this.streamStatus.shift() ?? 200;
      if (status === 503)
        return { ok: false, status, body: null, headers: new Headers({ 'Retry-After': '0' }), json: async () => ({ error: { code: 'too_many_pages', message: 'This Hearth gateway already has 64 pages open. Close a Hearth tab you no longer use.' } }) };
      if (status !== 200) return { ok: false, status, body: null };
      const stream = new FakeStream();
      init.signal?.addEventListener('abort', () => !stream.closed && stream.end());
      this.streams.push({ url, auth, stream });
      return { ok: true, status: 200, body: stream.body };
    }
    if (init.method === 'POST' && url === '/ui/messages') {
      const status = this.postStatus.shift() ?? 202;
      const body = JSON.parse(init.body ?? '{}') as { connection: string; message: Posted['message'] };
      if (status === 202) this.posted.push({ ...body, auth });
      return { ok: status < 300, status, body: null, headers: new Headers(status === 503 ? { 'Retry-After': '0' } : {}) };
    }
    return { ok: false, status: 404, body: null };
  }) as unknown as typeof fetch;
  get last(): FakeStream {
    return this.streams.at(-1)!.stream;
  }
}

function memStorage(): Storage {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) } as Storage;
}

function makeEnv(gw: FakeGateway, hash = '#token=secret-token&session=sess-1234abcd') {
  const replaced: string[] = [];
  const opened: string[] = [];
  const confirms: string[] = [];
  const copied: string[] = [];
  const downloads: Array<{ name: string; text: string }> = [];
  let confirmAnswer = true;
  const env: BrowserEnv = {
    fetch: gw.fetch,
    location: { hash, pathname: '/', search: '', origin: 'http://127.0.0.1:6120' },
    history: { replaceState: (_d, _u, url) => void replaced.push(String(url)) },
    sessionStorage: memStorage(),
    confirm: (m) => (confirms.push(m), confirmAnswer),
    open: (u) => void opened.push(u),
    clipboard: { writeText: async (t) => void copied.push(t) },
    download: (name, text) => void downloads.push({ name, text }),
    retryDelayMs: () => 1,
  };
  return { env, replaced, opened, confirms, copied, downloads, setConfirm: (v: boolean) => (confirmAnswer = v) };
}

async function until<T>(fn: () => T | undefined | false, what: string, ms = 3000): Promise<T> {
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

const snapshot: HostToWebview = {
  type: 'snapshot',
  state: { sessions: [], current: null, models: [], connection: { status: 'ok', url: 'http://127.0.0.1:11434' }, capabilities: { editor: false, pull: true } },
};

describe('browser host (a transport to the gateway’s conversation core)', () => {
  let host: BrowserHost | undefined;
  afterEach(() => host?.dispose());

  it('takes the token from the fragment, removes it from the URL, and sends it on every request', async () => {
    const gw = new FakeGateway();
    const { env, replaced } = makeEnv(gw);
    host = new BrowserHost(env);
    assert.deepEqual(replaced, ['/']);
    assert.equal(env.sessionStorage.getItem('hearth.token'), 'secret-token', 'kept for a reload of this tab');
    await until(() => gw.streams.length === 1, 'the event stream');
    gw.last.hello('c0ffee00-0000');
    host.post({ type: 'ready' });
    await until(() => gw.posted.length === 1, 'the ready message');
    assert.equal(gw.streams[0]!.auth, 'Bearer secret-token');
    assert.equal(gw.posted[0]!.auth, 'Bearer secret-token');
    assert.equal(gw.streams[0]!.url, '/ui/events');
  });

  it('the first ready opens the session a #session= link names, once', async () => {
    const gw = new FakeGateway();
    host = new BrowserHost(makeEnv(gw).env);
    await until(() => gw.streams.length === 1, 'the event stream');
    gw.last.hello('c0ffee00-0000');
    host.post({ type: 'ready' });
    host.post({ type: 'ready' });
    await until(() => gw.posted.length === 2, 'both');
    assert.deepEqual(gw.posted.map((p) => p.message), [{ type: 'ready', sessionId: 'sess-1234abcd' }, { type: 'ready' }]);
  });

  it('posts messages in order, with the connection id, only once the stream said hello', async () => {
    const gw = new FakeGateway();
    host = new BrowserHost(makeEnv(gw, '#token=t0ken-123').env);
    host.post({ type: 'ready' });
    host.post({ type: 'send', content: 'one' });
    host.post({ type: 'cancel' });
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(gw.posted.length, 0, 'nothing before hello');
    await until(() => gw.streams.length === 1, 'the event stream');
    gw.last.hello('c0ffee00-0001');
    await until(() => gw.posted.length === 3, 'all three');
    assert.deepEqual(gw.posted.map((p) => p.message.type), ['ready', 'send', 'cancel']);
    assert.ok(gw.posted.every((p) => p.connection === 'c0ffee00-0001'));
  });

  it('hands the UI every valid host message, and drops invalid ones', async () => {
    const gw = new FakeGateway();
    host = new BrowserHost(makeEnv(gw).env);
    const got = collect(host);
    await until(() => gw.streams.length === 1, 'the event stream');
    gw.last.hello('c0ffee00-0000');
    gw.last.send(snapshot);
    gw.last.send({ type: 'notice', level: 'info', message: 'hi' });
    gw.last.send({ type: 'notice', level: 'shout', message: '<img src=x onerror=alert(1)>' });
    gw.last.send({ type: 'nonsense' });
    gw.last.write('event: message\ndata: {not json\n\n');
    gw.last.send({ type: 'showHistory' });
    await until(() => got.some((m) => m.type === 'showHistory'), 'the last message');
    assert.deepEqual(got.map((m) => m.type), ['snapshot', 'notice', 'showHistory']);
  });

  it('carries out page effects: copy, download, and a link only after the user confirms it', async () => {
    const gw = new FakeGateway();
    const e = makeEnv(gw);
    host = new BrowserHost(e.env);
    const got = collect(host);
    await until(() => gw.streams.length === 1, 'the event stream');
    gw.last.hello('c0ffee00-0000');
    gw.last.send({ type: 'pageEffect', effect: { kind: 'copy', text: 'code' } });
    await until(() => e.copied.length === 1, 'the copy');
    assert.deepEqual(e.copied, ['code']);
    await until(() => got.some((m) => m.type === 'notice' && m.message === 'Copied.'), 'the copied note');
    gw.last.send({ type: 'pageEffect', effect: { kind: 'download', fileName: 'chat.md', text: '# Chat' } });
    await until(() => e.downloads.length === 1, 'the download');
    assert.deepEqual(e.downloads, [{ name: 'chat.md', text: '# Chat' }]);
    gw.last.send({ type: 'pageEffect', effect: { kind: 'openUrl', url: 'https://example.com/a' } });
    await until(() => e.opened.length === 1, 'the tab');
    assert.match(e.confirms[0]!, /https:\/\/example\.com\/a/);
    e.setConfirm(false);
    gw.last.send({ type: 'pageEffect', effect: { kind: 'openUrl', url: 'https://example.com/b' } });
    await until(() => e.confirms.length === 2, 'the second question');
    assert.deepEqual(e.opened, ['https://example.com/a']);
    assert.ok(!got.some((m) => m.type === 'pageEffect'), 'effects never reach the UI');
  });

  it('a copy the browser refuses says so', async () => {
    const gw = new FakeGateway();
    const e = makeEnv(gw);
    e.env.clipboard = { writeText: () => Promise.reject(new Error('NotAllowedError')) };
    host = new BrowserHost(e.env);
    const got = collect(host);
    await until(() => gw.streams.length === 1, 'the event stream');
    gw.last.hello('c0ffee00-0000');
    gw.last.send({ type: 'pageEffect', effect: { kind: 'copy', text: 'code' } });
    await until(() => got.some((m) => m.type === 'notice' && m.level === 'error' && /Ctrl\+C/.test(m.message)), 'the note');
  });

  it('a dropped stream reconnects to the same conversation and asks for a fresh snapshot', async () => {
    const gw = new FakeGateway();
    host = new BrowserHost(makeEnv(gw).env);
    await until(() => gw.streams.length === 1, 'the event stream');
    gw.last.hello('c0ffee00-0000');
    host.post({ type: 'ready' });
    await until(() => gw.posted.length === 1, 'ready');
    gw.last.end();
    await until(() => gw.streams.length === 2, 'the reconnect');
    assert.equal(gw.streams[1]!.url, '/ui/events?connection=c0ffee00-0000');
    gw.last.hello('c0ffee00-0000');
    await until(() => gw.posted.length === 2, 'ready again');
    assert.deepEqual(gw.posted[1]!.message, { type: 'ready' });
  });

  it('a message the gateway no longer knows the page for is sent again after the reconnect', async () => {
    const gw = new FakeGateway();
    host = new BrowserHost(makeEnv(gw).env);
    await until(() => gw.streams.length === 1, 'the event stream');
    gw.last.hello('c0ffee00-0000');
    host.post({ type: 'ready' });
    await until(() => gw.posted.length === 1, 'ready');
    gw.postStatus.push(404); // the gateway restarted
    host.post({ type: 'send', content: 'not lost' });
    gw.last.end();
    await until(() => gw.streams.length === 2, 'the reconnect');
    gw.last.hello('c0ffee00-0002');
    await until(() => gw.posted.some((p) => p.message.type === 'send'), 'the resend');
    const send = gw.posted.find((p) => p.message.type === 'send')!;
    assert.equal(send.connection, 'c0ffee00-0002');
    assert.equal(send.message.content, 'not lost');
  });

  it('a message the gateway is too busy to take (503) is sent again after Retry-After, not lost and not reported', async () => {
    const gw = new FakeGateway();
    host = new BrowserHost(makeEnv(gw).env);
    const got = collect(host);
    await until(() => gw.streams.length === 1, 'stream');
    gw.last.hello('c0ffee00-0001');
    gw.postStatus.push(503, 503);
    host.post({ type: 'send', content: 'big question' });
    const sent = await until(() => gw.posted.find((p) => p.message.type === 'send'), 'the send, third time');
    assert.equal(sent.message.content, 'big question');
    assert.ok(!got.some((m) => m.type === 'notice'), 'nothing to report: it went through');
  });

  it('says the gateway is gone while it is down, and comes back by itself', async () => {
    const gw = new FakeGateway();
    gw.down = true;
    host = new BrowserHost(makeEnv(gw).env);
    const got = collect(host);
    await until(() => got.some((m) => m.type === 'connection' && m.connection.status === 'unreachable'), 'unreachable');
    gw.down = false;
    await until(() => gw.streams.length === 1, 'the reconnect');
  });

  it('without a token: an empty chat that says how to get one, and no request at all', async () => {
    const gw = new FakeGateway();
    const calls: string[] = [];
    const env = makeEnv(gw, '').env;
    env.fetch = (async (u: string) => void calls.push(u)) as unknown as typeof fetch;
    host = new BrowserHost(env);
    const got = collect(host);
    host.post({ type: 'ready' });
    assert.equal(got[0]?.type, 'snapshot');
    assert.ok(got.some((m) => m.type === 'notice' && /token/.test(m.message)));
    assert.deepEqual(calls, []);
  });

  it('a gateway with no room for the page (503) says why once, keeps the draft, and connects when room is made', async () => {
    const gw = new FakeGateway();
    gw.streamStatus.push(503, 503, 503);
    host = new BrowserHost(makeEnv(gw).env);
    const got = collect(host);
    host.post({ type: 'send', content: 'typed while refused' });
    await until(() => gw.streams.length === 1, 'the stream once there is room');
    const said = got.filter((m) => m.type === 'notice');
    assert.deepEqual(said, [{ type: 'notice', level: 'error', message: 'This Hearth gateway already has 64 pages open. Close a Hearth tab you no longer use.' }], 'said once, not per retry');
    assert.ok(!got.some((m) => m.type === 'connection' && m.connection.status === 'unreachable'), 'not "not responding": it answered');
    gw.last.hello('c0ffee00-0009');
    await until(() => gw.posted.find((p) => p.message.type === 'send'), 'the message typed meanwhile');
  });

  it('a wrong token (401) says how to get the right one and stops asking', async () => {
    const gw = new FakeGateway();
    gw.streamStatus.push(401);
    host = new BrowserHost(makeEnv(gw).env);
    const got = collect(host);
    await until(() => got.some((m) => m.type === 'notice' && /token/.test(m.message)), 'the notice');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(gw.streams.length, 0);
  });

  describe('requests with replies', () => {
    async function live(gw: FakeGateway) {
      const h = new BrowserHost(makeEnv(gw).env);
      await until(() => gw.streams.length === 1, 'the event stream');
      gw.last.hello('c0ffee00-0000');
      gw.last.send(snapshot);
      return h;
    }
    const rejection = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => (e instanceof Error ? e.message : String(e)));

    it('a reply settles its request (checked against what it may get) and is not handed to the UI', async () => {
      const gw = new FakeGateway();
      host = await live(gw);
      const got = collect(host);
      const asked = host.request({ type: 'contextSearch', query: 'ca' });
      await until(() => gw.posted.some((p) => p.message.type === 'contextSearch'), 'the request');
      const requestId = gw.posted.find((p) => p.message.type === 'contextSearch')!.message.requestId as number;
      gw.last.send({ type: 'reply', requestId, result: { kind: 'candidates', items: [{ id: 'c1', kind: 'file', label: 'calc.py' }] } }, 2);
      assert.deepEqual(await asked, { kind: 'candidates', items: [{ id: 'c1', kind: 'file', label: 'calc.py' }] });
      assert.equal(got.some((m) => m.type === 'reply'), false);
      const wrong = host.request({ type: 'contextAdd', id: 'c1' });
      await until(() => gw.posted.some((p) => p.message.type === 'contextAdd'), 'the second request');
      const second = gw.posted.find((p) => p.message.type === 'contextAdd')!.message.requestId as number;
      gw.last.send({ type: 'reply', requestId: second, result: { kind: 'accepted', sessionId: 'sess-1234abcd', messageId: 'msg-1234abcd' } }, 3);
      assert.match(await rejection(wrong), /answered "contextAdd" with something it cannot ask for/);
    });

    it('a request made before the first snapshot waits for it, then goes', async () => {
      const gw = new FakeGateway();
      host = new BrowserHost(makeEnv(gw).env);
      await until(() => gw.streams.length === 1, 'the event stream');
      gw.last.hello('c0ffee00-0000');
      void host.request({ type: 'send', content: 'early' });
      host.post({ type: 'ready' });
      await until(() => gw.posted.length === 1, 'ready');
      await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(gw.posted.map((p) => p.message.type), ['ready']);
      gw.last.send(snapshot);
      await until(() => gw.posted.length === 2, 'the send');
      assert.equal(gw.posted[1]!.message.content, 'early');
    });

    it('a request the gateway did not take fails with the reason (the page keeps the text), not as a notice', async () => {
      const gw = new FakeGateway();
      host = await live(gw);
      const got = collect(host);
      gw.postStatus.push(500);
      assert.match(await rejection(host.request({ type: 'send', content: 'q' })), /did not take that \(HTTP 500\)/);
      assert.equal(got.some((m) => m.type === 'notice'), false);
    });

    it('a gateway that restarted (a new connection id) fails what the old one took; later requests are answered', async () => {
      const gw = new FakeGateway();
      host = await live(gw);
      const taken = host.request({ type: 'send', content: 'taken' });
      await until(() => gw.posted.some((p) => p.message.type === 'send'), 'the send');
      gw.last.end();
      await until(() => gw.streams.length === 2, 'the reconnect');
      gw.last.hello('c0ffee00-0001');
      assert.match(await rejection(taken), /restarted before it answered/);
      const later = host.request({ type: 'contextSearch', query: 'x' });
      await until(() => gw.posted.some((p) => p.message.type === 'contextSearch'), 'the search');
      const requestId = gw.posted.find((p) => p.message.type === 'contextSearch')!.message.requestId as number;
      gw.last.send({ type: 'reply', requestId, result: { kind: 'candidates', items: [] } }, 2);
      assert.deepEqual(await later, { kind: 'candidates', items: [] });
    });

    it('a stream that reconnects to the same conversation keeps its requests waiting for their replies', async () => {
      const gw = new FakeGateway();
      host = await live(gw);
      let settled = false;
      const taken = host.request({ type: 'send', content: 'taken' }).finally(() => (settled = true));
      await until(() => gw.posted.some((p) => p.message.type === 'send'), 'the send');
      const requestId = gw.posted.find((p) => p.message.type === 'send')!.message.requestId as number;
      gw.last.end();
      await until(() => gw.streams.length === 2, 'the reconnect');
      gw.last.hello('c0ffee00-0000');
      await new Promise((r) => setTimeout(r, 10));
      assert.equal(settled, false);
      gw.last.send(snapshot);
      gw.last.send({ type: 'reply', requestId, result: { kind: 'refused', reason: 'No model is selected.' } }, 2);
      assert.deepEqual(await taken, { kind: 'refused', reason: 'No model is selected.' });
    });

    it('without a token a request fails at once, saying how to get one', async () => {
      const gw = new FakeGateway();
      host = new BrowserHost(makeEnv(gw, '').env);
      host.post({ type: 'ready' });
      assert.match(await rejection(host.request({ type: 'send', content: 'q' })), /needs the gateway's token/);
    });
  });

  it('keeps the draft and the open view for this tab', () => {
    const gw = new FakeGateway();
    const { env } = makeEnv(gw, '');
    host = new BrowserHost(env);
    host.setUiState({ draft: 'half a question', view: 'history' });
    assert.deepEqual(new BrowserHost(env).getUiState(), { draft: 'half a question', view: 'history' });
    env.sessionStorage.setItem('hearth.ui', '{"draft":5,"view":"elsewhere"}');
    assert.deepEqual(host.getUiState(), { draft: undefined, view: undefined });
  });
});
