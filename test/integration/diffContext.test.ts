/**
 * `@diff` in the real extension host, through VS Code's built-in Git extension:
 * "Git is turned off" said plainly (the test host starts with git.enabled off),
 * then a real repository's uncommitted changes (tracked and new files, a secret
 * left out) as a chip, read again at send time, and sent to the model.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import type { HearthApi } from '../../src/extension/extension';
import type { HearthTestApi } from '../../src/extension/testApi';
import { double } from './support/double';
import { waitUntil } from './support/waitUntil';

const enc = (s: string) => new TextEncoder().encode(s);

/** The little of the Git extension's API the test drives itself (to open the repository it made). */
interface GitApiForTest {
  openRepository(root: vscode.Uri): Promise<unknown>;
  repositories: { rootUri: vscode.Uri; status(): Promise<void> }[];
}

describe('@diff: uncommitted changes from the Git extension', function () {
  this.timeout(120_000);
  let api: HearthApi;
  let t: HearthTestApi;
  let repo: vscode.Uri;
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Hearth Test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: repo.fsPath, stdio: 'pipe' });
  const write = (rel: string, body: string) => vscode.workspace.fs.writeFile(vscode.Uri.joinPath(repo, rel), enc(body));
  const diffRow = async () => (await t.contextSearch('diff')).find((c) => c.kind === 'diff');

  before(async () => {
    const ext = vscode.extensions.getExtension<HearthApi>('hearth-dev.hearth');
    assert.ok(ext);
    api = await ext.activate();
    t = api.test!;
    repo = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'gitrepo');
    await write('src/calc.ts', 'export const add = (a: number, b: number) => a + b;\n');
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'first');
  });

  after(async () => {
    await vscode.workspace.getConfiguration('git').update('enabled', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.fs.delete(repo, { recursive: true });
    await vscode.commands.executeCommand('hearth.newChat');
  });

  it('with Git turned off the picker row says so, and adding it is refused with that sentence', async () => {
    assert.equal(vscode.workspace.getConfiguration('git').get('enabled'), false, 'the test host starts with git.enabled off');
    const row = await diffRow();
    assert.ok(row, 'an @diff row is offered');
    assert.equal(row.label, 'Uncommitted changes');
    assert.equal(row.description, 'Git is turned off (git.enabled).');
    assert.deepEqual(await t.contextResolve(row.id), { error: 'Git is turned off (git.enabled).' });
  });

  it('a repository’s changes become one diff chip: tracked changes against HEAD, new text files, never a secret; no file to open or apply to', async () => {
    await vscode.workspace.getConfiguration('git').update('enabled', true, vscode.ConfigurationTarget.Global);
    const gitExt = vscode.extensions.getExtension<{ enabled: boolean; getAPI(v: 1): GitApiForTest }>('vscode.git');
    assert.ok(gitExt, 'the built-in Git extension is there');
    const exports = gitExt.isActive ? gitExt.exports : await gitExt.activate();
    await waitUntil(() => exports.enabled, 'the Git extension to be enabled');
    await exports.getAPI(1).openRepository(repo);

    await write('src/calc.ts', 'export const add = (a: number, b: number): number => a + b;\n');
    await write('src/notes.md', '# notes\nreview me\n');
    await write('.env.local', 'API_TOKEN=hunter2\n');
    await waitUntil(async () => (await diffRow())?.description === 'gitrepo · 3 files changed', 'the Git extension to see the changes');

    const r = await t.contextResolve((await diffRow())!.id);
    assert.ok('attachments' in r, JSON.stringify(r));
    const [chip] = r.attachments;
    assert.equal(chip!.kind, 'diff');
    assert.equal(chip!.name, 'gitrepo');
    assert.equal(chip!.language, 'diff');
    assert.equal(chip!.uri, undefined);
    const text = chip!.content;
    assert.ok(text.includes('-export const add = (a: number, b: number) => a + b;') && text.includes('+export const add = (a: number, b: number): number => a + b;'), text);
    assert.ok(text.includes('+++ b/src/notes.md') && text.includes('+review me'), 'the new file, as a new file');
    assert.ok(!text.includes('hunter2') && !text.includes('.env'), 'a file hearth.context.exclude matches is never sent');
    assert.match(text, /^# 1 changed file left out/);

    // Read again at send: the file changed once more after the chip was added.
    await write('src/calc.ts', 'export const add = (a: number, b: number): number => b + a;\n');
    await double.reset();
    await vscode.commands.executeCommand('hearth.openChat');
    await api.whenChatViewResolved();
    await waitUntil(() => t.viewReady(), 'the view');
    await t.simulateWebviewMessage({ type: 'send', content: 'Review my changes', attachments: r.attachments });
    const req = await double.waitForRequest({ path: '/api/chat' });
    const sent = req.body.messages.at(-1).content as string;
    assert.ok(sent.startsWith('Uncommitted changes in `gitrepo` (diff)\n```diff\n'), sent.slice(0, 200));
    assert.ok(sent.includes('+export const add = (a: number, b: number): number => b + a;'), 'the diff as it is at send time');
    assert.ok(sent.endsWith('Review my changes'));
    await t.idle();
  });
});
