/**
 * The real-path rule in the real VS Code: a workspace file that is a symbolic
 * link to a file outside the workspace (as a cloned repository can ship), a
 * linked folder, and a link to an excluded file are never offered by the `@`
 * picker, never read for a chip, the current file or Add File to Chat, never
 * sent, and never become an Apply target — by a name in the block or by a URI
 * a page put in the question. A link that stays inside the workspace still works.
 * The links are made with node:fs here (the test, not the extension).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { HearthApi } from '../../src/extension/extension';
import type { HearthTestApi } from '../../src/extension/testApi';
import { double } from './support/double';
import { waitUntil } from './support/waitUntil';

const SECRET = 'OUTSIDE-SECRET-7f3a';
const INNER = 'OUTSIDE-FOLDER-FILE-91c2';
const ENV = 'EXCLUDED-ENV-TOKEN-55e1';

describe('symbolic links out of the workspace', function () {
  this.timeout(120_000);
  let api: HearthApi;
  let t: HearthTestApi;
  let root: vscode.Uri;
  let outside: string;
  const at = (rel: string) => vscode.Uri.joinPath(root, ...rel.split('/'));
  const labels = async (q: string) => (await t.contextSearch(q)).map((c) => `${c.description ? c.description + '/' : ''}${c.label}`);
  const lastAsked = async () => ((await double.requests()).filter((r) => r.path === '/api/chat').at(-1)!.body.messages.at(-1).content as string);

  before(async () => {
    const ext = vscode.extensions.getExtension<HearthApi>('hearth-dev.hearth');
    assert.ok(ext);
    api = await ext.activate();
    t = api.test!;
    root = vscode.workspace.workspaceFolders![0]!.uri;
    outside = await mkdtemp(join(tmpdir(), 'hearth-outside-'));
    await writeFile(join(outside, 'id_rsa'), `${SECRET}\n`);
    await mkdir(join(outside, 'keys'));
    await writeFile(join(outside, 'keys', 'inner.md'), `${INNER}\n`);
    const links = join(root.fsPath, 'links');
    await mkdir(links, { recursive: true });
    await writeFile(join(links, 'real.md'), '# real, inside\n');
    await writeFile(join(links, '.env.local'), `${ENV}\n`);
    await symlink(join(outside, 'id_rsa'), join(links, 'notes.md'));
    await symlink(join(outside, 'keys'), join(links, 'vendor'), 'dir');
    await symlink(join(links, 'real.md'), join(links, 'alias.md'));
    await symlink(join(links, '.env.local'), join(links, 'config.md'));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('hearth').update('context.includeCurrentFile', undefined, vscode.ConfigurationTarget.Global);
    await rm(join(root.fsPath, 'links'), { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('the @ picker offers neither the link to a file outside, nor files under a linked folder, nor a link to an excluded file', async () => {
    await waitUntil(async () => (await labels('alias')).includes('links/alias.md'), 'the link that stays inside to be offered');
    assert.ok((await labels('real')).includes('links/real.md'));
    assert.ok(!(await labels('notes')).includes('links/notes.md'), 'a link to ~/…/id_rsa');
    assert.ok(!(await labels('inner')).some((l) => l.includes('inner.md')), 'a file in a linked folder');
    assert.ok(!(await labels('config')).includes('links/config.md'), 'a link to .env.local');
  });

  it('the codebase index asks the same rule: nothing behind the links out (or to an excluded file) is indexed; the file inside is', async () => {
    await waitUntil(async () => (await t.codebaseSearch('real inside')).some((h) => h.path === 'links/real.md'), 'links/real.md in the codebase index');
    for (const q of [SECRET, INNER, ENV, 'outside secret', 'outside folder file', 'excluded env token']) {
      const hits = await t.codebaseSearch(q);
      const bad = hits.filter((h) => /links\/(notes|config)\.md|links\/vendor\//.test(h.path));
      assert.deepEqual(bad, [], `searching "${q}"`);
    }
  });

  it('Add File to Chat refuses the links with the reason; the link inside is added', async () => {
    await vscode.commands.executeCommand('hearth.openChat');
    await api.whenChatViewResolved();
    await waitUntil(() => t.viewReady(), 'the view');
    const uris = [at('links/notes.md'), at('links/vendor/inner.md'), at('links/config.md'), at('links/alias.md')];
    const n = await vscode.commands.executeCommand<number>('hearth.addFileToChat', uris[0], uris);
    assert.equal(n, 1, 'only alias.md');
  });

  it('a named pipe in the workspace is refused, never read (reading one would block)', async () => {
    execFileSync('mkfifo', [join(root.fsPath, 'links', 'pipe.md')]);
    await vscode.commands.executeCommand('hearth.openChat');
    await waitUntil(() => t.viewReady(), 'the view');
    const n = await vscode.commands.executeCommand<number>('hearth.addFileToChat', at('links/pipe.md'), [at('links/pipe.md')]);
    assert.equal(n, 0, 'nothing added');
  });

  it('a chip naming the link is sent as it came, never read; the current file chip is not offered for it', async () => {
    await double.reset();
    const chip = { kind: 'file', name: 'notes.md', path: 'links/notes.md', uri: at('links/notes.md').toString(), content: 'the chip as it came\n' };
    await t.simulateWebviewMessage({ type: 'send', content: 'What is in my notes?', attachments: [chip] });
    await double.waitForRequest({ path: '/api/chat' });
    const sent = await lastAsked();
    assert.ok(sent.includes('the chip as it came'), sent);
    assert.ok(!sent.includes(SECRET), 'the target was not read');
    await t.idle();
    await vscode.commands.executeCommand('hearth.newChat');

    await vscode.workspace.getConfiguration('hearth').update('context.includeCurrentFile', true, vscode.ConfigurationTarget.Global);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(at('links/alias.md')));
    await waitUntil(async () => (await t.contextState()).currentFile?.attachment?.content === '# real, inside\n', 'the inside link to be the current file');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(at('links/notes.md')));
    await waitUntil(() => vscode.window.activeTextEditor?.document.uri.toString() === at('links/notes.md').toString(), 'the link to be the active editor');
    const state = await t.contextState();
    assert.equal(state.currentFile, undefined, JSON.stringify(state).slice(0, 300));
    await vscode.workspace.getConfiguration('hearth').update('context.includeCurrentFile', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Apply never targets a link out of the workspace: not by the name in the block, not by a URI the page put in the question', async () => {
    await double.reset();
    await vscode.commands.executeCommand('hearth.newChat');
    const mine = vscode.Uri.joinPath(root, 'links', 'real.md');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(mine));
    const block = `links/notes.md\n<<<<<<< SEARCH\n${SECRET}\n=======\nreplaced\n>>>>>>> REPLACE`;
    await double.enqueue({ tokens: ['```\n', block, '\n```\n'], tokenDelayMs: 5 });
    // The page names the link as the question's file (a page of the in-VS-Code gateway can send any URI).
    const chip = { kind: 'file', name: 'notes.md', path: 'links/notes.md', uri: at('links/notes.md').toString(), content: `${SECRET}\n` };
    await t.simulateWebviewMessage({ type: 'send', content: 'Change it', attachments: [chip] });
    await t.idle();
    const reply = t.currentSession()?.messages.find((m) => m.role === 'assistant');
    assert.ok(reply && reply.status === 'complete');
    const before = t.posted().length;
    await t.simulateWebviewMessage({ type: 'applyCode', messageId: reply.id, code: block });
    // Neither the link nor its target: the block falls to the editor's file, where its SEARCH text is not found.
    await waitUntil(() => t.proposals().length > 0 || t.posted().slice(before).some((p) => p.type === 'notice'), 'Apply to finish');
    for (const p of t.proposals()) assert.equal(p.target, mine.toString());
    assert.ok(!t.proposals().some((p) => p.target.includes('notes.md') || p.target.includes('id_rsa')));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
