import assert from 'node:assert/strict';
import type { HostToWebview } from '../../../src/shared/protocol';
import { startOllamaDouble, type OllamaDouble } from '../../double';
import { until } from '../chat/helpers';
import { request, sse, type SseClient } from './httpClient';
import { turnSettingsOf } from '../../../src/gateway/turnSettings';
import { engineFor, startTestGateway, TOKEN, type TestGateway } from './testGateway';

const MODEL = 'test-model:7b';

/** A browser page over real sockets: the event stream and its posts. */
class Page {
  readonly stream: SseClient;
  constructor(
    private readonly gw: TestGateway,
    connection?: string,
  ) {
    this.stream = sse(gw.port, { path: `/ui/events${connection ? `?connection=${connection}` : ''}`, token: TOKEN });
  }
  async id(): Promise<string> {
    await this.stream.waitFor(() => this.stream.events.some((e) => e.event === 'hello'), 'hello');
    return this.stream.events.find((e) => e.event === 'hello')!.json.connection as string;
  }
  messages(): HostToWebview[] {
    return this.stream.events.filter((e) => e.event === 'message').map((e) => e.json as HostToWebview);
  }
  async post(message: unknown, connection?: string): Promise<number> {
    const r = await request(this.gw.port, { method: 'POST', path: '/ui/messages', token: TOKEN, body: { connection: connection ?? (await this.id()), message } });
    return r.status;
  }
  async waitFor(check: (ms: HostToWebview[]) => boolean, what: string): Promise<void> {
    await this.stream.waitFor(() => check(this.messages()), what);
  }
}

describe('gateway /ui routes: the browser UI as a transport to the conversation core', function () {
  this.timeout(30_000);
  let double: OllamaDouble;
  let gw: TestGateway;
  const pages: Page[] = [];
  const open = (connection?: string) => {
    const p = new Page(gw, connection);
    pages.push(p);
    return p;
  };

  beforeEach(async () => {
    double = await startOllamaDouble({ models: [MODEL] });
    gw = await startTestGateway({ engine: engineFor(double.url), pageGraceMs: 200 });
  });
  afterEach(async () => {
    for (const p of pages.splice(0)) p.stream.close();
    await gw.close();
    await double.stop();
  });

  it('ready gets a snapshot; a send streams a turn the core stores; the history follows', async () => {
    const page = open();
    assert.equal(await page.post({ type: 'ready' }), 202);
    await page.waitFor((ms) => ms.some((m) => m.type === 'snapshot'), 'snapshot');
    const snap = page.messages().find((m) => m.type === 'snapshot');
    assert.ok(snap?.type === 'snapshot');
    assert.deepEqual(snap.state.capabilities, { editor: false, pull: true, titleActions: false });
    // The first ready asks the server for its models: in the snapshot if it answered first, else right after.
    await page.waitFor((ms) => ms.some((m) => (m.type === 'models' && m.selectedModel === MODEL) || (m.type === 'snapshot' && m.state.selectedModel === MODEL)), 'the model list');
    double.enqueue({ tokens: ['Hi', ' there'] });
    assert.equal(await page.post({ type: 'send', content: 'hello', model: MODEL }), 202);
    // The history lists the new session at once, and again when the turn is over.
    await page.waitFor((ms) => ms.some((m) => m.type === 'sessions' && m.sessions[0]?.status === 'complete'), 'the turn and the history');
    const ms = page.messages();
    const started = ms.find((m) => m.type === 'turnStarted');
    assert.ok(started?.type === 'turnStarted');
    const text = ms.flatMap((m) => (m.type === 'event' && m.event.type === 'token' ? [m.event.content] : [])).join('');
    assert.equal(text, 'Hi there');
    const stored = await gw.store.get(started.sessionId);
    assert.deepEqual(stored?.messages.map((m) => [m.role, m.content, m.status]), [
      ['user', 'hello', 'complete'],
      ['assistant', 'Hi there', 'complete'],
    ]);
  });

  it("the page counts against the gateway's context length (HEARTH_CONTEXT_LENGTH) and its system prompt", async () => {
    const sized = await startTestGateway({ engine: engineFor(double.url), settings: turnSettingsOf({ contextLength: 2048, keepAlive: '30m', think: true, systemPrompt: 'Answer in French.' }) });
    const page = new Page(sized);
    try {
      assert.equal(await page.post({ type: 'ready' }), 202);
      await page.waitFor((ms) => ms.some((m) => m.type === 'snapshot'), 'snapshot');
      const snap = page.messages().find((m) => m.type === 'snapshot');
      assert.ok(snap?.type === 'snapshot');
      assert.equal(snap.state.context?.contextLength, 2048);
      assert.ok((snap.state.context?.reservedTokens ?? 0) > 0, 'the system prompt is counted');
    } finally {
      page.stream.close();
      await sized.close();
    }
  });

  it('needs the token, the right Host and no foreign Origin, like every API route', async () => {
    assert.equal((await request(gw.port, { path: '/ui/events' })).status, 401);
    assert.equal((await request(gw.port, { method: 'POST', path: '/ui/messages', body: { connection: 'c0ffee00-0000', message: { type: 'ready' } } })).status, 401);
    assert.equal((await request(gw.port, { path: '/ui/events', token: TOKEN, host: 'evil.example:80' })).status, 403);
    assert.equal((await request(gw.port, { method: 'POST', path: '/ui/messages', token: TOKEN, headers: { origin: 'http://evil.example' }, body: { connection: 'c0ffee00-0000', message: { type: 'ready' } } })).status, 403);
  });

  it('refuses a malformed envelope, an unknown page, and acts on no invalid message', async () => {
    const page = open();
    const id = await page.id();
    assert.equal((await request(gw.port, { method: 'POST', path: '/ui/messages', token: TOKEN, body: { connection: '../x', message: {} } })).status, 400);
    assert.equal((await request(gw.port, { method: 'POST', path: '/ui/messages', token: TOKEN, body: 'not json' })).status, 400);
    assert.equal(await page.post({ type: 'ready' }, 'deadbeef-0000'), 404);
    assert.equal((await request(gw.port, { path: '/ui/events?connection=../../x', token: TOKEN })).status, 400);
    // Valid envelope, invalid message: accepted for the core, which ignores (and logs) it.
    assert.equal(await page.post({ type: 'send', content: '   ' }, id), 202);
    assert.equal(await page.post({ type: 'eval', code: 'x' }, id), 202);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(page.messages(), []);
    assert.equal(double.requests.filter((r) => r.path === '/api/chat').length, 0);
  });

  it('a page that reconnects with its id keeps its conversation and gets a fresh snapshot', async () => {
    const page = open();
    const id = await page.id();
    double.enqueue({ tokens: ['remembered'] });
    await page.post({ type: 'ready' });
    await page.post({ type: 'send', content: 'first', model: MODEL });
    await page.waitFor((ms) => ms.some((m) => m.type === 'sessions'), 'the turn');
    page.stream.close();
    const again = open(id);
    assert.equal(await again.id(), id);
    await again.post({ type: 'ready' });
    await again.waitFor((ms) => ms.some((m) => m.type === 'snapshot'), 'snapshot');
    const snap = again.messages().find((m) => m.type === 'snapshot');
    assert.ok(snap?.type === 'snapshot');
    assert.equal(snap.state.current?.messages[1]?.content, 'remembered');
  });

  it('a closed page (no reconnect within the grace time) stops its reply and keeps the text', async () => {
    const page = open();
    await page.post({ type: 'ready' });
    double.enqueue({ tokens: ['part', 'never'], tokenDelayMs: 10_000 });
    await page.post({ type: 'send', content: 'long', model: MODEL });
    await page.waitFor((ms) => ms.some((m) => m.type === 'event' && m.event.type === 'token'), 'the first token');
    const started = page.messages().find((m) => m.type === 'turnStarted');
    assert.ok(started?.type === 'turnStarted');
    page.stream.close();
    await until(async () => (await gw.store.get(started.sessionId))?.messages[1]?.status === 'stopped', 'the reply to be stopped');
    assert.equal((await gw.store.get(started.sessionId))?.messages[1]?.content, 'part');
    assert.equal(gw.pages.size, 0);
  });

  it('a page beyond the room while every page is connected is refused with 503, Retry-After and a sentence; the connected ones keep going', async () => {
    await gw.close();
    gw = await startTestGateway({ engine: engineFor(double.url), pageGraceMs: 200, maxPages: 2 });
    const first = open();
    const second = open();
    const [a, b] = [await first.id(), await second.id()];
    const third = await request(gw.port, { path: '/ui/events', token: TOKEN, headers: { accept: 'text/event-stream' } });
    assert.equal(third.status, 503);
    assert.equal(third.headers['retry-after'], '10');
    assert.equal((third.json as { error: { code: string } }).error.code, 'too_many_pages');
    assert.match((third.json as { error: { message: string } }).error.message, /Close a Hearth tab/);
    assert.equal(await first.post({ type: 'ready' }, a), 202);
    assert.equal(await second.post({ type: 'ready' }, b), 202);
    await first.waitFor((ms) => ms.some((m) => m.type === 'snapshot'), 'the first page still served');
  });

  it('two pages have their own conversations but one history', async () => {
    const a = open();
    const b = open();
    await a.post({ type: 'ready' });
    await b.post({ type: 'ready' });
    double.enqueue({ tokens: ['for a'] });
    await a.post({ type: 'send', content: 'from a', model: MODEL });
    await b.waitFor((ms) => ms.some((m) => m.type === 'sessions' && m.sessions.length === 1), 'b sees the new session in the history');
    assert.ok(!b.messages().some((m) => m.type === 'turnStarted'));
    assert.ok(a.messages().some((m) => m.type === 'turnStarted'));
  });

  describe('the store tells the pages (the HTTP API goes around them)', () => {
    /** Two pages; a's turn makes a session, which b opens too. */
    async function twoPagesOnOneSession(): Promise<{ a: Page; b: Page; id: string }> {
      const a = open();
      const b = open();
      await a.post({ type: 'ready' });
      await b.post({ type: 'ready' });
      double.enqueue({ tokens: ['answer'] });
      await a.post({ type: 'send', content: 'a question', model: MODEL });
      await a.waitFor((ms) => ms.some((m) => m.type === 'sessions' && m.sessions.length === 1), 'the turn stored');
      const id = a.messages().find((m) => m.type === 'turnStarted')!;
      assert.ok(id.type === 'turnStarted');
      await b.post({ type: 'openSession', sessionId: id.sessionId });
      await b.waitFor((ms) => ms.some((m) => m.type === 'session' && m.session?.id === id.sessionId), 'b shows the session');
      return { a, b, id: id.sessionId };
    }

    it('DELETE /sessions/{id}: every page showing it leaves it (a new chat) and the history drops it', async () => {
      const { a, b, id } = await twoPagesOnOneSession();
      const seenA = a.messages().length;
      const seenB = b.messages().length;
      assert.equal((await request(gw.port, { method: 'DELETE', path: `/sessions/${id}`, token: TOKEN })).status, 204);
      for (const [page, seen] of [[a, seenA], [b, seenB]] as const) {
        await page.waitFor((ms) => ms.slice(seen).some((m) => m.type === 'session' && m.session === null), 'the page leaves the deleted session');
        await page.waitFor((ms) => ms.slice(seen).some((m) => m.type === 'sessions' && m.sessions.length === 0), 'the history without it');
      }
    });

    it('PATCH /sessions/{id}: a page showing it shows the new title, and every history has it', async () => {
      const { a, b, id } = await twoPagesOnOneSession();
      const seenA = a.messages().length;
      const seenB = b.messages().length;
      assert.equal((await request(gw.port, { method: 'PATCH', path: `/sessions/${id}`, token: TOKEN, body: { title: 'Renamed over HTTP' } })).status, 200);
      for (const [page, seen] of [[a, seenA], [b, seenB]] as const) {
        await page.waitFor((ms) => ms.slice(seen).some((m) => m.type === 'session' && m.session?.title === 'Renamed over HTTP'), 'the open session renamed');
        await page.waitFor((ms) => ms.slice(seen).some((m) => m.type === 'sessions' && m.sessions[0]?.title === 'Renamed over HTTP'), 'the history renamed');
      }
    });

    it('pruning: a page showing a session pruned to the trash leaves it', async () => {
      await gw.close();
      gw = await startTestGateway({ engine: engineFor(double.url), pageGraceMs: 200, storeOptions: { maxSessions: 1 } });
      const { b, id } = await twoPagesOnOneSession();
      const seen = b.messages().length;
      // A session created by the API prunes the one b shows.
      await gw.store.create({ title: 'newer' });
      await gw.store.settled();
      await b.waitFor((ms) => ms.slice(seen).some((m) => m.type === 'session' && m.session === null), 'b leaves the pruned session');
      await b.waitFor((ms) => ms.slice(seen).some((m) => m.type === 'sessions' && m.sessions.length === 1 && m.sessions[0]!.id !== id), 'the history without it');
    });
  });
});
