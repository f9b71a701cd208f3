/**
 * Workspace context in the real extension host: what the `@` picker offers
 * (files.exclude, .gitignore and hearth.context.exclude respected), what adding
 * gives (files through vscode.workspace.fs, binaries and oversized files
 * refused), Add File to Chat, and a chip read again at send time.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HearthApi } from '../../src/extension/extension';
import type { HearthTestApi } from '../../src/extension/testApi';
import { double } from './support/double';

const enc = (s: string) => new TextEncoder().encode(s);

async function waitUntil(probe: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('workspace context in VS Code', function () {
  this.timeout(120_000);
  let api: HearthApi;
  let t: HearthTestApi;
  let root: vscode.Uri;
  const created: vscode.Uri[] = [];
  const write = async (rel: string, body: string | Uint8Array) => {
    const uri = vscode.Uri.joinPath(root, ...rel.split('/'));
    await vscode.workspace.fs.writeFile(uri, typeof body === 'string' ? enc(body) : body);
    created.push(uri);
    return uri;
  };
  const labels = async (q: string) => (await t.contextSearch(q)).map((c) => `${c.description ? c.description + '/' : ''}${c.label}`);

  before(async () => {
    const ext = vscode.extensions.getExtension<HearthApi>('hearth-dev.hearth');
    assert.ok(ext);
    api = await ext.activate();
    t = api.test!;
    root = vscode.workspace.workspaceFolders![0]!.uri;
    await write('ctx/src/widget.ts', 'export const widget = 1;\n');
    await write('ctx/out/widget.js', 'exports.widget = 1;\n');
    await write('ctx/.gitignore', 'out/\n');
    await write('ctx/hidden/widget.md', '# hidden\n');
    await write('ctx/.env.widget', 'TOKEN=secret\n');
    await write('ctx/widget.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
    await write('ctx/widget-big.txt', 'x'.repeat(3 * 1024));
    await vscode.workspace.getConfiguration('files').update('exclude', { '**/hidden': true }, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('hearth').update('context.maxFileKB', 2, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('files').update('exclude', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('hearth').update('context.maxFileKB', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(root, 'ctx'), { recursive: true });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('@ offers workspace files, fuzzy, without files.exclude, .gitignore and hearth.context.exclude matches', async () => {
    await waitUntil(async () => (await labels('widget')).includes('ctx/src/widget.ts'), 'the new files to be indexed');
    const found = await labels('widget');
    assert.ok(found.includes('ctx/src/widget.ts'), found.join());
    assert.ok(!found.includes('ctx/out/widget.js'), '.gitignore');
    assert.ok(!found.includes('ctx/hidden/widget.md'), 'files.exclude');
    assert.ok(!found.some((l) => l.includes('.env')), 'hearth.context.exclude');
    assert.equal((await labels('wdgtts'))[0], 'ctx/src/widget.ts', 'fuzzy');
  });

  it('a mistyped pattern in hearth.context.exclude or a .gitignore matches nothing: the picker and the chat keep working', async () => {
    await write('ctx/typo/.gitignore', '**/[a-Z]*\nskipped.md\n');
    await write('ctx/typo/gadget.ts', 'export const gadget = 1;\n');
    await write('ctx/typo/skipped.md', '# skipped\n');
    const hearth = vscode.workspace.getConfiguration('hearth');
    await hearth.update('context.exclude', ['**/[a-Z]*', '**/.env*'], vscode.ConfigurationTarget.Global);
    try {
      // With a file open the workspace context's state is part of every snapshot.
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, 'ctx/src/widget.ts')));
      await waitUntil(async () => (await labels('gadget')).includes('ctx/typo/gadget.ts'), 'the picker to offer files again');
      assert.ok(!(await labels('skipped')).includes('ctx/typo/skipped.md'), 'the valid lines of that .gitignore still apply');
      assert.ok(!(await labels('widget')).some((l) => l.includes('.env')), 'the valid exclusion patterns still apply');
      await vscode.commands.executeCommand('hearth.openChat');
      await api.whenChatViewResolved();
      const snapshots = () => t.posted().filter((p) => p.type === 'snapshot').length;
      const before = snapshots();
      await t.simulateWebviewMessage({ type: 'ready' });
      await waitUntil(() => snapshots() > before, 'a snapshot for the page', 10_000);
    } finally {
      await hearth.update('context.exclude', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('adding reads the file through the workspace file system; binaries and oversized files are refused with the reason', async () => {
    const items = await t.contextSearch('widget');
    const id = (label: string) => items.find((c) => c.label === label)!.id;
    const ok = await t.contextResolve(id('widget.ts'));
    assert.ok('attachments' in ok);
    assert.deepEqual(ok.attachments[0], { kind: 'file', name: 'widget.ts', path: 'ctx/src/widget.ts', uri: vscode.Uri.joinPath(root, 'ctx/src/widget.ts').toString(), language: 'typescript', content: 'export const widget = 1;\n' });
    const png = await t.contextResolve(id('widget.png'));
    assert.deepEqual(png, { error: 'widget.png looks like a binary file; only text files can be attached.' });
    const big = await t.contextResolve(id('widget-big.txt'));
    assert.ok('error' in big && big.error.includes('over the 2 KB limit for attachments (hearth.context.maxFileKB)'), JSON.stringify(big));
  });

  it('@problems and @selection offer the current file’s problems and the editor selection', async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, 'ctx/src/widget.ts'));
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(0, 0, 0, 12);
    assert.deepEqual((await t.contextSearch('pro')).slice(0, 2).map((c) => c.label), ['Problems in the current file', 'Problems in the workspace']);
    const sel = (await t.contextSearch('sel'))[0]!;
    assert.equal(sel.label, 'Selection');
    const r = await t.contextResolve(sel.id);
    assert.ok('attachments' in r);
    assert.deepEqual([r.attachments[0]!.kind, r.attachments[0]!.range, r.attachments[0]!.content], ['selection', { startLine: 1, endLine: 1 }, 'export const']);
  });

  it('Add File to Chat puts chips in the composer (nothing is sent)', async () => {
    await vscode.commands.executeCommand('hearth.openChat');
    await api.whenChatViewResolved();
    await waitUntil(() => t.viewReady(), 'the view');
    const before = t.posted().length;
    const chats = async () => (await double.requests()).filter((r) => r.path === '/api/chat').length;
    const asked = await chats();
    const n = await vscode.commands.executeCommand<number>('hearth.addFileToChat', vscode.Uri.joinPath(root, 'ctx/src/widget.ts'), [vscode.Uri.joinPath(root, 'ctx/src/widget.ts'), vscode.Uri.joinPath(root, 'ctx/widget.png')]);
    assert.equal(n, 1, 'the text file (the PNG is refused with a warning)');
    assert.ok(t.posted().slice(before).some((p) => p.type === 'attachmentsAdded'));
    assert.equal(await chats(), asked, 'nothing was sent to the model');
  });

  it('a chip is sent as its file is at send time', async () => {
    await double.reset();
    const uri = vscode.Uri.joinPath(root, 'ctx/src/widget.ts');
    const r = await t.contextResolve((await t.contextSearch('widget.ts'))[0]!.id);
    assert.ok('attachments' in r);
    await vscode.workspace.fs.writeFile(uri, enc('export const widget = 2; // changed after attaching\n'));
    // The file is open in an editor (an earlier test) that may not have reloaded yet: the disk is the truth for a saved file.
    await t.simulateWebviewMessage({ type: 'send', content: 'What is widget?', attachments: r.attachments });
    const req = await double.waitForRequest({ path: '/api/chat' });
    const sent = req.body.messages.at(-1).content as string;
    assert.ok(sent.includes('export const widget = 2; // changed after attaching'), sent);
    assert.ok(!sent.includes('widget = 1'), sent);
    await t.idle();
    await vscode.commands.executeCommand('hearth.newChat');
  });

  it('a chip naming a file the picker would not offer (.gitignore) is sent as it came, never read', async () => {
    await double.reset();
    const uri = vscode.Uri.joinPath(root, 'ctx/out/widget.js');
    // Not chosen in this window: a stale or forged chip (e.g. from an old session) pointing at a gitignored file.
    const chip = { kind: 'file', name: 'widget.js', path: 'ctx/out/widget.js', uri: uri.toString(), content: 'the chip as it came\n' };
    await t.simulateWebviewMessage({ type: 'send', content: 'What is in it?', attachments: [chip] });
    const req = await double.waitForRequest({ path: '/api/chat' });
    const sent = req.body.messages.at(-1).content as string;
    assert.ok(sent.includes('the chip as it came'), sent);
    assert.ok(!sent.includes('exports.widget'), 'the ignored file was not read');
    await t.idle();
    await vscode.commands.executeCommand('hearth.newChat');
  });
});
