import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_MESSAGE_CHARS, parseHostMessage, parseReply, parseWebviewMessage, REPLY_SCHEMAS, type HostToWebview, type RequestType, type WebviewToHost } from '../../src/shared/protocol';
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
  applyCode: { type: 'applyCode', requestId: 5, messageId: MID, code: 'x = 1' },
  openLink: { type: 'openLink', url: 'https://example.com' },
  openSettings: { type: 'openSettings' },
  pullModel: { type: 'pullModel', model: 'm:1b' },
  cancelPull: { type: 'cancelPull' },
  contextSearch: { type: 'contextSearch', requestId: 3, query: 'app' },
  contextAdd: { type: 'contextAdd', requestId: 4, id: 'c7' },
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
  { type: 'reply', requestId: 3, result: { kind: 'candidates', items: [{ id: 'c7', kind: 'file', label: 'a.ts', description: 'src' }, { id: 'p1', kind: 'problems', label: 'Problems in the current file' }] } },
  { type: 'reply', requestId: 4, result: { kind: 'accepted', sessionId: SID, messageId: MID } },
  { type: 'reply', requestId: 5, result: { kind: 'refused', reason: 'No model is selected.' } },
  { type: 'reply', requestId: 6, result: { kind: 'added', attachments: [{ kind: 'file', name: 'a.ts', content: 'x' }] } },
  { type: 'reply', requestId: 7, result: { kind: 'applyOutcome', outcome: { status: 'failed', message: 'no match' } } },
  { type: 'reply', requestId: 8, result: { kind: 'error', message: 'disk full' } },
  { type: 'attachmentsAdded', attachments: [{ kind: 'file', name: 'a.ts', path: 'src/a.ts', uri: 'file:///w/src/a.ts', language: 'typescript', content: 'x' }] },
  { type: 'contextState', state: { contextLength: 0, reservedTokens: 12, maxFileKB: 256, workspace: true, includeCurrentFile: false, currentFile: { candidate: { id: 'cur', kind: 'file', label: 'a.ts' }, uri: 'file:///w/src/a.ts' } } },
  { type: 'reply', requestId: 9, result: { kind: 'doesNotFit', attachments: [{ kind: 'file', name: 'a.ts', content: 'x' }], report: { window: 4096, budget: 3072, used: 5000 } } },
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
    assert.equal(covered.size, 16, 'every HostToWebview variant has an example');
    for (const m of HOST_MESSAGES) {
      const r = parseHostMessage(m);
      assert.ok(r.ok, `${m.type}: ${!r.ok && r.error}`);
    }
  });

  it('a reply is checked against what its request may get: each request names its reply schema', () => {
    const kinds = (type: RequestType) => (['accepted', 'refused', 'doesNotFit', 'candidates', 'added', 'applyOutcome', 'error'] as const).filter((kind) => {
      const example = HOST_MESSAGES.find((m) => m.type === 'reply' && m.result.kind === kind);
      return example?.type === 'reply' && parseReply(type, example.result).ok;
    });
    assert.deepEqual(kinds('send'), ['accepted', 'refused', 'doesNotFit', 'error']);
    assert.deepEqual(kinds('editLast'), ['accepted', 'refused', 'doesNotFit', 'error']);
    assert.deepEqual(kinds('contextSearch'), ['candidates', 'error']);
    assert.deepEqual(kinds('contextAdd'), ['refused', 'added', 'error']);
    assert.deepEqual(kinds('applyCode'), ['applyOutcome', 'error']);
    assert.deepEqual(Object.keys(REPLY_SCHEMAS).sort(), ['applyCode', 'contextAdd', 'contextSearch', 'editLast', 'send']);
    // Every request message takes an id; the one-way ones do not.
    for (const type of Object.keys(REPLY_SCHEMAS) as RequestType[]) {
      assert.equal(parseWebviewMessage({ ...WEBVIEW_MESSAGES[type], requestId: 12 }).ok, true, type);
      assert.equal(parseWebviewMessage({ ...WEBVIEW_MESSAGES[type], requestId: -1 }).ok, false, type);
    }
    assert.equal(parseWebviewMessage({ type: 'cancel', requestId: 1 }).ok, false);
    assert.equal(parseHostMessage({ type: 'reply', requestId: 1, result: { kind: 'accepted' } }).ok, false, 'a reply is validated whole');
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
