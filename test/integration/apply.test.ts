/**
 * Apply as a diff in the real VS Code (code-server): a reply's block is
 * proposed in the diff editor; Accept is one undo step on the real document
 * (not saved), Reject changes nothing, a file edited under the proposal is
 * never overwritten, a CRLF file stays CRLF. Driven through commands and the
 * extension's test API; the e2e suite does the same through the UI.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HearthApi } from '../../src/extension/extension';
import type { HearthTestApi } from '../../src/extension/testApi';
import { codeBlockKey } from '../../src/shared/codeBlocks';
import { double } from './support/double';

const BUGGY = 'import math\n\n\ndef add(a, b):\n    return a - b\n\n\ndef area(r):\n    return math.pi * r * r\n';
const FIXED_BLOCK = 'def add(a, b):\n    return a + b';

async function waitUntil(probe: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function diffTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === 'hearth-proposal');
}

describe('Apply as a diff', function () {
  this.timeout(120_000);
  let api: HearthApi;
  let t: HearthTestApi;
  let folder: vscode.Uri;

  before(async () => {
    const ext = vscode.extensions.getExtension<HearthApi>('hearth-dev.hearth');
    assert.ok(ext);
    api = await ext.activate();
    assert.ok(api.test);
    t = api.test;
    await vscode.commands.executeCommand('hearth.openChat');
    await api.whenChatViewResolved();
    await waitUntil(() => t.viewReady(), 'the webview to be ready', 60_000);
    const [first] = (await double.models({})).models;
    await vscode.commands.executeCommand('hearth.selectModel', { model: first });
    folder = vscode.workspace.workspaceFolders![0]!.uri;
  });

  beforeEach(async () => {
    await double.reset();
    await t.idle();
    await vscode.commands.executeCommand('hearth.newChat');
  });

  const created: vscode.Uri[] = [];

  afterEach(async () => {
    // Leave no proposal, dirty editor or diff behind for the next suite.
    for (const p of t.proposals()) await vscode.commands.executeCommand('hearth.rejectChange', vscode.Uri.parse(p.uri));
    for (const d of vscode.workspace.textDocuments.filter((x) => x.isDirty && x.uri.scheme === 'file')) {
      await vscode.window.showTextDocument(d);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    for (const u of created.splice(0)) await vscode.workspace.fs.delete(u).then(undefined, () => undefined);
  });

  /** Writes the file, selects lines, asks with the Fix preset; the double answers `answer`. Returns the reply id. */
  async function askFix(name: string, content: string, selection: vscode.Selection, answer: string): Promise<{ doc: vscode.TextDocument; replyId: string }> {
    const uri = vscode.Uri.joinPath(folder, 'src', name);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
    created.push(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = selection;
    await double.enqueue({ tokens: answer.match(/[\s\S]{1,8}/g)!, tokenDelayMs: 5 });
    await vscode.commands.executeCommand('hearth.askAboutSelection', { preset: 'fix' });
    await t.idle();
    const reply = t.currentSession()?.messages.find((m) => m.role === 'assistant');
    assert.ok(reply && reply.status === 'complete', 'the reply finished');
    return { doc, replyId: reply.id };
  }

  async function apply(replyId: string, code: string): Promise<void> {
    const before = t.posted().length;
    await t.simulateWebviewMessage({ type: 'applyCode', messageId: replyId, code });
    await waitUntil(() => t.proposals().length === 1 && diffTabs().length === 1, 'the diff to open').catch((e: Error) => {
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((x) => x.label);
      throw new Error(`${e.message}; proposals ${t.proposals().length}, tabs [${tabs.join(', ')}], posted since: ${t.posted().slice(before).map((p) => p.type).join(',')}`);
    });
  }

  it('Fix → Apply opens the diff; Accept is one WorkspaceEdit (one undo step), unsaved; the reply says applied', async () => {
    const { doc, replyId } = await askFix('apply1.py', BUGGY, new vscode.Selection(3, 0, 4, 16), `The function subtracts. Fixed:\n\n\`\`\`python\n${FIXED_BLOCK}\n\`\`\`\n\nIt now adds.`);
    const asked = (await double.requests()).filter((r) => r.path === '/api/chat').at(-1)!.body.messages.at(-1).content as string;
    assert.ok(asked.includes('Fix the bugs in this code'), asked);

    await apply(replyId, FIXED_BLOCK);
    const tab = diffTabs()[0]!;
    assert.equal(tab.label, 'apply1.py ↔ Hearth proposal');
    const input = tab.input as vscode.TabInputTextDiff;
    assert.equal(input.original.toString(), doc.uri.toString(), 'left: the file as it is');
    assert.equal(t.proposals()[0]!.text, BUGGY.replace('a - b', 'a + b'), 'right: the proposal');
    assert.equal(doc.getText(), BUGGY, 'nothing changes before Accept');

    await vscode.commands.executeCommand('hearth.acceptChange');
    assert.equal(doc.getText(), BUGGY.replace('a - b', 'a + b'));
    assert.equal(doc.isDirty, true, 'the file is not saved for the user');
    await waitUntil(() => diffTabs().length === 0, 'the diff to close');
    assert.equal(t.proposals().length, 0);
    await waitUntil(async () => (await t.getSession(t.currentSessionId()!))?.messages.find((m) => m.id === replyId)?.applied?.[codeBlockKey(FIXED_BLOCK)] === 'applied', 'the reply to record it');
    // The page is told after the mark is stored (a second step): wait for it, not for a moment.
    await waitUntil(() => t.posted().some((p) => p.type === 'applyState'), 'the page to be told the block was applied');

    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), BUGGY, 'one undo brings the old code back');
  });

  it('Reject changes nothing and closes the diff; the reply says rejected', async () => {
    const { doc, replyId } = await askFix('apply2.py', BUGGY, new vscode.Selection(3, 0, 4, 16), `\`\`\`python\n${FIXED_BLOCK}\n\`\`\``);
    await apply(replyId, FIXED_BLOCK);
    const before = t.posted().length;
    assert.equal(await vscode.commands.executeCommand('hearth.rejectChange'), true);
    await waitUntil(() => diffTabs().length === 0, 'the diff to close');
    assert.equal(doc.getText(), BUGGY);
    assert.equal(doc.isDirty, false);
    await waitUntil(async () => (await t.getSession(t.currentSessionId()!))?.messages.find((m) => m.id === replyId)?.applied?.[codeBlockKey(FIXED_BLOCK)] === 'rejected', 'the reply to record the rejection', 5000).catch(async (e: Error) => {
      const s = await t.getSession(t.currentSessionId()!);
      throw new Error(`${e.message}: posted ${t.posted().slice(before).map((p) => p.type).join(',')}; session ${s?.id} ${JSON.stringify(s?.messages.map((m) => [m.id, m.role, m.applied]))}; reply ${replyId}`);
    });
  });

  it('a file edited after the proposal was shown is never overwritten: Accept re-checks and shows the proposal again', async () => {
    const { doc, replyId } = await askFix('apply3.py', BUGGY, new vscode.Selection(3, 0, 4, 16), `\`\`\`python\n${FIXED_BLOCK}\n\`\`\``);
    await apply(replyId, FIXED_BLOCK);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(0, 0), '# edited meanwhile\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const edited = '# edited meanwhile\n' + BUGGY;

    await vscode.commands.executeCommand('hearth.acceptChange');
    assert.equal(doc.getText(), edited, 'nothing applied: the user must look again');
    assert.equal(t.proposals().length, 1, 'the proposal stays open for review');
    assert.equal(t.proposals()[0]!.text, edited.replace('a - b', 'a + b'), 'and now shows the file as it is');

    await vscode.commands.executeCommand('hearth.acceptChange');
    assert.equal(doc.getText(), edited.replace('a - b', 'a + b'), 'the user\'s edit is kept');
  });

  it('a CRLF file keeps CRLF', async () => {
    const crlf = BUGGY.replace(/\n/g, '\r\n');
    const { doc, replyId } = await askFix('apply-crlf.py', crlf, new vscode.Selection(3, 0, 4, 16), `\`\`\`python\n${FIXED_BLOCK}\n\`\`\``);
    assert.equal(doc.eol, vscode.EndOfLine.CRLF);
    await apply(replyId, FIXED_BLOCK);
    await vscode.commands.executeCommand('hearth.acceptChange');
    assert.equal(doc.getText(), crlf.replace('a - b', 'a + b'));
    assert.equal(doc.eol, vscode.EndOfLine.CRLF);
  });

  it('a block naming a file outside the workspace (../) never targets it: the question’s own file does', async () => {
    const outside = vscode.Uri.joinPath(folder, '..', `hearth-outside-${Date.now()}.py`);
    await vscode.workspace.fs.writeFile(outside, new TextEncoder().encode(BUGGY));
    try {
      const sr = `../${outside.path.split('/').pop()}\n<<<<<<< SEARCH\n    return a - b\n=======\n    return a + b\n>>>>>>> REPLACE`;
      const { doc, replyId } = await askFix('apply5.py', BUGGY, new vscode.Selection(3, 0, 4, 16), `\`\`\`\n${sr}\n\`\`\``);
      await apply(replyId, sr);
      assert.equal(t.proposals()[0]!.target, doc.uri.toString());
      assert.equal(new TextDecoder().decode(await vscode.workspace.fs.readFile(outside)), BUGGY);
    } finally {
      await vscode.workspace.fs.delete(outside).then(undefined, () => undefined);
    }
  });

  it('a block that cannot be placed says why and opens nothing', async () => {
    const { doc, replyId } = await askFix('apply4.py', BUGGY, new vscode.Selection(3, 0, 4, 16), '```\n<<<<<<< SEARCH\n    return a * b\n=======\n    return a + b\n>>>>>>> REPLACE\n```');
    const before = t.posted().length;
    await t.simulateWebviewMessage({ type: 'applyCode', messageId: replyId, code: '<<<<<<< SEARCH\n    return a * b\n=======\n    return a + b\n>>>>>>> REPLACE' });
    await waitUntil(() => t.posted().slice(before).some((p) => p.type === 'notice'), 'the reason to reach the chat');
    assert.equal(t.proposals().length, 0);
    assert.equal(diffTabs().length, 0);
    assert.equal(doc.getText(), BUGGY);
  });
});
