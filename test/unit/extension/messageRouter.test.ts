import assert from 'node:assert/strict';
import { routeWebviewMessage, type WebviewActions } from '../../../src/extension/view/messageRouter';
import type { WebviewToHost } from '../../../src/shared/protocol';

const SID = 'session-0001';
const ALL: WebviewToHost[] = [
  { type: 'ready' },
  { type: 'send', content: 'hi', model: 'm', sessionId: SID },
  { type: 'cancel' },
  { type: 'newChat' },
  { type: 'regenerate' },
  { type: 'editLast', content: 'again' },
  { type: 'selectModel', model: 'm' },
  { type: 'refreshModels' },
  { type: 'retryConnection' },
  { type: 'openSession', sessionId: SID },
  { type: 'deleteSession', sessionId: SID },
  { type: 'renameSession', sessionId: SID, title: 'T' },
  { type: 'exportSession', sessionId: SID },
  { type: 'copy', text: 'x' },
  { type: 'insertCode', code: 'x' },
  { type: 'openInEditor', code: 'x', language: 'ts' },
  { type: 'openLink', url: 'https://example.com' },
  { type: 'openSettings' },
  { type: 'pullModel', model: 'm' },
  { type: 'cancelPull' },
];

function recordingActions(calls: WebviewToHost[]): WebviewActions {
  return new Proxy({} as WebviewActions, { get: () => (m: WebviewToHost) => void calls.push(m) });
}

describe('webview message router', () => {
  it('dispatches every message type to its own handler', async () => {
    const calls: WebviewToHost[] = [];
    const seen = new Set<string>();
    const actions = new Proxy({} as WebviewActions, {
      get: (_t, name: string) => (m: WebviewToHost) => {
        assert.equal(m.type, name, 'each type reaches the handler of the same name');
        seen.add(name);
        calls.push(m);
      },
    });
    for (const m of ALL) await routeWebviewMessage(m, actions, () => assert.fail('valid message logged as invalid'));
    assert.deepEqual(calls, ALL);
    assert.equal(seen.size, ALL.length);
  });

  it('ignores invalid messages and logs them without their content', async () => {
    const calls: WebviewToHost[] = [];
    const logs: string[] = [];
    const secret = 'SECRET-CONTENT-123';
    const bad: unknown[] = [
      null,
      42,
      'ready',
      { type: 'nope' },
      { type: 'send', content: '   ' },
      { type: 'send', content: secret, extra: secret },
      { type: 'openSession', sessionId: '../../etc/passwd' },
      { type: 'copy', text: 'x'.repeat(1_000_001) },
      { type: 'renameSession', sessionId: SID, title: '' },
    ];
    for (const m of bad) assert.equal(await routeWebviewMessage(m, recordingActions(calls), (l) => logs.push(l)), undefined);
    assert.equal(calls.length, 0);
    assert.equal(logs.length, bad.length);
    assert.ok(logs.every((l) => !l.includes(secret) && !l.includes('passwd')), logs.join('\n'));
  });

  it('a failing handler is logged, not thrown', async () => {
    const logs: string[] = [];
    const actions = new Proxy({} as WebviewActions, { get: () => () => Promise.reject(new Error('boom')) });
    await routeWebviewMessage({ type: 'cancel' }, actions, (l) => logs.push(l));
    assert.match(logs[0]!, /"cancel" failed: Error: boom/);
  });
});
