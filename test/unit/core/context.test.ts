/** The conversation core's side of workspace context: searching, adding, re-reading at send, and fit (never silent). */
import assert from 'node:assert/strict';
import type { ContextResult, FitSettings, WorkspaceContext } from '../../../src/core/platform';
import type { ContextCandidate, ContextState, HostToWebview } from '../../../src/shared/protocol';
import type { Attachment } from '../../../src/shared/session';
import { coreFixture, finished, RecordingPlatform, until, type CoreFixture } from './helpers';

const A: Attachment = { kind: 'file', name: 'a.ts', path: 'src/a.ts', uri: 'file:///ws/src/a.ts', language: 'typescript', content: 'const a = 1;\n' };
const bigText = (lines: number) => Array.from({ length: lines }, (_, i) => `const v${i} = ${i}; // some padding text here`).join('\n') + '\n';

/** A workspace whose files the test controls. */
class FakeWorkspace implements WorkspaceContext {
  files = new Map<string, string>([[A.uri!, A.content]]);
  offered = new Map<string, Attachment>([['c1', A]]);
  searches: string[] = [];
  opened: unknown[] = [];
  refreshed = 0;
  failRefresh: string | undefined;
  includeCurrentFile = false;
  private listeners = new Set<() => void>();
  state(): Pick<ContextState, 'includeCurrentFile' | 'currentFile'> {
    return { includeCurrentFile: this.includeCurrentFile, currentFile: { candidate: { id: 'cur', kind: 'file', label: 'a.ts' }, uri: A.uri! } };
  }
  onDidChange(l: () => void) {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  }
  fire() {
    for (const l of this.listeners) l();
  }
  get listenerCount() {
    return this.listeners.size;
  }
  async search(query: string): Promise<ContextCandidate[]> {
    this.searches.push(query);
    return [{ id: 'c1', kind: 'file', label: 'a.ts', description: 'src' }];
  }
  async resolve(id: string): Promise<ContextResult> {
    const a = this.offered.get(id);
    return a ? { attachments: [a] } : { error: 'That is no longer offered.' };
  }
  async refresh(atts: Attachment[]): Promise<ContextResult> {
    this.refreshed++;
    if (this.failRefresh) return { error: this.failRefresh };
    return { attachments: atts.map((a) => (a.uri && this.files.has(a.uri) ? { ...a, content: this.files.get(a.uri)! } : a)) };
  }
  async open(uri: string, range?: { startLine: number; endLine: number }) {
    this.opened.push([uri, range]);
  }
}

class WorkspacePlatform extends RecordingPlatform {
  constructor(readonly context: FakeWorkspace) {
    super();
  }
}

describe('Conversation: workspace context', () => {
  let f: CoreFixture;
  let ws: FakeWorkspace;
  let fit: FitSettings;
  beforeEach(async () => {
    f = await coreFixture();
    fit = { contextLength: 0, reservedTokens: 0, maxFileKB: 256 };
    f.services.fitSettings = () => fit;
    ws = new FakeWorkspace();
  });
  afterEach(() => f.dispose());

  const page = () => f.page(new WorkspacePlatform(ws));
  const of = <T extends HostToWebview['type']>(sent: HostToWebview[], type: T) => sent.filter((m): m is Extract<HostToWebview, { type: T }> => m.type === type);

  it('the snapshot carries the context state: settings, and the current file from the platform', async () => {
    fit = { contextLength: 2048, reservedTokens: 30, maxFileKB: 100 };
    const { sent } = await page();
    const snap = of(sent, 'snapshot')[0]!;
    assert.deepEqual(snap.state.context, {
      contextLength: 2048,
      reservedTokens: 30,
      maxFileKB: 100,
      workspace: true,
      includeCurrentFile: false,
      currentFile: { candidate: { id: 'cur', kind: 'file', label: 'a.ts' }, uri: A.uri },
    });
  });

  it('a workspace context whose state() throws does not keep the chat on "Connecting…": the snapshot goes without it, and the failure is logged', async () => {
    ws.state = () => {
      throw new SyntaxError('Invalid regular expression: /^[a-Z]$/i: Range out of order in character class');
    };
    fit = { contextLength: 2048, reservedTokens: 30, maxFileKB: 100 };
    const { c, sent } = await page();
    const snap = of(sent, 'snapshot')[0];
    assert.ok(snap, 'a snapshot was sent');
    assert.deepEqual(snap.state.context, { contextLength: 2048, reservedTokens: 30, maxFileKB: 100, workspace: true, includeCurrentFile: false });
    assert.ok(f.logs.some((l) => /workspace context failed: .*Range out of order/.test(l)));
    ws.fire();
    assert.equal(of(sent, 'contextState').at(-1)?.state.contextLength, 2048, 'a later change still posts the state');
    f.engine.script({ tokens: ['ok'] });
    await c.receive({ type: 'send', content: 'look', attachments: [A] });
    await finished(sent);
  });

  it('a browser page (no workspace) gets defaults, no @ results, and a pointer to the attach button', async () => {
    delete f.services.fitSettings;
    const { c, sent } = await f.page();
    assert.deepEqual(of(sent, 'snapshot')[0]!.state.context, { contextLength: 0, reservedTokens: 0, maxFileKB: 256, workspace: false, includeCurrentFile: false });
    await c.receive({ type: 'contextSearch', requestId: 1, query: 'a' });
    assert.deepEqual(of(sent, 'reply'), [{ type: 'reply', requestId: 1, result: { kind: 'candidates', items: [] } }]);
    await c.receive({ type: 'contextAdd', requestId: 2, id: 'c1' });
    const r = of(sent, 'reply').at(-1)!;
    assert.equal(r.requestId, 2);
    assert.match(r.result.kind === 'refused' ? r.result.reason : '', /attach button/);
    await c.receive({ type: 'contextAdd', id: 'c1' });
    assert.match(of(sent, 'notice')[0]!.message, /attach button/, 'without a request id (a command) the reason is a notice');
  });

  it('answers a search with a reply to its request, and adds only what it offered', async () => {
    const { c, sent } = await page();
    await c.receive({ type: 'contextSearch', requestId: 7, query: 'a.t' });
    assert.deepEqual(ws.searches, ['a.t']);
    assert.deepEqual(of(sent, 'reply')[0], { type: 'reply', requestId: 7, result: { kind: 'candidates', items: [{ id: 'c1', kind: 'file', label: 'a.ts', description: 'src' }] } });
    await c.receive({ type: 'contextAdd', requestId: 8, id: 'c1' });
    assert.deepEqual(of(sent, 'reply')[1], { type: 'reply', requestId: 8, result: { kind: 'added', attachments: [A] } });
    assert.equal(of(sent, 'attachmentsAdded').length, 0, 'the chips come with the reply, once');
    await c.receive({ type: 'contextAdd', requestId: 9, id: 'nope' });
    assert.deepEqual(of(sent, 'reply')[2], { type: 'reply', requestId: 9, result: { kind: 'refused', reason: 'That is no longer offered.' } });
    assert.equal(of(sent, 'notice').length, 0);
    // Without a request id (a command, a test) the chips and the reasons are one-way messages.
    await c.receive({ type: 'contextAdd', id: 'c1' });
    assert.deepEqual(of(sent, 'attachmentsAdded')[0], { type: 'attachmentsAdded', attachments: [A] });
    await c.receive({ type: 'contextAdd', id: 'nope' });
    assert.deepEqual(of(sent, 'notice').map((n) => n.message), ['That is no longer offered.']);
  });

  it('a failed search still answers (empty), so the picker does not wait forever', async () => {
    const { c, sent } = await page();
    ws.search = async () => {
      throw new Error('index broke');
    };
    await c.receive({ type: 'contextSearch', requestId: 4, query: 'x' });
    assert.deepEqual(of(sent, 'reply'), [{ type: 'reply', requestId: 4, result: { kind: 'candidates', items: [] } }]);
    assert.ok(f.logs.some((l) => l.includes('index broke')));
  });

  it('a chip click opens its file at its lines', async () => {
    const { c } = await page();
    await c.receive({ type: 'openAttachment', uri: A.uri!, range: { startLine: 2, endLine: 3 } });
    assert.deepEqual(ws.opened, [[A.uri, { startLine: 2, endLine: 3 }]]);
  });

  it('posts the new context state when the platform or the settings change, and stops listening when disposed', async () => {
    const { c, sent } = await page();
    ws.includeCurrentFile = true;
    ws.fire();
    assert.equal(of(sent, 'contextState').at(-1)?.state.includeCurrentFile, true);
    fit = { ...fit, contextLength: 999 };
    f.hub.contextChanged();
    assert.equal(of(sent, 'contextState').at(-1)?.state.contextLength, 999);
    c.dispose();
    assert.equal(ws.listenerCount, 0);
  });

  it('a file changed between attaching and sending is sent as it is at send time', async () => {
    const { c, sent } = await page();
    ws.files.set(A.uri!, 'const a = 2; // edited\n');
    f.engine.script({ tokens: ['ok'] });
    await c.receive({ type: 'send', content: 'look', attachments: [A] });
    await finished(sent);
    assert.equal(ws.refreshed, 1);
    const last = f.engine.requests[0]!.messages.at(-1)!.content;
    assert.ok(last.includes('const a = 2; // edited') && !last.includes('const a = 1;'), last);
    const s = await f.store.get(c.currentSessionId!);
    assert.equal(s?.messages[0]?.attachments?.[0]?.content, 'const a = 2; // edited\n');
  });

  it('a chip that can no longer be read stops the send with the reason (the page gets its text back)', async () => {
    const { c, sent } = await page();
    ws.failRefresh = 'a.ts could not be read: it no longer exists. Remove its chip and send again.';
    await c.receive({ type: 'send', requestId: 5, content: 'look', attachments: [A] });
    assert.deepEqual(of(sent, 'reply'), [{ type: 'reply', requestId: 5, result: { kind: 'refused', reason: ws.failRefresh } }]);
    await c.receive({ type: 'send', content: 'look', attachments: [A] });
    assert.equal(f.engine.requests.length, 0);
    assert.deepEqual(of(sent, 'notice').map((n) => n.level + ': ' + n.message), ['warning: ' + ws.failRefresh]);
  });

  it('never cuts silently: a question that does not fit is sent back with its chips as read now, and nothing is sent', async () => {
    fit = { ...fit, contextLength: 2048 };
    const { c, sent } = await page();
    ws.files.set(A.uri!, bigText(600));
    await c.receive({ type: 'send', requestId: 3, content: 'explain', attachments: [A] });
    assert.equal(f.engine.requests.length, 0);
    const reply = of(sent, 'reply')[0]!;
    assert.equal(reply.requestId, 3);
    const refused = reply.result;
    assert.ok(refused.kind === 'doesNotFit');
    assert.equal(refused.attachments?.[0]!.content, bigText(600), 'the chips come back as read at send time (reading again changed them)');
    assert.equal(refused.report.window, 2048);
    assert.equal(refused.report.budget, 2048 - 512);
    assert.ok(refused.report.used > refused.report.budget);
    assert.equal(await f.store.list().then((l) => l.length), 0, 'nothing stored');
    // A command's question (no request id) goes back to the composer with its chips, and says why.
    const mark = sent.length;
    await c.receive({ type: 'send', content: 'explain', attachments: [A] }, 'command');
    assert.deepEqual(sent.slice(mark).map((m) => m.type), ['focusInput', 'attachmentsAdded', 'notice']);
    assert.deepEqual(of(sent.slice(mark), 'focusInput')[0], { type: 'focusInput', prefill: 'explain' });
    assert.match(of(sent, 'notice').at(-1)!.message, /^Not sent: .* send a cut version\.$/);
  });

  it('a question that does not fit with chips unchanged since attached is refused without echoing their contents back', async () => {
    fit = { ...fit, contextLength: 2048 };
    const { c, sent } = await page();
    const big = { ...A, content: bigText(600) };
    ws.files.set(A.uri!, bigText(600));
    await c.receive({ type: 'send', requestId: 2, content: 'explain', attachments: [big] });
    const refused = of(sent, 'reply')[0]!.result;
    assert.ok(refused.kind === 'doesNotFit');
    assert.equal(refused.attachments, undefined, 'the page has them already');
    assert.ok(refused.report.used > refused.report.budget);
    assert.equal(f.engine.requests.length, 0);
  });

  it('a page message without a request id that does not fit gets no chips echoed (the page holds them; megabytes would come straight back)', async () => {
    fit = { ...fit, contextLength: 2048 };
    const { c, sent } = await page();
    const big = { ...A, content: bigText(600) };
    ws.files.set(A.uri!, bigText(600));
    await c.receive({ type: 'send', content: 'explain', attachments: [big] });
    assert.deepEqual(sent.map((m) => m.type).filter((t) => t !== 'snapshot' && t !== 'contextState'), ['focusInput', 'notice']);
    assert.equal(f.engine.requests.length, 0);
    // The same question from a host command goes back to the composer with its chips.
    const mark = sent.length;
    await c.receive({ type: 'send', content: 'explain', attachments: [big] }, 'command');
    assert.deepEqual(sent.slice(mark).map((m) => m.type), ['focusInput', 'attachmentsAdded', 'notice']);
  });

  it('with the user’s choice (cutToFit) sends the cut version, each cut attachment marked in what is sent and stored', async () => {
    fit = { ...fit, contextLength: 2048, reservedTokens: 100 };
    const { c, sent } = await page();
    ws.files.set(A.uri!, bigText(600));
    f.engine.script({ tokens: ['ok'] });
    await c.receive({ type: 'send', content: 'explain', attachments: [A], cutToFit: true });
    await finished(sent);
    const last = f.engine.requests[0]!.messages.at(-1)!.content;
    assert.match(last, /^File `src\/a\.ts` \(typescript, cut to fit: first \d+ of 600 lines\)/);
    const stored = (await f.store.get(c.currentSessionId!))?.messages[0]?.attachments?.[0];
    assert.equal(stored?.truncated?.originalLines, 600);
    assert.ok(bigText(600).startsWith(stored!.content));
  });

  it('an edit-and-resend that does not fit leaves the stored question alone, and the page gets the transcript back', async () => {
    fit = { ...fit, contextLength: 2048 };
    const { c, sent } = await page();
    f.engine.script({ tokens: ['one'] });
    await c.receive({ type: 'send', content: 'first', attachments: [A] });
    await finished(sent);
    ws.files.set(A.uri!, bigText(600));
    const mark = sent.length;
    await c.receive({ type: 'editLast', requestId: 11, content: 'again', attachments: [A] });
    const after = sent.slice(mark);
    assert.deepEqual(after.map((m) => (m.type === 'reply' ? `reply:${m.result.kind}` : m.type)), ['session', 'reply:doesNotFit']);
    const s = await f.store.get(c.currentSessionId!);
    assert.deepEqual(s?.messages.map((m) => m.content), ['first', 'one']);
    assert.deepEqual(after[0]!.type === 'session' && after[0]!.session?.messages.map((m) => m.content), ['first', 'one']);
  });

  it('counts with the selected model’s window when no setting is made', async () => {
    f.engine.models = [{ name: 'fake-a', size: 1, context_length: 1024 }];
    await f.models.refresh();
    const { c, sent } = await page();
    ws.files.set(A.uri!, bigText(100));
    await c.receive({ type: 'send', requestId: 1, content: 'explain', attachments: [A] });
    const r = of(sent, 'reply')[0]?.result;
    assert.equal(r?.kind === 'doesNotFit' && r.report.window, 1024);
  });

  it('a question too long even without attachments is refused with a sentence, not cut', async () => {
    fit = { ...fit, contextLength: 1024 };
    const { c, sent } = await page();
    await c.receive({ type: 'send', content: 'word '.repeat(2000), attachments: [A], cutToFit: true });
    assert.equal(f.engine.requests.length, 0);
    assert.match(of(sent, 'notice')[0]!.message, /Shorten the question/);
  });

  it('edit-and-resend sends the attachments again (read again, fitted)', async () => {
    const { c, sent } = await page();
    f.engine.script({ tokens: ['one'] }).script({ tokens: ['two'] });
    await c.receive({ type: 'send', content: 'first', attachments: [A] });
    await finished(sent);
    ws.files.set(A.uri!, 'const a = 3;\n');
    const mark = sent.length;
    await c.receive({ type: 'editLast', content: 'again', attachments: [A] });
    await finished(sent, mark);
    assert.equal(ws.refreshed, 2);
    const s = await f.store.get(c.currentSessionId!);
    assert.deepEqual(s?.messages.map((m) => [m.content, m.attachments?.[0]?.content]), [['again', 'const a = 3;\n'], ['two', undefined]]);
    assert.ok(f.engine.requests[1]!.messages.at(-1)!.content.includes('const a = 3;'));
  });

  it('regenerate sends the stored attachments again', async () => {
    const { c, sent } = await page();
    f.engine.script({ tokens: ['one'] }).script({ tokens: ['two'] });
    await c.receive({ type: 'send', content: 'first', attachments: [A] });
    await finished(sent);
    const mark = sent.length;
    await c.receive({ type: 'regenerate' });
    await finished(sent, mark);
    assert.ok(f.engine.requests[1]!.messages.at(-1)!.content.includes('const a = 1;'));
    await until(() => c.streaming === undefined, 'idle');
  });

  it('refuses invalid context messages before they reach the platform', async () => {
    const { c } = await page();
    for (const bad of [
      { type: 'contextSearch', requestId: -1, query: 'a' },
      { type: 'contextSearch', requestId: 1, query: 'x'.repeat(201) },
      { type: 'contextAdd', id: '' },
      { type: 'openAttachment', uri: 'file:///x', range: { startLine: 0, endLine: 1 } },
      { type: 'send', content: 'q', cutToFit: false },
      { type: 'send', content: 'q', attachments: [{ ...A, kind: 'secret' }] },
    ]) {
      assert.equal(await c.receive(bad), undefined, JSON.stringify(bad));
    }
    assert.deepEqual([ws.searches, ws.opened, ws.refreshed], [[], [], 0]);
  });
});
