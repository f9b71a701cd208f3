/** `@diff` against a fake of VS Code's Git extension API: what it offers, what it reads, what it leaves out, and how it says "no Git". */
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { questionTargets } from '../../../src/core/apply/target';
import { attachmentHeading, cutDescription } from '../../../src/shared/attachments';
import { checkText, type TextResult } from '../../../src/shared/contextRules';
import type { Attachment } from '../../../src/shared/session';
import type { SourceDeps } from '../../../src/extension/context/sources/deps';
import { capText, DiffSource, GIT_EXTENSION_ID, MAX_UNTRACKED, newFileDiff, type GitApi, type GitChange, type GitExtension, type GitRepository } from '../../../src/extension/context/sources/diff';

const uri = (path: string) => ({ scheme: 'file', path, fsPath: path, toString: () => `file://${path}` }) as unknown as vscode.Uri;
const MODIFIED = 5;
const INDEX_MODIFIED = 0;
const INDEX_ADDED = 1;
const UNTRACKED = 7;
const change = (path: string, status: number): GitChange => ({ uri: uri(path), status });

class FakeRepo implements GitRepository {
  readonly rootUri: vscode.Uri;
  state: GitRepository['state'] = { HEAD: { commit: 'abc123' }, indexChanges: [], workingTreeChanges: [] };
  diffs = new Map<string, string>();
  diffCalls: string[] = [];
  statusCalls = 0;
  constructor(root: string) {
    this.rootUri = uri(root);
  }
  async status() {
    this.statusCalls++;
  }
  async diffWith(ref: string, path: string) {
    this.diffCalls.push(`${ref} ${path}`);
    return this.diffs.get(path) ?? '';
  }
}

class FakeGitApi implements GitApi {
  state: 'uninitialized' | 'initialized' = 'initialized';
  repositories: GitRepository[] = [];
  private listeners = new Set<(s: 'uninitialized' | 'initialized') => void>();
  onDidChangeState(l: (s: 'uninitialized' | 'initialized') => void) {
    this.listeners.add(l);
    return { dispose: () => void this.listeners.delete(l) };
  }
  initialize(repos: GitRepository[]) {
    this.repositories = repos;
    this.state = 'initialized';
    for (const l of this.listeners) l('initialized');
  }
  get listenerCount() {
    return this.listeners.size;
  }
}

interface Fixture {
  source: DiffSource;
  api: FakeGitApi;
  repo: FakeRepo;
  files: Map<string, string | Uint8Array>;
  deps: SourceDeps & { maxFileKB: number; enabled: boolean; extension: 'present' | 'missing' | 'throws' };
}

function fixture(): Fixture {
  const api = new FakeGitApi();
  const repo = new FakeRepo('/ws/proj');
  api.repositories = [repo];
  const files = new Map<string, string | Uint8Array>();
  const deps: Fixture['deps'] = {
    maxFileKB: 64,
    enabled: true,
    extension: 'present',
    settings: () => ({ includeCurrentFile: false, maxFileKB: deps.maxFileKB, exclude: [], codebase: { auto: false, maxSnippets: 6 } }),
    log: () => {},
    files: async () => [],
    // The picker's rule, in small: secrets and ignored folders are never offered.
    mayOffer: async (u) => !/\/\.env|\/node_modules\//.test(u.path),
    isExcluded: (u) => /\/\.env/.test(u.path),
    markChosen: () => {},
    mayReread: async () => true,
    realPathRefused: async () => undefined,
    readText: async (u, maxKB): Promise<TextResult> => {
      const body = files.get(u.path);
      if (body === undefined) return { ok: false, reason: 'unreadable', message: 'gone' };
      if (typeof body !== 'string') return { ok: false, reason: 'binary', message: 'binary' };
      return checkText(u.path, body, maxKB);
    },
    extensionExports: async (id) => {
      assert.equal(id, GIT_EXTENSION_ID);
      if (deps.extension === 'missing') return undefined;
      if (deps.extension === 'throws') throw new Error('activation failed');
      const ext: GitExtension = {
        get enabled() {
          return deps.enabled;
        },
        getAPI: () => api,
      };
      return ext;
    },
  };
  return { source: new DiffSource(deps, { search: 50, read: 2000 }), api, repo, files, deps };
}

async function attachmentOf(f: Fixture): Promise<Attachment> {
  const [row] = await f.source.search('diff');
  assert.ok(row);
  const r = await f.source.resolve(row.offer);
  assert.ok('attachments' in r, JSON.stringify(r));
  return r.attachments[0]!;
}

const fileDiff = (path: string) => `diff --git a/${path} b/${path}\n--- a/${path}\n+++ b/${path}\n@@ -1 +1 @@\n-old\n+new\n`;

describe('@diff: the uncommitted changes from the Git extension', () => {
  it('says plainly when there is no Git: extension missing or failing, turned off, no repository', async () => {
    const f = fixture();
    const said = async () => {
      const rows = await f.source.search('');
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.candidate.label, 'Uncommitted changes');
      const r = await f.source.resolve(rows[0]!.offer);
      assert.ok('error' in r);
      assert.equal(r.error, rows[0]!.candidate.description, 'the picker row and the refusal say the same');
      return r.error;
    };
    f.deps.extension = 'missing';
    assert.equal(await said(), 'The Git extension (vscode.git) is not available.');
    f.deps.extension = 'throws';
    assert.equal(await said(), 'The Git extension (vscode.git) is not available.');
    f.deps.extension = 'present';
    f.deps.enabled = false;
    assert.equal(await said(), 'Git is turned off (git.enabled).');
    f.deps.enabled = true;
    f.api.repositories = [];
    assert.equal(await said(), 'No Git repository in this workspace.');
  });

  it('is offered for "@", "@d", "@diff" and not for other words', async () => {
    const f = fixture();
    for (const q of ['', 'd', 'DI', 'diff']) assert.equal((await f.source.search(q)).length, 1, q);
    for (const q of ['diffs', 'x', 'problems']) assert.deepEqual(await f.source.search(q), [], q);
  });

  it('the picker waits only briefly for a Git extension still starting, and says so; picking it waits longer', async () => {
    const f = fixture();
    f.api.state = 'uninitialized';
    f.api.repositories = [];
    const [row] = await f.source.search('diff');
    assert.equal(row!.candidate.description, 'Git is still looking for repositories; try again in a moment.');
    assert.equal(f.api.listenerCount, 0, 'the listener is disposed after the wait');
    const picked = f.source.resolve({ root: f.repo.rootUri.toString() });
    // Once it is waiting on the state event, the Git extension finishes starting.
    while (f.api.listenerCount === 0) await new Promise((r) => setImmediate(r));
    f.repo.state = { HEAD: { commit: 'abc' }, indexChanges: [], workingTreeChanges: [change('/ws/proj/a.ts', MODIFIED)] };
    f.repo.diffs.set('/ws/proj/a.ts', fileDiff('a.ts'));
    f.api.initialize([f.repo]);
    const r = await picked;
    assert.ok('attachments' in r && r.attachments[0]!.content === fileDiff('a.ts'), JSON.stringify(r));
  });

  it('waits for the Git extension to find its repositories on first use', async () => {
    const f = fixture();
    f.api.state = 'uninitialized';
    f.api.repositories = [];
    const rows = f.source.search('diff');
    await new Promise((r) => setImmediate(r));
    assert.equal(f.api.listenerCount, 1, 'waiting on the state event');
    f.api.initialize([f.repo]);
    const [row] = await rows;
    assert.equal(row!.candidate.description, 'proj · no changes');
    assert.equal(f.api.listenerCount, 0, 'the listener is disposed');
  });

  it('one diff against HEAD per changed file (staged and not, each once), untracked text files as new files', async () => {
    const f = fixture();
    f.repo.state = {
      HEAD: { commit: 'abc' },
      indexChanges: [change('/ws/proj/src/a.ts', INDEX_MODIFIED), change('/ws/proj/src/new.ts', INDEX_ADDED)],
      workingTreeChanges: [change('/ws/proj/src/a.ts', MODIFIED), change('/ws/proj/notes.md', UNTRACKED)],
    };
    f.repo.diffs.set('/ws/proj/src/a.ts', fileDiff('src/a.ts'));
    f.repo.diffs.set('/ws/proj/src/new.ts', 'diff --git a/src/new.ts b/src/new.ts\nnew file mode 100644\n');
    f.files.set('/ws/proj/notes.md', 'todo\nmore\n');
    const [row] = await f.source.search('diff');
    assert.equal(row!.candidate.description, 'proj · 3 files changed');
    const a = await attachmentOf(f);
    assert.deepEqual(f.repo.diffCalls.sort(), ['HEAD /ws/proj/src/a.ts', 'HEAD /ws/proj/src/new.ts']);
    assert.ok(f.repo.statusCalls >= 1, 'git status runs before reading, so the state is current');
    assert.equal(a.kind, 'diff');
    assert.equal(a.name, 'proj');
    assert.equal(a.language, 'diff');
    assert.equal(a.uri, undefined, 'not a document: nothing to open, nothing to apply to');
    assert.equal(a.content.split('diff --git a/src/a.ts').length, 2, 'a.ts once');
    assert.ok(a.content.includes(newFileDiff('notes.md', 'todo\nmore\n')), a.content);
    assert.equal(attachmentHeading(a), 'Uncommitted changes in `proj` (diff)');
  });

  it('never includes a file the @ picker would not offer (secrets, ignored), and says how many were left out', async () => {
    const f = fixture();
    f.repo.state = {
      HEAD: { commit: 'abc' },
      indexChanges: [],
      workingTreeChanges: [change('/ws/proj/.env', MODIFIED), change('/ws/proj/src/a.ts', MODIFIED), change('/ws/proj/.env.local', UNTRACKED)],
    };
    f.repo.diffs.set('/ws/proj/.env', fileDiff('.env'));
    f.repo.diffs.set('/ws/proj/src/a.ts', fileDiff('src/a.ts'));
    f.files.set('/ws/proj/.env.local', 'TOKEN=secret\n');
    const a = await attachmentOf(f);
    assert.deepEqual(f.repo.diffCalls, ['HEAD /ws/proj/src/a.ts'], 'an excluded file is not even diffed');
    assert.ok(!a.content.includes('.env') && !a.content.includes('secret'), a.content);
    assert.match(a.content, /^# 2 changed files left out: not offered by @/);
  });

  it('names untracked files it does not include: binary, too large, more than the limit', async () => {
    const f = fixture();
    f.deps.maxFileKB = 4;
    const many = Array.from({ length: MAX_UNTRACKED + 2 }, (_, i) => `/ws/proj/n${String(i).padStart(2, '0')}.txt`);
    f.repo.state = { HEAD: { commit: 'abc' }, indexChanges: [], workingTreeChanges: [change('/ws/proj/logo.png', UNTRACKED), change('/ws/proj/big.log', UNTRACKED), ...many.map((p) => change(p, UNTRACKED))] };
    f.files.set('/ws/proj/logo.png', new Uint8Array([0x89, 0]));
    f.files.set('/ws/proj/big.log', 'x'.repeat(5000));
    for (const p of many) f.files.set(p, 'n\n');
    const a = await attachmentOf(f);
    const notes = a.content.split('\n').find((l) => l.startsWith('# New files not shown:'))!;
    assert.ok(notes.includes('logo.png (binary)') && notes.includes('big.log (too large)'), notes);
    assert.ok(notes.includes(`n${MAX_UNTRACKED}.txt (more than ${MAX_UNTRACKED} new files)`), notes);
    assert.equal(a.content.split('new file\n').length - 1, MAX_UNTRACKED);
    assert.equal(a.truncated, undefined);
  });

  it('a repository without a commit yet: staged and untracked files go as new files', async () => {
    const f = fixture();
    f.repo.state = { HEAD: {}, indexChanges: [change('/ws/proj/a.ts', INDEX_ADDED)], workingTreeChanges: [] };
    f.files.set('/ws/proj/a.ts', 'export {}');
    const a = await attachmentOf(f);
    assert.deepEqual(f.repo.diffCalls, [], 'no HEAD to diff with');
    assert.equal(a.content, newFileDiff('a.ts', 'export {}'));
    assert.ok(a.content.endsWith('+export {}\n\\ No newline at end of file\n'));
  });

  it('caps the diff at hearth.context.maxFileKB, cut at a line, and says so in the text, the chip and the heading', async () => {
    const f = fixture();
    f.deps.maxFileKB = 1;
    const big = `diff --git a/big.ts b/big.ts\n@@ -1,200 +1,200 @@\n${Array.from({ length: 200 }, (_, i) => `+line ${i}`).join('\n')}\n`;
    f.repo.state = { HEAD: { commit: 'abc' }, indexChanges: [], workingTreeChanges: [change('/ws/proj/big.ts', MODIFIED)] };
    f.repo.diffs.set('/ws/proj/big.ts', big);
    const a = await attachmentOf(f);
    assert.ok(a.content.length <= 1024, String(a.content.length));
    assert.ok(a.content.endsWith('# Cut here: the diff is over the 1 KB limit for attachments (hearth.context.maxFileKB).\n'));
    assert.deepEqual(a.truncated, { originalChars: big.length, originalLines: 202 });
    assert.match(cutDescription(a)!, /of 202 lines/);
    assert.deepEqual(capText('a\nb\n', 10), { content: 'a\nb\n' }, 'within the cap: untouched');
  });

  it('stops running git once the diff is over the limit, and says how many files it did not show', async () => {
    const f = fixture();
    f.deps.maxFileKB = 1;
    const paths = Array.from({ length: 50 }, (_, i) => `/ws/proj/f${i}.ts`);
    f.repo.state = { HEAD: { commit: 'abc' }, indexChanges: [], workingTreeChanges: [...paths.map((p) => change(p, MODIFIED)), change('/ws/proj/new.ts', UNTRACKED)] };
    for (const p of paths) f.repo.diffs.set(p, fileDiff(p.slice('/ws/proj/'.length)) + '+padding'.repeat(20) + '\n');
    f.files.set('/ws/proj/new.ts', 'x\n');
    const a = await attachmentOf(f);
    assert.ok(f.repo.diffCalls.length < 10, `${f.repo.diffCalls.length} git diffs for a 1 KB limit`);
    assert.match(a.content, new RegExp(`^# ${50 - f.repo.diffCalls.length} more changed files not shown: the diff is over the 1 KB limit`, 'm'));
    assert.match(a.content, /^# New files not shown: new\.ts \(over the size limit\)\.$/m);
    assert.ok(a.truncated, 'what was read is cut to the limit');
  });

  it('a rename shows the old name going and the new one arriving', async () => {
    const f = fixture();
    const INDEX_RENAMED = 3;
    f.repo.state = { HEAD: { commit: 'abc' }, indexChanges: [{ uri: uri('/ws/proj/old.ts'), renameUri: uri('/ws/proj/new.ts'), status: INDEX_RENAMED }], workingTreeChanges: [] };
    f.repo.diffs.set('/ws/proj/old.ts', 'diff --git a/old.ts b/old.ts\ndeleted file mode 100644\n');
    f.repo.diffs.set('/ws/proj/new.ts', 'diff --git a/new.ts b/new.ts\nnew file mode 100644\n');
    const a = await attachmentOf(f);
    assert.deepEqual(f.repo.diffCalls, ['HEAD /ws/proj/old.ts', 'HEAD /ws/proj/new.ts']);
    assert.equal(a.content, 'diff --git a/old.ts b/old.ts\ndeleted file mode 100644\ndiff --git a/new.ts b/new.ts\nnew file mode 100644\n');
  });

  it('nothing changed: refused with the reason; at send time it says so instead', async () => {
    const f = fixture();
    const [row] = await f.source.search('diff');
    assert.deepEqual(await f.source.resolve(row!.offer), { error: 'There are no uncommitted changes in proj.' });
    const sent = await f.source.reread({ kind: 'diff', name: 'proj', language: 'diff', content: fileDiff('a.ts') });
    assert.ok(!('error' in sent));
    assert.equal(sent.content, 'No uncommitted changes.\n');
  });

  it('is read again at send time: the changes as they are now; a chip of a repository that is gone goes as it was', async () => {
    const f = fixture();
    f.repo.state = { HEAD: { commit: 'abc' }, indexChanges: [], workingTreeChanges: [change('/ws/proj/a.ts', MODIFIED)] };
    f.repo.diffs.set('/ws/proj/a.ts', fileDiff('a.ts'));
    const a = await attachmentOf(f);
    f.repo.diffs.set('/ws/proj/a.ts', fileDiff('a.ts').replace('+new', '+newer'));
    const now = await f.source.reread(a);
    assert.ok(!('error' in now) && now.content.includes('+newer'));
    const other: Attachment = { ...a, name: 'elsewhere' };
    assert.equal(await f.source.reread(other), other);
    f.deps.enabled = false;
    assert.equal(await f.source.reread(a), a, 'Git turned off since: sent as added');
  });

  it('is never an Apply target, even if it named a document; a file with the same fields is', () => {
    const d: Attachment = { kind: 'diff', name: 'proj', uri: 'file:///ws/proj/a.ts', range: { startLine: 1, endLine: 2 }, content: fileDiff('a.ts') };
    assert.deepEqual(questionTargets([d]), []);
    assert.equal(questionTargets([{ ...d, kind: 'file' }]).length, 1);
  });
});
