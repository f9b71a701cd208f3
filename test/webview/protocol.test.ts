import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hostToWebviewSchema, MAX_MESSAGE_CHARS, parseHostMessage, parseTokenMessage, parseWebviewMessage, type HostToWebview, type WebviewToHost } from '../../src/shared/protocol';
import { SESSION_ID_RE } from '../../src/shared/session';
import { message, model, session, snapshot, summary, usage } from './helpers';

const SID = 'sess-0000abcd';
const MID = 'reply-000abcd';

/** One valid example of every webview → host message. */
const WEBVIEW_MESSAGES: { [K in WebviewToHost['type']]: Extract<WebviewToHost, { type: K }> } = {
  ready: { type: 'ready' },
  send: { type: 'send', content: 'hello', model: 'm:1b', sessionId: SID },
  cancel: { type: 'cancel' },
  newChat: { type: 'newChat' },
  regenerate: { type: 'regenerate' },
  editLast: { type: 'editLast', content: 'edited' },
  selectModel: { type: 'selectModel', model: 'm:1b' },
  refreshModels: { type: 'refreshModels' },
  retryConnection: { type: 'retryConnection' },
  openSession: { type: 'openSession', sessionId: SID },
  deleteSession: { type: 'deleteSession', sessionId: SID },
  renameSession: { type: 'renameSession', sessionId: SID, title: 'New title' },
  exportSession: { type: 'exportSession', sessionId: SID },
  copy: { type: 'copy', text: 'code' },
  insertCode: { type: 'insertCode', code: 'x = 1' },
  openInEditor: { type: 'openInEditor', code: 'x = 1', language: 'python' },
  applyCode: { type: 'applyCode', messageId: MID, code: 'x = 1' },
  openLink: { type: 'openLink', url: 'https://example.com' },
  openSettings: { type: 'openSettings' },
  pullModel: { type: 'pullModel', model: 'm:1b' },
  cancelPull: { type: 'cancelPull' },
  contextSearch: { type: 'contextSearch', requestId: 3, query: 'app' },
  contextAdd: { type: 'contextAdd', id: 'c7' },
  openAttachment: { type: 'openAttachment', uri: 'file:///w/src/a.ts', range: { startLine: 2, endLine: 4 } },
};

/** One valid example of every host → webview message (and every gateway event). */
const HOST_MESSAGES: HostToWebview[] = [
  { type: 'snapshot', state: snapshot({ current: session([message('user', 'q'), message('assistant', 'a', { usage: usage() })]), sessions: [summary('t')], workspace: 'file:///w', streaming: { sessionId: SID, messageId: MID } }) },
  { type: 'sessions', sessions: [summary('a'), summary('b', { status: 'interrupted' })] },
  { type: 'session', session: session([]) },
  { type: 'session', session: null },
  { type: 'models', models: [model('a:1b', { capabilities: ['completion'], context_length: 4096 })], selectedModel: 'a:1b' },
  { type: 'connection', connection: { status: 'unreachable', url: 'http://127.0.0.1:11434', error: 'ECONNREFUSED' } },
  { type: 'turnStarted', sessionId: SID, userMessage: message('user', 'q'), assistantMessage: message('assistant', '', { status: 'streaming' }) },
  { type: 'event', sessionId: SID, messageId: MID, event: { type: 'status_update', status: 'executing', phase: 'loading_model', elapsed_ms: 10 } },
  { type: 'event', sessionId: SID, messageId: MID, event: { type: 'thinking', content: 'hmm' } },
  { type: 'event', sessionId: SID, messageId: MID, event: { type: 'token', content: 'tok' } },
  { type: 'event', sessionId: SID, messageId: MID, event: { type: 'usage', ...usage() } },
  { type: 'event', sessionId: SID, messageId: MID, event: { type: 'error', code: 'timeout', message: 'slow', retryable: true } },
  { type: 'event', sessionId: SID, messageId: MID, event: { type: 'done', session_id: SID, message_id: MID, finish_reason: 'cancelled' } },
  { type: 'pullProgress', model: 'a:1b', progress: { status: 'pulling', total: 10, completed: 5, digest: 'sha256:x' } },
  { type: 'pullDone', model: 'a:1b', error: 'disk full' },
  { type: 'notice', level: 'error', message: 'x' },
  { type: 'focusInput', prefill: 'explain' },
  { type: 'showHistory' },
  { type: 'applyState', sessionId: SID, messageId: MID, key: 'b1x2y3', state: 'applied' },
  { type: 'session', session: session([message('assistant', '```py\nx\n```', { applied: { b1x2y3: 'rejected' } })]) },
  { type: 'contextCandidates', requestId: 3, items: [{ id: 'c7', kind: 'file', label: 'a.ts', description: 'src' }, { id: 'p1', kind: 'problems', label: 'Problems in the current file' }] },
  { type: 'attachmentsAdded', attachments: [{ kind: 'file', name: 'a.ts', path: 'src/a.ts', uri: 'file:///w/src/a.ts', language: 'typescript', content: 'x' }] },
  { type: 'contextState', state: { contextLength: 0, reservedTokens: 12, maxFileKB: 256, workspace: true, includeCurrentFile: false, currentFile: { candidate: { id: 'cur', kind: 'file', label: 'a.ts' }, uri: 'file:///w/src/a.ts' } } },
  { type: 'fitRefused', content: 'q', attachments: [{ kind: 'file', name: 'a.ts', content: 'x' }], report: { window: 4096, budget: 3072, used: 5000 } },
];

describe('protocol validation', () => {
  it('accepts every webview → host message type', () => {
    for (const m of Object.values(WEBVIEW_MESSAGES)) {
      const r = parseWebviewMessage(m);
      assert.ok(r.ok, `${m.type}: ${!r.ok && r.error}`);
      assert.deepEqual(r.value, m);
    }
  });

  it('accepts every host → webview message type', () => {
    const covered = new Set(HOST_MESSAGES.map((m) => m.type));
    assert.equal(covered.size, 17, 'every HostToWebview variant has an example');
    for (const m of HOST_MESSAGES) {
      const r = parseHostMessage(m);
      assert.ok(r.ok, `${m.type}: ${!r.ok && r.error}`);
    }
  });

  it('the two directions do not accept each other’s messages', () => {
    for (const m of Object.values(WEBVIEW_MESSAGES)) assert.equal(parseHostMessage(m).ok, false, m.type);
    for (const m of HOST_MESSAGES) assert.equal(parseWebviewMessage(m).ok, false, m.type);
  });

  const junk = [undefined, null, 0, 'ready', [], {}, { type: 'unknown' }, { type: 42 }, { type: null }, { kind: 'ready' }];
  it('rejects junk and unknown types in both directions, without throwing', () => {
    for (const j of junk) {
      assert.equal(parseWebviewMessage(j).ok, false);
      assert.equal(parseHostMessage(j).ok, false);
    }
  });

  it('rejects wrong field types in every webview message that has fields', () => {
    for (const m of Object.values(WEBVIEW_MESSAGES)) {
      for (const key of Object.keys(m)) {
        if (key === 'type') continue;
        for (const wrong of [42, null, { x: 1 }, ['a'], true]) {
          if (typeof wrong === typeof (m as Record<string, unknown>)[key] && typeof wrong !== 'object') continue; // a right type (a number id)
          const r = parseWebviewMessage({ ...m, [key]: wrong });
          assert.equal(r.ok, false, `${m.type}.${key} = ${JSON.stringify(wrong)} was accepted`);
        }
      }
    }
  });

  it('rejects extra fields on webview messages (strict)', () => {
    for (const m of Object.values(WEBVIEW_MESSAGES)) {
      assert.equal(parseWebviewMessage({ ...m, extra: 1 }).ok, false, m.type);
      assert.equal(parseWebviewMessage({ ...m, __proto__: { polluted: true }, constructor: 'x' }).ok, false, m.type);
    }
  });

  it('rejects huge strings, empty messages and bad session ids from the webview', () => {
    const huge = 'x'.repeat(MAX_MESSAGE_CHARS + 1);
    assert.equal(parseWebviewMessage({ type: 'send', content: huge }).ok, false);
    assert.equal(parseWebviewMessage({ type: 'copy', text: huge }).ok, false);
    assert.equal(parseWebviewMessage({ type: 'openLink', url: 'https://x/' + 'a'.repeat(10_000) }).ok, false);
    assert.equal(parseWebviewMessage({ type: 'renameSession', sessionId: SID, title: 't'.repeat(201) }).ok, false);
    assert.equal(parseWebviewMessage({ type: 'renameSession', sessionId: SID, title: '   ' }).ok, false);
    assert.equal(parseWebviewMessage({ type: 'send', content: '  \n ' }).ok, false);
    assert.equal(parseWebviewMessage({ type: 'selectModel', model: '' }).ok, false);
    for (const bad of ['../etc/passwd', '..%2f..%2f', 'ABC-DEF-GHI', 'short', 'a/b/c/d/e/f', 'x'.repeat(100), '']) {
      assert.equal(parseWebviewMessage({ type: 'openSession', sessionId: bad }).ok, false, bad);
      assert.equal(parseWebviewMessage({ type: 'deleteSession', sessionId: bad }).ok, false, bad);
    }
  });

  it('rejects malformed host messages: wrong types, unknown events, bad enums, non-finite numbers', () => {
    const bad: unknown[] = [
      { type: 'snapshot' },
      { type: 'snapshot', state: { ...snapshot(), capabilities: { editor: 'yes', pull: false } } },
      { type: 'snapshot', state: { ...snapshot(), models: [{ name: '', size: 1 }] } },
      { type: 'sessions', sessions: [{ ...summary('x'), id: '../../evil' }] },
      { type: 'sessions', sessions: 'all' },
      { type: 'models', models: [{ name: 'a', size: Infinity }] },
      { type: 'connection', connection: { status: 'maybe', url: 'x' } },
      { type: 'turnStarted', sessionId: SID, userMessage: { ...message('user', 'q'), role: 'admin' }, assistantMessage: message('assistant', '') },
      { type: 'event', sessionId: SID, messageId: MID, event: { type: 'explode' } },
      { type: 'event', sessionId: SID, messageId: MID, event: { type: 'token', content: 5 } },
      { type: 'event', sessionId: SID, messageId: MID, event: { type: 'error', code: 'made_up', message: 'x', retryable: false } },
      { type: 'event', sessionId: SID, messageId: MID, event: { type: 'done', session_id: SID, message_id: MID, finish_reason: 'bored' } },
      { type: 'event', sessionId: SID, messageId: MID, event: { type: 'usage', ...usage(), completion_tokens: -1 } },
      { type: 'event', sessionId: 'Not Valid', messageId: MID, event: { type: 'token', content: 'x' } },
      { type: 'pullProgress', model: 'm', progress: { status: 1 } },
      { type: 'notice', level: 'fatal', message: 'x' },
      { type: 'focusInput', prefill: 12 },
    ];
    for (const b of bad) assert.equal(parseHostMessage(b).ok, false, JSON.stringify(b).slice(0, 120));
  });

  it('copes with huge host strings (accepted as data, never thrown on)', () => {
    const big = 'y'.repeat(2_000_000);
    const r = parseHostMessage({ type: 'event', sessionId: SID, messageId: MID, event: { type: 'token', content: big } });
    assert.ok(r.ok);
  });

  it('never throws on arbitrary values (property)', () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        parseWebviewMessage(v);
        parseHostMessage(v);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(WEBVIEW_MESSAGES)), fc.dictionary(fc.string(), fc.anything()), (type, fields) => {
        const r = parseWebviewMessage({ ...fields, type });
        if (r.ok) assert.equal(r.value.type, type);
      }),
      { numRuns: 300 },
    );
  });
});

describe('protocol: the token hot path', () => {
  const validId = fc.stringMatching(SESSION_ID_RE);
  /** Ids the schema may or may not accept: valid ones, near misses, other strings, other types. */
  const someId = fc.oneof({ arbitrary: validId, weight: 8 }, validId.map((s) => s.toUpperCase()), validId.map((s) => `-${s}`), fc.string({ maxLength: 70 }), fc.anything());
  const someContent = fc.oneof({ arbitrary: fc.string(), weight: 4 }, fc.string({ unit: 'grapheme' }), fc.anything());
  /** An object with exactly these keys, as a structured clone gives it, sometimes with a null prototype or one more key. */
  const objectOf = <T extends Record<string, unknown>>(fields: fc.Arbitrary<T>) =>
    fc.tuple(fields, fc.constantFrom('plain', 'plain', 'plain', 'plain', 'plain', 'null-proto', 'extra-key', 'class'), fc.string({ minLength: 1, maxLength: 8 }), fc.anything()).map(([f, how, key, value]) => {
      if (how === 'null-proto') return Object.assign(Object.create(null) as object, f);
      if (how === 'extra-key') return { ...f, [key]: value };
      if (how === 'class') return Object.assign(new (class Shape {})(), f);
      return f;
    });
  const someEvent = fc.oneof(
    { arbitrary: objectOf(fc.record({ type: fc.constantFrom('token', 'token', 'token', 'thinking', 'Token', 'done'), content: someContent })), weight: 6 },
    objectOf(fc.record({ type: fc.constant('token') })),
    fc.anything(),
  );
  const nearTokenMessage = fc.oneof(
    { arbitrary: objectOf(fc.record({ type: fc.constantFrom('event', 'event', 'event', 'event ', 'snapshot', 'token'), sessionId: someId, messageId: someId, event: someEvent })), weight: 8 },
    objectOf(fc.record({ type: fc.constant('event'), sessionId: someId, event: someEvent })),
    fc.anything(),
  );

  it('takes a well-formed token event, and returns a fresh copy of it', () => {
    fc.assert(
      fc.property(validId, validId, fc.string(), (sessionId, messageId, content) => {
        const m = { type: 'event', sessionId, messageId, event: { type: 'token', content } };
        const fast = parseTokenMessage(m);
        assert.deepEqual(fast, m);
        assert.notEqual(fast, m);
        assert.notEqual(fast!.event, m.event);
        assert.deepEqual(parseHostMessage(m), { ok: true, value: m });
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with the schema: whatever it takes the schema takes, to the same value; on its exact shape it takes all the schema takes (property)', () => {
    let taken = 0;
    fc.assert(
      fc.property(nearTokenMessage, (v) => {
        const fast = parseTokenMessage(v);
        const schema = hostToWebviewSchema.safeParse(v);
        if (fast) {
          taken++;
          assert.ok(schema.success, 'the hot path took what the schema refuses');
          assert.deepEqual(fast, schema.data);
        }
        const exactShape =
          typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype &&
          Object.keys(v).sort().join() === 'event,messageId,sessionId,type' &&
          typeof (v as { event: unknown }).event === 'object' && (v as { event: object | null }).event !== null &&
          Object.getPrototypeOf((v as { event: object }).event) === Object.prototype &&
          Object.keys((v as { event: object }).event).sort().join() === 'content,type';
        if (exactShape && schema.success && schema.data.type === 'event' && schema.data.event.type === 'token') assert.ok(fast, 'the schema took a token event of the exact shape that the hot path refused');
        // Either way the answer callers get is the schema's.
        assert.equal(parseHostMessage(v).ok, schema.success);
      }),
      { numRuns: 3000 },
    );
    assert.ok(taken > 50, `the generator reached the hot path only ${taken} times`);
  });

  it('refuses, and leaves to the schema, every near miss', () => {
    const SID = 'sess-0000abcd';
    const ok = { type: 'event', sessionId: SID, messageId: SID, event: { type: 'token', content: 'x' } };
    const misses: unknown[] = [
      { ...ok, sessionId: 'Sess-0000abcd' },
      { ...ok, messageId: 'short' },
      { ...ok, event: { type: 'token', content: 1 } },
      { ...ok, event: { type: 'thinking', content: 'x' } },
      { ...ok, event: { type: 'token', content: 'x', extra: 1 } },
      { ...ok, extra: 1 },
      { ...ok, type: 'snapshot' },
      Object.assign(Object.create({ sessionId: SID }) as object, { type: 'event', messageId: SID, event: ok.event, other: 1 }),
      [ok],
      JSON.stringify(ok),
    ];
    for (const m of misses) assert.equal(parseTokenMessage(m), undefined, JSON.stringify(m));
    // The schema still decides those: an extra key is stripped, a wrong id refused.
    assert.deepEqual(parseHostMessage({ ...ok, extra: 1 }), { ok: true, value: ok });
    assert.equal(parseHostMessage({ ...ok, sessionId: 'Sess-0000abcd' }).ok, false);
  });
});
