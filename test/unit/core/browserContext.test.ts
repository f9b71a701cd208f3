/**
 * `@codebase` in a browser tab: the page's context (src/core/browserContext.ts)
 * over a real CodebaseIndex, through the same registry and source as VS Code,
 * and a page of the gateway (PageConnections) that picks it, sends, and whose
 * model receives the snippets of the file that answers, never a secret file.
 */
import assert from 'node:assert/strict';
import { BrowserContext, NO_WORKSPACE, NO_WORKSPACE_ROW, type BrowserCodebase } from '../../../src/core/browserContext';
import { PageConnections } from '../../../src/core/pageConnections';
import type { UiStream } from '../../../src/gateway/server/deps';
import { CodebaseIndex } from '../../../src/shared/codebase/codebaseIndex';
import type { IndexStatus } from '../../../src/shared/codebase/schemas';
import type { HostToWebview } from '../../../src/shared/protocol';
import type { Attachment } from '../../../src/shared/session';
import { MemoryFileSource } from '../../support/memoryFileSource';
import { coreFixture, finished, until, type CoreFixture } from './helpers';

const LEDGER = 'export function reconcileInvoiceLedger(entries: number[]): number {\n  // sums the ledger entries of an invoice\n  return entries.reduce((a, b) => a + b, 0);\n}\n';

function workspace(): MemoryFileSource {
  return new MemoryFileSource()
    .set('billing/invoiceLedger.ts', LEDGER)
    .set('billing/.env', 'RECONCILE_INVOICE_LEDGER_TOKEN=sk-secret-ledger\n')
    .set('notes/garden.md', '# Garden\nTomatoes like sun.\n');
}

const settings = (auto = false, maxSnippets = 5) => () => ({ auto, maxSnippets });

class Stream implements UiStream {
  readonly sent: HostToWebview[] = [];
  send(m: HostToWebview): boolean {
    this.sent.push(m);
    return true;
  }
  close(): void {}
}

describe('browser context: @codebase over the gateway index', () => {
  let index: CodebaseIndex;
  beforeEach(async () => {
    index = new CodebaseIndex({ source: workspace() });
    await index.start();
  });
  afterEach(() => index.dispose());

  it('offers @codebase only (its picker lists no workspace files); picked, it is the request chip; at send the question becomes snippets of the file that answers, never the .env', async () => {
    const ctx = new BrowserContext({ codebase: index, settings: settings(), log: () => {} });
    assert.equal(ctx.pageFiles, true, 'the page attaches its own files');
    assert.deepEqual(ctx.state(), { includeCurrentFile: false, mentions: ['codebase'] });
    const rows = await ctx.search('cod');
    assert.deepEqual(
      rows.map((r) => [r.kind, r.label, r.description]),
      [['codebase', '@codebase', 'Search 2 files for your question']],
    );
    assert.deepEqual(await ctx.search('ledger'), [], 'no files by name: the page attaches its own');
    const added = await ctx.resolve(rows[0]!.id);
    assert.ok('attachments' in added);
    assert.deepEqual(added.attachments, [{ kind: 'codebase', name: '@codebase', content: '' }]);

    const page: Attachment = { kind: 'file', name: 'mine.txt', path: 'mine.txt', content: 'a file the page read itself' };
    const sent = await ctx.refresh([page, ...added.attachments], 'where is the invoice ledger reconciled?');
    assert.ok('attachments' in sent);
    const [own, summary, ...snippets] = sent.attachments;
    assert.deepEqual(own, page, "the page's own file goes as it read it");
    assert.equal(summary!.kind, 'codebase');
    assert.match(summary!.content, /^Searched 2 files: the snippet below matched the question best\./);
    assert.deepEqual(
      snippets.map((s) => [s.kind, s.path, s.range, s.uri]),
      [['snippet', 'billing/invoiceLedger.ts', { startLine: 1, endLine: 4 }, undefined]],
    );
    assert.match(snippets[0]!.content, /reconcileInvoiceLedger/);
    assert.ok(!JSON.stringify(sent).includes('sk-secret-ledger'));
    ctx.dispose();
  });

  it('without a workspace the row says how to get one, and picking or sending it says why not', async () => {
    const ctx = new BrowserContext({ settings: settings(true), log: () => {} });
    const rows = await ctx.search('');
    assert.deepEqual(
      rows.map((r) => [r.label, r.description]),
      [['@codebase', NO_WORKSPACE_ROW]],
    );
    assert.deepEqual(await ctx.resolve(rows[0]!.id), { error: NO_WORKSPACE });
    // hearth.codebase.auto adds nothing without an index; a stale chip is refused with the reason.
    assert.deepEqual(await ctx.refresh([], 'q'), { attachments: [] });
    const stale = await ctx.refresh([{ kind: 'codebase', name: '@codebase', content: '' }], 'q');
    assert.ok('error' in stale && stale.error.startsWith(NO_WORKSPACE));
    ctx.dispose();
  });

  it('while the index builds: the panel line and the sent summary say how far it got, and the page is told as it moves', async () => {
    let status: IndexStatus = { ...index.state(), state: 'indexing', files: 2355, indexed_files: 1204 };
    const listeners = new Set<() => void>();
    const building: BrowserCodebase = {
      state: () => status,
      search: (q, o) => index.search(q, o),
      onProgress: (l) => (listeners.add(l), { dispose: () => void listeners.delete(l) }),
    };
    const ctx = new BrowserContext({ codebase: building, settings: settings(), log: () => {} });
    assert.equal(ctx.state().indexing, 'Indexing 1,204 / 2,355 files');
    assert.equal((await ctx.search(''))[0]!.description, 'Indexing 1,204 / 2,355 files');
    const r = await ctx.refresh([{ kind: 'codebase', name: '@codebase', content: '' }], 'invoice ledger');
    assert.ok('attachments' in r);
    assert.match(r.attachments[0]!.content, /^Searched 1,204 of 2,355 files \(still indexing\)/);
    let told = 0;
    ctx.onDidChange(() => told++);
    status = { ...status, state: 'ready', indexed_files: 2355 };
    for (const l of listeners) l();
    for (const l of listeners) l();
    await until(() => told > 0, 'the page told of the change');
    assert.equal(told, 1, 'a burst of progress is one change');
    assert.equal(ctx.state().indexing, undefined);
    ctx.dispose();
    assert.equal(listeners.size, 0, 'disposed with the page');
  });
});

describe('a gateway page with @codebase (PageConnections + the conversation core)', () => {
  let f: CoreFixture;
  let index: CodebaseIndex;
  let pages: PageConnections;
  beforeEach(async () => {
    f = await coreFixture();
    index = new CodebaseIndex({ source: workspace() });
    await index.start();
    pages = new PageConnections(f.hub, { settingsHelp: 'env vars', context: () => new BrowserContext({ codebase: index, settings: settings(), log: () => {} }) });
  });
  afterEach(async () => {
    pages.dispose();
    index.dispose();
    await f.dispose();
  });

  it("the page's context state offers @codebase beside its own attach button; a question with the chip reaches the model with the snippets, stored with it", async () => {
    const s = new Stream();
    const id = pages.attach(undefined, s);
    await pages.receive(id, { type: 'ready' });
    await until(() => s.sent.some((m) => m.type === 'snapshot'), 'snapshot');
    const snap = s.sent.find((m) => m.type === 'snapshot');
    assert.ok(snap?.type === 'snapshot');
    assert.equal(snap.state.context?.workspace, false, 'no workspace files: the attach button stays');
    assert.deepEqual(snap.state.context?.mentions, ['codebase']);

    await pages.receive(id, { type: 'contextSearch', requestId: 1, query: 'codebase' });
    const found = s.sent.find((m) => m.type === 'reply' && m.requestId === 1);
    assert.ok(found?.type === 'reply' && found.result.kind === 'candidates');
    await pages.receive(id, { type: 'contextAdd', requestId: 2, id: found.result.items[0]!.id });
    const added = s.sent.find((m) => m.type === 'reply' && m.requestId === 2);
    assert.ok(added?.type === 'reply' && added.result.kind === 'added');

    const before = s.sent.length;
    await pages.receive(id, { type: 'send', requestId: 3, content: 'Where is the invoice ledger reconciled?', model: f.models.models[0]!.name, attachments: added.result.attachments });
    await finished(s.sent, before);
    const sentToModel = f.engine.requests.at(-1)!.messages.at(-1)!.content;
    assert.match(sentToModel, /Snippet from `billing\/invoiceLedger\.ts` \(typescript, lines 1-4\)/);
    assert.ok(!sentToModel.includes('sk-secret') && !sentToModel.includes('.env'));
    const stored = await f.store.get(pages.conversation(id)!.currentSessionId!);
    assert.deepEqual(
      stored!.messages[0]!.attachments!.map((a) => [a.kind, a.path ?? a.name]),
      [
        ['codebase', '@codebase'],
        ['snippet', 'billing/invoiceLedger.ts'],
      ],
    );
  });
});
