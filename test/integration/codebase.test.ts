/**
 * The codebase index in the real extension host: it indexes the temporary
 * workspace through vscode.workspace.fs, a saved file becomes searchable, a
 * secret file is never among the results, and `@codebase` sends the question's
 * snippets to the model as chips of their own. Code is chunked by tree-sitter
 * with the grammars the extension reads from its dist/tree-sitter.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HearthApi } from '../../src/extension/extension';
import type { HearthTestApi } from '../../src/extension/testApi';
import { double } from './support/double';
import { waitUntil } from './support/waitUntil';

const enc = (s: string) => new TextEncoder().encode(s);

describe('codebase index: @codebase, Search Codebase', function () {
  this.timeout(120_000);
  let t: HearthTestApi;
  let dir: vscode.Uri;
  const write = (rel: string, body: string) => vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, rel), enc(body));

  before(async () => {
    const ext = vscode.extensions.getExtension<HearthApi>('hearth-dev.hearth');
    assert.ok(ext);
    t = (await ext.activate()).test!;
    dir = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'cbidx');
    await write('billing/invoiceLedger.ts', 'export function reconcileInvoiceLedger(entries: number[]): number {\n  // sums the ledger entries of an invoice\n  return entries.reduce((a, b) => a + b, 0);\n}\n');
    await write('billing/.env', 'RECONCILE_INVOICE_LEDGER_TOKEN=sk-secret-ledger\n');
    await write('notes/unrelated.md', '# Gardening\nTomatoes like sun.\n');
    // An anonymous default export: definition lines find no name in it; tree-sitter names it after its module (the folder of an index file).
    await write('latefees/index.ts', 'export default function (daysOverdue: number): number {\n  return Math.min(daysOverdue * 1.5, 40);\n}\n');
  });

  after(async () => {
    await vscode.workspace.fs.delete(dir, { recursive: true });
    await vscode.commands.executeCommand('hearth.newChat');
  });

  it('finds the file that answers a question, and never a secret file', async () => {
    // The files were written after the index may have started: the watcher brings them in.
    await waitUntil(async () => (await t.codebaseSearch('where is the invoice ledger reconciled?')).some((h) => h.path === 'cbidx/billing/invoiceLedger.ts'), 'the ledger file found');
    const hits = await t.codebaseSearch('reconcile invoice ledger token', 20);
    assert.equal(hits[0]?.path, 'cbidx/billing/invoiceLedger.ts');
    assert.ok(!hits.some((h) => h.path.endsWith('.env')), JSON.stringify(hits));
    const status = await t.codebaseStatus();
    assert.equal(status?.state, 'ready');
    assert.ok((status?.indexedFiles ?? 0) >= 2);
  });

  it('chunks code by tree-sitter: a search result names what only the parser finds', async () => {
    await waitUntil(async () => (await t.codebaseSearch('late fees days overdue')).some((h) => h.path === 'cbidx/latefees/index.ts'), 'the late fee file found');
    const hit = (await t.codebaseSearch('late fees days overdue')).find((h) => h.path === 'cbidx/latefees/index.ts');
    assert.deepEqual(hit && [hit.symbol, hit.startLine, hit.endLine], ['latefees', 1, 3]);
  });

  it('a file saved in the editor is searchable once saved', async () => {
    const uri = vscode.Uri.joinPath(dir, 'billing/refunds.ts');
    await write('billing/refunds.ts', 'export const placeholder = 1;\n');
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((e) => e.insert(new vscode.Position(1, 0), 'export function issuePartialRefund(amount: number) {\n  return -amount;\n}\n'));
    assert.ok(await doc.save());
    // The save itself notifies the index (not only the watcher): the search right after it, once the change is applied, finds it.
    await waitUntil(async () => (await t.codebaseSearch('issuePartialRefund')).some((h) => h.path === 'cbidx/billing/refunds.ts'), 'the saved function found');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('@codebase plus a question sends the snippets of the file that holds the answer as chips; the secret never', async () => {
    const row = (await t.contextSearch('codebase')).find((c) => c.kind === 'codebase');
    assert.ok(row, 'an @codebase row is offered');
    const r = await t.contextResolve(row.id);
    assert.ok('attachments' in r, JSON.stringify(r));
    await double.reset();
    await vscode.commands.executeCommand('hearth.openChat');
    await waitUntil(() => t.viewReady(), 'the view');
    await t.simulateWebviewMessage({ type: 'send', content: 'Where is the invoice ledger reconciled?', attachments: r.attachments });
    const req = await double.waitForRequest({ path: '/api/chat' });
    const sent = req.body.messages.at(-1).content as string;
    assert.match(sent, /Snippet from `cbidx\/billing\/invoiceLedger.ts` \(typescript, lines \d+-\d+\)/);
    assert.ok(sent.includes('reconcileInvoiceLedger'));
    assert.ok(!sent.includes('sk-secret-ledger'), 'the secret file is never sent');
    await t.idle();
    // The question just sent: the chat may hold earlier tests' questions (the whole tier shares one window).
    const question = t.currentSession()!.messages.filter((m) => m.role === 'user').at(-1)!;
    assert.equal(question.content, 'Where is the invoice ledger reconciled?');
    const kinds = (question.attachments ?? []).map((a) => a.kind);
    assert.equal(kinds[0], 'codebase');
    assert.ok(kinds.includes('snippet'), 'the snippets are stored with the question');
    assert.ok((question.attachments ?? []).every((a) => !(a.path ?? '').endsWith('.env')));
  });
});
