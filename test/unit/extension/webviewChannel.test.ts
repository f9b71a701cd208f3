import assert from 'node:assert/strict';
import { WebviewChannel } from '../../../src/extension/view/webviewChannel';
import type { Timers } from '../../../src/extension/chat/tokenCoalescer';
import type { HostToWebview, Snapshot } from '../../../src/shared/protocol';

const SID = 'session-0001';
const MID = 'message-0001';
const token = (content: string): HostToWebview => ({ type: 'event', sessionId: SID, messageId: MID, event: { type: 'token', content } });
const done: HostToWebview = { type: 'event', sessionId: SID, messageId: MID, event: { type: 'done', session_id: SID, message_id: MID, finish_reason: 'stop' } };

/** A snapshot whose reply text is whatever the host has streamed so far. */
function snapshotOf(text: string): Snapshot {
  return {
    sessions: [],
    current: { id: SID, title: 't', created_at: 0, updated_at: 0, messages: [{ id: MID, role: 'assistant', content: text, status: 'streaming', created_at: 0 }] },
    models: [],
    connection: { status: 'ok', url: 'http://127.0.0.1:1' },
    capabilities: { editor: true, pull: true },
  };
}

class ManualTimers implements Timers {
  fns: (() => void)[] = [];
  set(fn: () => void): unknown {
    this.fns.push(fn);
    return fn;
  }
  clear(h: unknown): void {
    this.fns = this.fns.filter((f) => f !== h);
  }
  fire(): void {
    const fns = this.fns;
    this.fns = [];
    for (const f of fns) f();
  }
}

/** What the webview would show: the snapshot's reply text plus every token after it. */
function shownText(sent: HostToWebview[]): string {
  let text = '';
  for (const m of sent) {
    if (m.type === 'snapshot') text = m.state.current?.messages[0]?.content ?? '';
    if (m.type === 'event' && m.event.type === 'token') text += m.event.content;
  }
  return text;
}

describe('WebviewChannel', () => {
  let sent: HostToWebview[];
  let streamed: string; // the host's live copy of the reply
  let timers: ManualTimers;
  let ch: WebviewChannel;
  let gate: Promise<void> | undefined;
  const hostStreams = (t: string) => {
    streamed += t;
    ch.post(token(t));
  };

  beforeEach(() => {
    sent = [];
    streamed = '';
    gate = undefined;
    timers = new ManualTimers();
    ch = new WebviewChannel(
      (m) => sent.push(m),
      async () => {
        await gate;
        return () => snapshotOf(streamed);
      },
      timers,
    );
  });

  it('sends nothing before `ready`, then a snapshot first, then deltas', async () => {
    hostStreams('early ');
    timers.fire();
    ch.post({ type: 'notice', level: 'info', message: 'x' });
    assert.equal(sent.length, 0);
    await ch.onReady();
    assert.equal(sent[0]?.type, 'snapshot');
    hostStreams('late');
    ch.post(done);
    assert.deepEqual(sent.map((m) => m.type), ['snapshot', 'event', 'event']);
    assert.equal(shownText(sent), 'early late');
  });

  it('hidden and shown again: deltas while hidden are dropped and the new snapshot has them, once', async () => {
    await ch.onReady();
    hostStreams('one ');
    timers.fire();
    ch.reset(); // hidden: the page is gone
    hostStreams('two ');
    timers.fire();
    hostStreams('three ');
    const before = sent.length;
    await ch.onReady(); // shown: the page reloaded and said ready
    assert.equal(sent[before]?.type, 'snapshot');
    hostStreams('four');
    timers.fire();
    const afterReload = sent.slice(before);
    assert.equal(shownText(afterReload), 'one two three four', 'nothing lost, nothing doubled');
    assert.equal(ch.snapshots, 2);
  });

  it('text buffered while the snapshot is being built is not sent twice', async () => {
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const ready = ch.onReady();
    hostStreams('during ');
    hostStreams('build');
    open();
    await ready;
    timers.fire();
    assert.equal(shownText(sent), 'during build');
    assert.equal(sent.length, 1, 'only the snapshot');
  });

  it('when two `ready`s race, only the newest gets its snapshot', async () => {
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const first = ch.onReady();
    const second = ch.onReady();
    open();
    await Promise.all([first, second]);
    assert.deepEqual(sent.map((m) => m.type), ['snapshot']);
  });

  it('a reset while a snapshot is being built cancels it', async () => {
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const ready = ch.onReady();
    ch.reset();
    open();
    await ready;
    assert.deepEqual(sent, []);
    assert.equal(ch.isReady, false);
  });

  it('one-off UI requests made before ready arrive right after the snapshot', async () => {
    ch.postWhenReady({ type: 'showHistory' });
    ch.postWhenReady({ type: 'showHistory' });
    ch.postWhenReady({ type: 'focusInput' });
    await ch.onReady();
    assert.deepEqual(sent.map((m) => m.type), ['snapshot', 'showHistory', 'focusInput']);
    ch.postWhenReady({ type: 'showHistory' });
    assert.equal(sent.at(-1)?.type, 'showHistory');
  });

  it('records types and lengths, never text', async () => {
    await ch.onReady();
    hostStreams('secret words');
    ch.post(done);
    assert.deepEqual(ch.posted.slice(1), [
      { type: 'event', event: 'token', chars: 12 },
      { type: 'event', event: 'done' },
    ]);
    assert.ok(!JSON.stringify(ch.posted).includes('secret'));
  });
});
