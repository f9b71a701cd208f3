import assert from 'node:assert/strict';
import type { HostToWebview } from '../../src/shared/protocol';
import { createHost } from '../../webview/host/createHost';
import { VsCodeHost, type VsCodeApi } from '../../webview/host/vscodeHost';

class FakeApi implements VsCodeApi {
  posted: unknown[] = [];
  state: unknown = undefined;
  postMessage(m: unknown) {
    this.posted.push(m);
  }
  getState() {
    return this.state;
  }
  setState(s: unknown) {
    this.state = s;
  }
}

function deliver(data: unknown) {
  window.dispatchEvent(new MessageEvent('message', { data }));
}

describe('VS Code host', () => {
  let api: FakeApi;
  let host: VsCodeHost;
  let warnings: string[];
  const origWarn = console.warn;
  beforeEach(() => {
    api = new FakeApi();
    host = new VsCodeHost(api);
    warnings = [];
    console.warn = (...args: unknown[]) => void warnings.push(args.join(' '));
  });
  afterEach(() => {
    host.dispose();
    console.warn = origWarn;
    delete globalThis.acquireVsCodeApi;
  });

  it('posts messages through acquireVsCodeApi', () => {
    host.post({ type: 'ready' });
    host.post({ type: 'send', content: 'hi' });
    assert.deepEqual(api.posted, [{ type: 'ready' }, { type: 'send', content: 'hi' }]);
  });

  it('delivers valid window messages to listeners', () => {
    const got: HostToWebview[] = [];
    host.onMessage((m) => got.push(m));
    deliver({ type: 'notice', level: 'info', message: 'hello' });
    assert.deepEqual(got, [{ type: 'notice', level: 'info', message: 'hello' }]);
  });

  it('drops invalid messages with a console warning', () => {
    const got: HostToWebview[] = [];
    host.onMessage((m) => got.push(m));
    for (const bad of [null, 'string', 42, { type: 'nope' }, { type: 'notice', level: 'loud', message: 'x' }, { type: 'event', sessionId: '../x', messageId: 'y', event: {} }]) {
      deliver(bad);
    }
    assert.equal(got.length, 0);
    assert.equal(warnings.length, 6);
    assert.match(warnings[0]!, /dropped invalid host message/);
  });

  it('stops listening after dispose', () => {
    const got: HostToWebview[] = [];
    host.onMessage((m) => got.push(m));
    host.dispose();
    deliver({ type: 'notice', level: 'info', message: 'late' });
    assert.equal(got.length, 0);
  });

  it('keeps small UI state with setState/getState and ignores junk in it', () => {
    host.setUiState({ draft: 'draft text', view: 'history' });
    assert.deepEqual(api.state, { draft: 'draft text', view: 'history' });
    assert.deepEqual(host.getUiState(), { draft: 'draft text', view: 'history' });
    api.state = { draft: 5, view: 'elsewhere' };
    assert.deepEqual(host.getUiState(), { draft: undefined, view: undefined });
    api.state = 'garbage';
    assert.deepEqual(host.getUiState(), {});
  });

  it('createHost picks the VS Code host when acquireVsCodeApi exists', () => {
    const fake = new FakeApi();
    globalThis.acquireVsCodeApi = () => fake;
    const h = createHost();
    try {
      assert.ok(h instanceof VsCodeHost);
      h.post({ type: 'ready' });
      assert.deepEqual(fake.posted, [{ type: 'ready' }]);
    } finally {
      h.dispose();
    }
  });
  it('requests: an id each, held until the snapshot, settled by their reply (which the UI never sees), failed when the view closes', async () => {
    const got: HostToWebview[] = [];
    host.onMessage((m) => got.push(m));
    const first = host.request({ type: 'send', content: 'early' });
    assert.deepEqual(api.posted, [], 'waits for the snapshot');
    deliver({ type: 'snapshot', state: { sessions: [], current: null, models: [], connection: { status: 'unknown', url: '' }, capabilities: { editor: true, pull: false } } });
    await Promise.resolve();
    assert.deepEqual(api.posted, [{ type: 'send', content: 'early', requestId: 1 }]);
    deliver({ type: 'reply', requestId: 1, result: { kind: 'accepted', sessionId: 'sess-1234abcd', messageId: 'msg-1234abcd' } });
    assert.deepEqual(await first, { kind: 'accepted', sessionId: 'sess-1234abcd', messageId: 'msg-1234abcd' });
    assert.deepEqual(got.map((m) => m.type), ['snapshot']);
    const open = host.request({ type: 'applyCode', messageId: 'msg-1234abcd', code: 'x' });
    host.dispose();
    await assert.rejects(open, /closed before Hearth answered/);
  });
});
