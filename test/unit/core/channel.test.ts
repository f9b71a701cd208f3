import assert from 'node:assert/strict';
import { UiChannel } from '../../../src/core/channel';
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

/** What the webview would show: the snapshot's reply text plus every token after it. */
function shownText(sent: HostToWebview[]): string {
  let text = '';
  for (const m of sent) {
    if (m.type === 'snapshot') text = m.state.current?.messages[0]?.content ?? '';
    if (m.type === 'event' && m.event.type === 'token') text += m.event.content;
  }
  return text;
}

describe('UiChannel (what one page is sent, and when)', () => {
  let sent: HostToWebview[];
  let streamed: string; // the host's live copy of the reply
  let ch: UiChannel;
  let gate: Promise<void> | undefined;
  const hostStreams = (t: string) => {
    streamed += t;
    ch.post(token(t));
  };

  beforeEach(() => {
    sent = [];
    streamed = '';
    gate = undefined;
    ch = new UiChannel((m) => sent.push(m));
  });
  const prepare = async () => {
    await gate;
    return () => snapshotOf(streamed);
  };

  it('sends nothing before `ready`, then a snapshot first, then deltas', async () => {
    hostStreams('early ');
    ch.post({ type: 'notice', level: 'info', message: 'x' });
    assert.equal(sent.length, 0);
    await ch.onReady(prepare);
    assert.equal(sent[0]?.type, 'snapshot');
    hostStreams('late');
    ch.post(done);
    assert.deepEqual(sent.map((m) => m.type), ['snapshot', 'notice', 'event', 'event'], 'the notice waited for the page; the early text is in the snapshot');
    assert.equal(shownText(sent), 'early late');
  });

  it('hidden and shown again: deltas while hidden are dropped and the new snapshot has them, once', async () => {
    await ch.onReady(prepare);
    hostStreams('one ');
    ch.reset(); // hidden: the page is gone
    hostStreams('two ');
    hostStreams('three ');
    const before = sent.length;
    await ch.onReady(prepare); // shown: the page reloaded and said ready
    assert.equal(sent[before]?.type, 'snapshot');
    hostStreams('four');
    const afterReload = sent.slice(before);
    assert.equal(shownText(afterReload), 'one two three four', 'nothing lost, nothing doubled');
    assert.equal(ch.snapshots, 2);
  });

  it('text streamed while the snapshot is being built is in the snapshot and not sent again', async () => {
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const ready = ch.onReady(prepare);
    hostStreams('during ');
    hostStreams('build');
    open();
    await ready;
    assert.equal(shownText(sent), 'during build');
    assert.equal(sent.length, 1, 'only the snapshot');
  });

  it('when two `ready`s race, only the newest gets its snapshot', async () => {
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const first = ch.onReady(prepare);
    const second = ch.onReady(prepare);
    open();
    await Promise.all([first, second]);
    assert.deepEqual(sent.map((m) => m.type), ['snapshot']);
  });

  it('a reset while a snapshot is being built cancels it', async () => {
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const ready = ch.onReady(prepare);
    ch.reset();
    open();
    await ready;
    assert.deepEqual(sent, []);
    assert.equal(ch.isReady, false);
  });

  it('one-off UI requests made before ready arrive right after the snapshot', async () => {
    ch.post({ type: 'showHistory' });
    ch.post({ type: 'showHistory' });
    ch.post({ type: 'focusInput' });
    await ch.onReady(prepare);
    assert.deepEqual(sent.map((m) => m.type), ['snapshot', 'showHistory', 'focusInput']);
    ch.post({ type: 'showHistory' });
    assert.equal(sent.at(-1)?.type, 'showHistory');
  });

  it('what a snapshot cannot carry (a notice, a reply, chips) waits for the page, in order; state does not', async () => {
    await ch.onReady(prepare);
    ch.reset(); // hidden: VS Code tore the page down
    ch.post({ type: 'notice', level: 'info', message: 'A reply is still streaming.' });
    hostStreams('text ');
    ch.post({ type: 'attachmentsAdded', attachments: [{ kind: 'file', name: 'a.ts', content: 'a' }] });
    ch.post({ type: 'attachmentsAdded', attachments: [{ kind: 'file', name: 'b.ts', content: 'b' }] });
    ch.post({ type: 'reply', requestId: 4, result: { kind: 'refused', reason: 'A reply is still streaming.' } });
    ch.post({ type: 'sessions', sessions: [] });
    const before = sent.length;
    await ch.onReady(prepare);
    assert.deepEqual(sent.slice(before).map((m) => m.type), ['snapshot', 'notice', 'attachmentsAdded', 'attachmentsAdded', 'reply']);
    assert.equal(shownText(sent.slice(before)), 'text ', 'the streamed text came with the snapshot, once');
  });

  it('records types and lengths, never text', async () => {
    await ch.onReady(prepare);
    hostStreams('secret words');
    ch.post(done);
    assert.deepEqual(ch.posted.slice(1), [
      { type: 'event', event: 'token', chars: 12 },
      { type: 'event', event: 'done' },
    ]);
    assert.ok(!JSON.stringify(ch.posted).includes('secret'));
  });
});
