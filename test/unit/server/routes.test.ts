import assert from 'node:assert/strict';
import { startOllamaDouble, type OllamaDouble } from '../../double';
import { userContentForModel } from '../../../src/shared/attachments';
import type { Attachment } from '../../../src/shared/session';
import { until } from '../chat/helpers';
import { request, sse, type SseClient } from './httpClient';
import { engineFor, startTestGateway, TOKEN, type TestGateway } from './testGateway';

const MODEL = 'test-model:7b';

function assertWellFormed(c: SseClient): void {
  assert.equal(c.status, 200);
  assert.match(String(c.headers['content-type']), /^text\/event-stream/);
  assert.equal(c.headers['x-content-type-options'], 'nosniff');
  const ids = c.events.map((e) => Number(e.id));
  assert.deepEqual(ids, ids.map((_, i) => ids[0]! + i), 'ids increase by one');
  for (const e of c.events) assert.notEqual(e.json, undefined, `data of ${e.event} is JSON`);
  assert.equal(c.events.filter((e) => e.event === 'done').length, 1);
  assert.equal(c.events.at(-1)!.event, 'done');
}


/** The stored reply once it is no longer streaming (its placeholder is written beside the stream). */
function finishedReply(gw: TestGateway, sid: string, mid: string) {
  return until(async () => {
    const m = (await gw.store.get(sid))?.messages.find((x) => x.id === mid);
    return m && m.status !== 'streaming' ? m : undefined;
  }, 'the reply to be finished');
}
describe('gateway server routes (over the Ollama double)', function () {
  this.timeout(30_000);
  let double: OllamaDouble;
  let gw: TestGateway;

  beforeEach(async () => {
    double = await startOllamaDouble({ models: [MODEL, { name: 'other-model', family: 'qwen' }] });
    gw = await startTestGateway({ engine: engineFor(double.url) });
  });
  afterEach(async () => {
    await gw.close();
    await double.stop();
  });

  it('GET /health without the token: only {status}, and never a request to Ollama (up or down)', async () => {
    const before = double.requests.length;
    for (let i = 0; i < 5; i++) {
      const r = await request(gw.port, { path: '/health' });
      assert.equal(r.status, 200);
      assert.deepEqual(r.json, { status: 'ok' });
    }
    for (const token of ['wrong', TOKEN + 'x']) assert.deepEqual((await request(gw.port, { path: '/health', token })).json, { status: 'ok' });
    await double.stop();
    assert.deepEqual((await request(gw.port, { path: '/health' })).json, { status: 'ok' }, 'the gateway is up; details need the token');
    assert.equal((await request(gw.port, { method: 'HEAD', path: '/health' })).status, 200);
    await double.start();
    assert.equal(double.requests.length, before, 'no outbound request without the token');
  });

  it('GET /health with the token: provider details (kind, reachable, version, url), `ollama` as the deprecated alias; degraded when Ollama is gone', async () => {
    const r = await request(gw.port, { path: '/health', token: TOKEN });
    assert.equal(r.status, 200);
    const provider = { kind: 'ollama', reachable: true, version: '0.12.6', url: 'http://127.0.0.1:11434' };
    assert.deepEqual(r.json, { status: 'ok', provider, ollama: provider });
    await double.stop();
    const down = await request(gw.port, { path: '/health', token: TOKEN });
    assert.equal(down.status, 200);
    assert.equal(down.json.status, 'degraded');
    assert.equal(down.json.provider.reachable, false);
    assert.match(down.json.provider.error, /not running/);
    assert.deepEqual(down.json.ollama, down.json.provider);
    await double.start();
  });

  it('user-info in the model server URL never shows: not in /health, not in errors', async () => {
    await gw.close();
    const withCred = double.url.replace('http://', 'http://alice:s3cret@');
    gw = await startTestGateway({ engine: engineFor(withCred), provider: () => ({ kind: 'ollama', url: withCred }) });
    const up = await request(gw.port, { path: '/health', token: TOKEN });
    assert.equal(up.json.provider.url, double.url.replace('http://', 'http://***@'));
    assert.equal(double.requests.at(-1)!.headers.authorization, `Basic ${Buffer.from('alice:s3cret').toString('base64')}`, 'still sent, as Basic auth');
    await double.stop();
    const texts = [
      (await request(gw.port, { path: '/health', token: TOKEN })).text,
      (await request(gw.port, { path: '/models', token: TOKEN })).text,
    ];
    const turn = sse(gw.port, { method: 'POST', path: '/chat/stream', token: TOKEN, body: { model: MODEL, content: 'hi' } });
    await turn.finished;
    texts.push(turn.body);
    for (const t of texts) {
      assert.match(t, /\*\*\*@127\.0\.0\.1/, t);
      assert.doesNotMatch(t, /s3cret|alice/, t);
    }
    assert.doesNotMatch(gw.logs.join('\n'), /s3cret/);
    await double.start();
  });

  it('GET /models lists the models exactly as Ollama names them', async () => {
    const r = await request(gw.port, { path: '/models', token: TOKEN });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.models.map((m: { name: string }) => m.name).sort(), [MODEL, 'other-model'].sort());
    assert.equal(typeof r.json.models[0].size, 'number');
  });

  it('GET /models when Ollama is down: 502 with a stable code', async () => {
    await double.stop();
    const r = await request(gw.port, { path: '/models', token: TOKEN });
    assert.equal(r.status, 502);
    assert.equal(r.json.error.code, 'unreachable');
    await double.start();
  });

  it('POST /chat/stream: ordered, numbered events; first and done carry the ids; the reply is stored', async () => {
    double.enqueue({ tokens: ['Hel', 'lo', ' there'] });
    const c = sse(gw.port, { method: 'POST', path: '/chat/stream', token: TOKEN, body: { model: MODEL, content: 'Say hello' } });
    await c.finished;
    assertWellFormed(c);
    assert.equal(c.events[0]!.id, '1');
    const first = c.events[0]!;
    assert.equal(first.event, 'status_update');
    const { session_id, message_id } = first.json;
    assert.ok(session_id && message_id);
    assert.equal(c.tokens(), 'Hello there');
    const names = c.events.map((e) => e.event);
    assert.ok(names.indexOf('usage') > names.lastIndexOf('token'), 'usage after the last token');
    assert.deepEqual(c.events.at(-1)!.json, { session_id, message_id, finish_reason: 'stop' });
    const s = await request(gw.port, { path: `/sessions/${session_id}`, token: TOKEN });
    assert.equal(s.status, 200);
    assert.equal(s.json.session_id, session_id);
    assert.equal(s.json.title, 'Say hello');
    assert.deepEqual(
      s.json.messages.map((m: { role: string; content: string; status: string }) => [m.role, m.content, m.status]),
      [
        ['user', 'Say hello', 'complete'],
        ['assistant', 'Hello there', 'complete'],
      ],
    );
    assert.equal(s.json.messages[1].id, message_id);
    assert.equal(s.json.messages[1].usage.completion_tokens > 0, true);
  });

  it('POST /chat/stream with session_id sends the session history to the model; message_id is kept', async () => {
    const c1 = sse(gw.port, { method: 'POST', path: '/chat/stream', token: TOKEN, body: { model: MODEL, content: 'first' } });
    await c1.finished;
    const sid = c1.events[0]!.json.session_id;
    const c2 = sse(gw.port, {
      method: 'POST',
      path: '/chat/stream',
      token: TOKEN,
      body: { session_id: sid, message_id: 'client-msg-0002', model: MODEL, content: 'second', agent_id: 'default' },
    });
    await c2.finished;
    assertWellFormed(c2);
    const chat = double.requestsTo('/api/chat').at(-1)!;
    assert.deepEqual(
      chat.body.messages.map((m: { role: string; content: string }) => [m.role, m.content]),
      [
        ['user', 'first'],
        ['assistant', 'You said: first'],
        ['user', 'second'],
      ],
    );
    const s = await request(gw.port, { path: `/sessions/${sid}`, token: TOKEN });
    assert.equal(s.json.messages[2].id, 'client-msg-0002');
  });

  it('POST /chat/message then GET /chat/stream/{id} streams the reply with the stored context', async () => {
    const m = await request(gw.port, { method: 'POST', path: '/chat/message', token: TOKEN, body: { model: MODEL, content: 'stored question' } });
    assert.equal(m.status, 201);
    const { session_id, message_id } = m.json;
    assert.ok(session_id && message_id);
    const c = sse(gw.port, { path: `/chat/stream/${session_id}`, token: TOKEN });
    await c.finished;
    assertWellFormed(c);
    assert.equal(c.tokens(), 'You said: stored question');
    assert.equal(c.events[0]!.json.session_id, session_id);
    const chat = double.requestsTo('/api/chat').at(-1)!;
    assert.equal(chat.body.model, MODEL);
    assert.deepEqual(chat.body.messages.at(-1), { role: 'user', content: 'stored question' });
    // Nothing left to answer: a second GET without Last-Event-ID is a conflict.
    const again = await request(gw.port, { path: `/chat/stream/${session_id}`, token: TOKEN });
    assert.equal(again.status, 409);
  });

  describe('attachments', () => {
    const file = { name: 'app.ts', language: 'typescript', content: 'export const answer = 42;\n' };
    const asStored = { kind: 'file', ...file };

    it('POST /chat/stream stores them with the question (kind file) and sends them to the model in the shared format', async () => {
      const c = sse(gw.port, { method: 'POST', path: '/chat/stream', token: TOKEN, body: { model: MODEL, content: 'Explain this', attachments: [file] } });
      await c.finished;
      assertWellFormed(c);
      const sid = c.events[0]!.json.session_id;
      const s = await request(gw.port, { path: `/sessions/${sid}`, token: TOKEN });
      assert.deepEqual(s.json.messages[0].attachments, [asStored]);
      assert.equal(s.json.messages[0].content, 'Explain this');
      assert.equal(s.json.title, 'Explain this');
      const sent = double.requestsTo('/api/chat').at(-1)!.body.messages.at(-1);
      assert.deepEqual(sent, { role: 'user', content: userContentForModel({ content: 'Explain this', attachments: [asStored as Attachment] }) });
      assert.match(sent.content, /^File `app.ts` \(typescript\)\n```typescript\nexport const answer = 42;\n```\n\nExplain this$/);
    });

    it('POST /chat/message stores them; GET /chat/stream/{id} sends them', async () => {
      const m = await request(gw.port, { method: 'POST', path: '/chat/message', token: TOKEN, body: { model: MODEL, content: 'two-step', attachments: [{ name: 'notes.txt', content: 'plain' }] } });
      assert.equal(m.status, 201);
      const c = sse(gw.port, { path: `/chat/stream/${m.json.session_id}`, token: TOKEN });
      await c.finished;
      assertWellFormed(c);
      const sent = double.requestsTo('/api/chat').at(-1)!.body.messages.at(-1).content as string;
      assert.ok(sent.startsWith('File `notes.txt`\n```\nplain\n```'), sent);
      const stored = (await gw.store.get(m.json.session_id))!.messages[0]!;
      assert.deepEqual(stored.attachments, [{ kind: 'file', name: 'notes.txt', content: 'plain' }]);
    });

    it('malformed attachments are a 400; more than the 1 MB body cap is a 413; nothing is stored', async () => {
      for (const attachments of [[{ content: 'x' }], [{ name: 'a', content: 5 }], 'nope', [{ name: 'a', content: 'x', language: 'l'.repeat(101) }]]) {
        const r = await request(gw.port, { method: 'POST', path: '/chat/stream', token: TOKEN, body: { model: MODEL, content: 'x', attachments } });
        assert.equal(r.status, 400, JSON.stringify(attachments));
        assert.equal(r.json.error.code, 'bad_request');
        assert.match(r.json.error.message, /attachments/);
      }
      const big = await request(gw.port, { method: 'POST', path: '/chat/message', token: TOKEN, body: { model: MODEL, content: 'x', attachments: [{ name: 'big', content: 'x'.repeat(1024 * 1024) }] } });
      assert.equal(big.status, 413);
      assert.deepEqual(await gw.store.list(), []);
      assert.equal(double.requestsTo('/api/chat').length, 0);
    });
  });

  it('keeps sending keep-alive comments while the model has not answered yet', async () => {
    await gw.close();
    gw = await startTestGateway({ engine: engineFor(double.url), heartbeatMs: 40 });
    double.enqueue({ stallBeforeHeaders: true });
    const c = sse(gw.port, { method: 'POST', path: '/chat/stream', token: TOKEN, body: { model: MODEL, content: 'slow' } });
    await c.waitFor(() => c.comments.filter((x) => x === 'keep-alive').length >= 2, 'two keep-alives');
    assert.equal(c.events.some((e) => e.event === 'token'), false);
    assert.equal(c.events[0]!.event, 'status_update');
    const sid = c.events[0]!.json.session_id;
    const r = await request(gw.port, { method: 'POST', path: `/chat/${sid}/cancel`, token: TOKEN });
    assert.deepEqual(r.json, { session_id: sid, cancelled: true });
    await c.finished;
    assert.equal(c.events.at(-1)!.json.finish_reason, 'cancelled');
  });

  it('keep-alives come before the first token of a slow-loading model, and tokens follow', async () => {
    await gw.close();
    gw = await startTestGateway({ engine: engineFor(double.url), heartbeatMs: 40 });
    double.enqueue({ firstByteDelayMs: 2000, tokens: ['late', ' answer'] });
    const c = sse(gw.port, { method: 'POST', path: '/chat/stream', token: TOKEN, body: { model: MODEL, content: 'x' } });
    await c.finished;
    const firstToken = c.order.findIndex((o) => o.kind === 'event' && o.event.event === 'token');
    const firstComment = c.order.findIndex((o) => o.kind === 'comment' && o.text === 'keep-alive');
    assert.ok(firstComment >= 0 && firstComment < firstToken, 'a keep-alive before the first token');
    assert.equal(c.tokens(), 'late answer');
  });

  it('POST /chat/{id}/cancel ends the turn with done(cancelled), closes the Ollama request, keeps the partial text', async () => {
    double.enqueue({ tokens: Array.from({ length: 200 }, (_, i) => `w${i} `), tokenDelayMs: 20 });
    const c = sse(gw.port, { method: 'POST', path: '/chat/stream', token: TOKEN, body: { model: MODEL, content: 'long' } });
    await c.waitFor(() => c.events.filter((e) => e.event === 'token').length >= 3, 'three tokens');
    const sid = c.events[0]!.json.session_id;
    const r = await request(gw.port, { method: 'POST', path: `/chat/${sid}/cancel`, token: TOKEN });
    assert.equal(r.status, 200);
    assert.equal(r.json.cancelled, true);
    const closed = await double.waitForClientClose();
    assert.ok(closed.clientClosedAt);
    await c.finished;
    assert.deepEqual(c.events.at(-1)!.json.finish_reason, 'cancelled');
    const s = await request(gw.port, { path: `/sessions/${sid}`, token: TOKEN });
    const reply = s.json.messages[1];
    assert.equal(reply.status, 'stopped');
    assert.equal(reply.content, c.tokens());
    assert.ok(reply.content.length > 0);
    // Nothing open any more: cancel answers cancelled:false; an unknown session is a 404.
    assert.equal((await request(gw.port, { method: 'POST', path: `/chat/${sid}/cancel`, token: TOKEN })).json.cancelled, false);
    assert.equal((await request(gw.port, { method: 'POST', path: '/chat/abcdefgh-none/cancel', token: TOKEN })).status, 404);
  });

  it('a POST /chat/stream client that disconnects cancels its turn and the Ollama request is closed', async () => {
    double.enqueue({ tokens: Array.from({ length: 200 }, (_, i) => `w${i} `), tokenDelayMs: 20 });
    const c = sse(gw.port, { method: 'POST', path: '/chat/stream', token: TOKEN, body: { model: MODEL, content: 'long' } });
    await c.waitFor(() => c.events.filter((e) => e.event === 'token').length >= 2, 'two tokens');
    const { session_id: sid, message_id: mid } = c.events[0]!.json;
    c.close();
    await double.waitForClientClose();
    // The reply's placeholder is written beside the stream, so it may not be stored yet: wait for the reply itself.
    const reply = await finishedReply(gw, sid, mid);
    assert.equal(reply.status, 'stopped');
    assert.ok(reply.content.startsWith(c.tokens()));
  });

  it('a disconnect while the reply placeholder is still being written is not lost: the reply is stored as stopped', async () => {
    // Holds the placeholder write (deterministically, the window a loaded machine opens at random).
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const append = gw.store.appendMessage.bind(gw.store);
    let held = false;
    gw.store.appendMessage = async (sessionId, message) => {
      if (message.status === 'streaming') {
        held = true;
        await gate;
      }
      return append(sessionId, message);
    };
    double.enqueue({ tokens: Array.from({ length: 200 }, (_, i) => `w${i} `), tokenDelayMs: 20 });
    const c = sse(gw.port, { method: 'POST', path: '/chat/stream', token: TOKEN, body: { model: MODEL, content: 'long' } });
    await c.waitFor(() => c.events.filter((e) => e.event === 'token').length >= 2, 'two tokens');
    const { session_id: sid, message_id: mid } = c.events[0]!.json;
    assert.ok(held, 'the placeholder write is held');
    c.close();
    await double.waitForClientClose();
    // Tokens were streamed, yet the question is all that is stored so far.
    assert.deepEqual((await gw.store.get(sid))!.messages.map((m) => m.role), ['user']);
    release();
    const reply = await finishedReply(gw, sid, mid);
    assert.equal(reply.status, 'stopped');
    assert.ok(reply.content.startsWith(c.tokens()));
    assert.deepEqual((await gw.store.get(sid))!.messages.map((m) => m.id).slice(1), [mid], 'the reply is stored once');
  });

  it('GET /chat/stream/{id} with Last-Event-ID resumes the open turn without gap or duplicate', async () => {
    double.enqueue({ tokens: Array.from({ length: 30 }, (_, i) => `t${i} `), tokenDelayMs: 15 });
    const m = await request(gw.port, { method: 'POST', path: '/chat/message', token: TOKEN, body: { model: MODEL, content: 'resume me' } });
    const sid = m.json.session_id;
    const a = sse(gw.port, { path: `/chat/stream/${sid}`, token: TOKEN });
    await a.waitFor(() => a.events.filter((e) => e.event === 'token').length >= 3, 'three tokens');
    a.close();
    await a.finished;
    const lastSeen = a.events.at(-1)!.id!;
    const b = sse(gw.port, { path: `/chat/stream/${sid}`, token: TOKEN, headers: { 'Last-Event-ID': lastSeen } });
    await b.finished;
    assertWellFormed(b);
    const joined = [...a.events, ...b.events];
    assert.deepEqual(joined.map((e) => Number(e.id)), joined.map((_, i) => i + 1), 'no gap, no duplicate');
    // The stored reply is exactly what the two readers saw together.
    const text = joined.filter((e) => e.event === 'token').map((e) => e.json.content).join('');
    assert.equal(text, Array.from({ length: 30 }, (_, i) => `t${i} `).join(''));
    assert.equal((await gw.store.get(sid))!.messages[1]!.content, text);
    // Resuming after done: nothing more (204, which also stops an EventSource).
    const c = await request(gw.port, { path: `/chat/stream/${sid}`, token: TOKEN, headers: { 'Last-Event-ID': b.events.at(-1)!.id! } });
    assert.equal(c.status, 204);
    // Replay of the just-finished turn from the start.
    const d = sse(gw.port, { path: `/chat/stream/${sid}`, token: TOKEN, headers: { 'Last-Event-ID': '0' } });
    await d.finished;
    assert.deepEqual(d.events.map((e) => e.id), joined.map((e) => e.id));
    // A malformed Last-Event-ID is refused.
    assert.equal((await request(gw.port, { path: `/chat/stream/${sid}`, token: TOKEN, headers: { 'Last-Event-ID': 'abc' } })).status, 400);
  });

  it('a GET reader can follow a turn owned by a POST stream; leaving does not cancel it', async () => {
    double.enqueue({ tokens: Array.from({ length: 20 }, (_, i) => `t${i} `), tokenDelayMs: 15 });
    const owner = sse(gw.port, { method: 'POST', path: '/chat/stream', token: TOKEN, body: { model: MODEL, content: 'x' } });
    await owner.waitFor(() => owner.events.length >= 1, 'first event');
    const sid = owner.events[0]!.json.session_id;
    const reader = sse(gw.port, { path: `/chat/stream/${sid}`, token: TOKEN });
    await reader.waitFor(() => reader.events.some((e) => e.event === 'token'), 'a token');
    reader.close();
    await owner.finished;
    assert.equal(owner.events.at(-1)!.json.finish_reason, 'stop');
    assert.deepEqual(reader.events.map((e) => e.id), owner.events.slice(0, reader.events.length).map((e) => e.id));
  });

  it('a GET-started turn with no reader left is cancelled after the resume grace period', async () => {
    await gw.close();
    gw = await startTestGateway({ engine: engineFor(double.url), resumeGraceMs: 100 });
    double.enqueue({ tokens: Array.from({ length: 500 }, (_, i) => `t${i} `), tokenDelayMs: 20 });
    const m = await request(gw.port, { method: 'POST', path: '/chat/message', token: TOKEN, body: { model: MODEL, content: 'bye' } });
    const a = sse(gw.port, { path: `/chat/stream/${m.json.session_id}`, token: TOKEN });
    await a.waitFor(() => a.events.some((e) => e.event === 'token'), 'a token');
    const mid = a.events[0]!.json.message_id;
    a.close();
    await double.waitForClientClose();
    // The placeholder may not be stored yet when the model call closes: wait for the reply itself.
    await until(async () => (await gw.store.get(m.json.session_id))?.messages.find((x) => x.id === mid)?.status === 'stopped', 'stopped');
  });

  it('GET /sessions lists summaries with session_id; PATCH renames; DELETE removes', async () => {
    const c = sse(gw.port, { method: 'POST', path: '/chat/stream', token: TOKEN, body: { model: MODEL, content: 'listed' } });
    await c.finished;
    const sid = c.events[0]!.json.session_id;
    const l = await request(gw.port, { path: '/sessions', token: TOKEN });
    assert.equal(l.status, 200);
    assert.equal(l.json.sessions.length, 1);
    const sum = l.json.sessions[0];
    assert.equal(sum.session_id, sid);
    assert.equal(sum.title, 'listed');
    assert.equal(sum.model, MODEL);
    assert.equal(sum.status, 'complete');
    assert.equal(typeof sum.updated_at, 'number');
    assert.equal('id' in sum, false);
    const p = await request(gw.port, { method: 'PATCH', path: `/sessions/${sid}`, token: TOKEN, body: { title: 'Renamed' } });
    assert.equal(p.status, 200);
    assert.equal(p.json.title, 'Renamed');
    assert.equal((await request(gw.port, { path: '/sessions', token: TOKEN })).json.sessions[0].title, 'Renamed');
    assert.equal((await request(gw.port, { method: 'PATCH', path: `/sessions/${sid}`, token: TOKEN, body: { title: 5 } })).status, 400);
    const d = await request(gw.port, { method: 'DELETE', path: `/sessions/${sid}`, token: TOKEN });
    assert.equal(d.status, 204);
    assert.equal((await request(gw.port, { path: `/sessions/${sid}`, token: TOKEN })).status, 404);
    assert.equal((await request(gw.port, { method: 'DELETE', path: `/sessions/${sid}`, token: TOKEN })).status, 404);
    assert.deepEqual((await request(gw.port, { path: '/sessions', token: TOKEN })).json.sessions, []);
  });

  it('DELETE of a session with an open turn stops the turn first', async () => {
    double.enqueue({ tokens: Array.from({ length: 500 }, (_, i) => `t${i} `), tokenDelayMs: 20 });
    const c = sse(gw.port, { method: 'POST', path: '/chat/stream', token: TOKEN, body: { model: MODEL, content: 'x' } });
    await c.waitFor(() => c.events.some((e) => e.event === 'token'), 'a token');
    const sid = c.events[0]!.json.session_id;
    assert.equal((await request(gw.port, { method: 'DELETE', path: `/sessions/${sid}`, token: TOKEN })).status, 204);
    await c.finished;
    assert.equal(c.events.at(-1)!.json.finish_reason, 'cancelled');
    assert.equal(await gw.store.get(sid), undefined);
  });

  it('a second send to a session with an open turn is a 409', async () => {
    double.enqueue({ tokens: Array.from({ length: 500 }, (_, i) => `t${i} `), tokenDelayMs: 20 });
    const c = sse(gw.port, { method: 'POST', path: '/chat/stream', token: TOKEN, body: { model: MODEL, content: 'x' } });
    await c.waitFor(() => c.events.length >= 1, 'first event');
    const sid = c.events[0]!.json.session_id;
    const r = await request(gw.port, { method: 'POST', path: '/chat/stream', token: TOKEN, body: { session_id: sid, model: MODEL, content: 'y' } });
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'conflict');
    c.close();
    await c.finished;
  });

  it('a model Ollama does not have: error event model_not_found, then done(error), stored as error', async () => {
    const c = sse(gw.port, { method: 'POST', path: '/chat/stream', token: TOKEN, body: { model: 'no-such-model', content: 'x' } });
    await c.finished;
    assertWellFormed(c);
    const err = c.events.find((e) => e.event === 'error')!;
    assert.equal(err.json.code, 'model_not_found');
    assert.equal(c.events.at(-1)!.json.finish_reason, 'error');
    const s = await gw.store.get(c.events[0]!.json.session_id);
    assert.equal(s!.messages[1]!.status, 'error');
  });

  it('POST /models/pull streams progress events and ends with done', async () => {
    const c = sse(gw.port, { method: 'POST', path: '/models/pull', token: TOKEN, body: { model: 'new-model' } });
    await c.finished;
    assert.equal(c.status, 200);
    assert.ok(c.events.some((e) => e.event === 'progress'));
    assert.equal(c.events.at(-1)!.event, 'done');
    const bad = sse(gw.port, { method: 'POST', path: '/models/pull', token: TOKEN, body: { model: 'missing-model' } });
    await bad.finished;
    assert.equal(bad.events.at(-1)!.event, 'error');
  });
});

describe('gateway server: regenerate and edit routes (browser UI)', function () {
  this.timeout(30_000);
  let double: OllamaDouble;
  let gw: TestGateway;

  beforeEach(async () => {
    double = await startOllamaDouble({ models: [MODEL] });
    gw = await startTestGateway({ engine: engineFor(double.url) });
  });
  afterEach(async () => {
    await gw.close();
    await double.stop();
  });

  it('POST /chat/{id}/regenerate replaces the last reply; POST /chat/{id}/edit replaces the last question', async () => {
    const c = sse(gw.port, { method: 'POST', path: '/chat/stream', token: TOKEN, body: { model: MODEL, content: 'question one' } });
    await c.finished;
    const sid = c.events[0]!.json.session_id;
    double.enqueue({ tokens: ['second', ' try'] });
    const r = sse(gw.port, { method: 'POST', path: `/chat/${sid}/regenerate`, token: TOKEN, body: { model: MODEL } });
    await r.finished;
    assertWellFormed(r);
    assert.equal(r.tokens(), 'second try');
    let s = await request(gw.port, { path: `/sessions/${sid}`, token: TOKEN });
    assert.deepEqual(s.json.messages.map((m: { content: string }) => m.content), ['question one', 'second try']);
    const e = sse(gw.port, { method: 'POST', path: `/chat/${sid}/edit`, token: TOKEN, body: { model: MODEL, content: 'question two' } });
    await e.finished;
    assertWellFormed(e);
    s = await request(gw.port, { path: `/sessions/${sid}`, token: TOKEN });
    assert.deepEqual(s.json.messages.map((m: { content: string }) => m.content), ['question two', 'You said: question two']);
    assert.equal((await request(gw.port, { method: 'POST', path: `/chat/${sid}/edit`, token: TOKEN, body: { model: MODEL } })).status, 400);
    // An edit may attach files; they replace the question's, and regenerate keeps them.
    const withFile = sse(gw.port, { method: 'POST', path: `/chat/${sid}/edit`, token: TOKEN, body: { model: MODEL, content: 'question three', attachments: [{ name: 'x.md', content: 'hi' }] } });
    await withFile.finished;
    const again = sse(gw.port, { method: 'POST', path: `/chat/${sid}/regenerate`, token: TOKEN, body: { model: MODEL } });
    await again.finished;
    const chats = double.requestsTo('/api/chat');
    for (const chat of chats.slice(-2)) assert.equal(chat.body.messages.at(-1).content, 'File `x.md`\n```\nhi\n```\n\nquestion three');
    assert.equal((await request(gw.port, { method: 'POST', path: '/chat/abcdefgh-none/regenerate', token: TOKEN, body: { model: MODEL } })).status, 404);
  });
});
