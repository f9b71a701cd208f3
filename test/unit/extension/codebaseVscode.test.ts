/**
 * The codebase index's VS Code side without VS Code: the FileSource over a fake
 * vscode.workspace.fs (types, links, the real-path rule, storage), a real
 * CodebaseIndex over it, and `@codebase` turning a question into snippet chips.
 */
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { CodebaseIndex } from '../../../src/shared/codebase/codebaseIndex';
import { DEFAULT_CONTEXT_EXCLUDE } from '../../../src/shared/contextRules';
import { realRelative } from '../../../src/shared/realPathRule';
import { attachmentHeading, userContentForModel } from '../../../src/shared/attachments';
import type { Attachment } from '../../../src/shared/session';
import { VsCodeFileSource, WorkspaceFsStorage, type WorkspaceFs } from '../../../src/extension/codebase/vscodeFileSource';
import type { CodebaseHit, CodebaseService } from '../../../src/extension/codebase/codebaseService';
import type { CodebaseStatus } from '../../../src/extension/codebase/status';
import { CodebaseSource, searchSummary } from '../../../src/extension/context/sources/codebase';
import type { SourceDeps } from '../../../src/extension/context/sources/deps';

const FILE = 1;
const DIR = 2;
const LINK = 64;

type Node = { type: 'file'; text: string; mtime?: number } | { type: 'dir' } | { type: 'link'; to: string };

const uri = (path: string) => ({ scheme: 'file', path, fsPath: path, toString: () => `file://${path}` }) as unknown as vscode.Uri;

/** A tiny file system keyed by absolute path; links resolve by following `to`. */
class FakeFs implements WorkspaceFs {
  nodes = new Map<string, Node>();
  reads: string[] = [];
  written = new Map<string, Uint8Array>();
  constructor(files: Record<string, Node>) {
    for (const [p, n] of Object.entries(files)) this.nodes.set(p, n);
  }
  resolve(p: string, depth = 0): string {
    if (depth > 20) throw Object.assign(new Error('ELOOP'), { code: 'ELOOP' });
    const parts = p.split('/').filter(Boolean);
    let cur = '';
    for (const part of parts) {
      cur = `${cur}/${part}`;
      const n = this.nodes.get(cur);
      if (n?.type === 'link') cur = this.resolve(n.to, depth + 1);
    }
    return cur || '/';
  }
  private node(u: vscode.Uri): Node {
    const n = this.nodes.get(this.resolve(u.path));
    if (!n) throw Object.assign(new Error(`ENOENT ${u.path}`), { code: 'FileNotFound' });
    return n;
  }
  async readDirectory(u: vscode.Uri): Promise<[string, vscode.FileType][]> {
    const base = this.resolve(u.path);
    const out: [string, vscode.FileType][] = [];
    for (const [p, n] of this.nodes) {
      if (p.startsWith(base + '/') && !p.slice(base.length + 1).includes('/')) {
        let t = n.type === 'dir' ? DIR : n.type === 'file' ? FILE : LINK;
        if (n.type === 'link') {
          const target = this.nodes.get(this.resolve(n.to));
          t |= target?.type === 'dir' ? DIR : target?.type === 'file' ? FILE : 0;
        }
        out.push([p.slice(base.length + 1), t as vscode.FileType]);
      }
    }
    return out;
  }
  async stat(u: vscode.Uri): Promise<vscode.FileStat> {
    const own = this.nodes.get(u.path);
    const n = this.node(u);
    const t = (n.type === 'dir' ? DIR : FILE) | (own?.type === 'link' ? LINK : 0);
    return { type: t as vscode.FileType, size: n.type === 'file' ? n.text.length : 0, mtime: n.type === 'file' ? (n.mtime ?? 1) : 1, ctime: 1 };
  }
  async readFile(u: vscode.Uri): Promise<Uint8Array> {
    const fromWrites = this.written.get(u.path);
    if (fromWrites !== undefined) return fromWrites;
    const n = this.node(u);
    if (n.type !== 'file') throw new Error('EISDIR');
    this.reads.push(u.path);
    return new TextEncoder().encode(n.text);
  }
  async writeFile(u: vscode.Uri, data: Uint8Array): Promise<void> {
    this.written.set(u.path, data.slice());
  }
  async createDirectory(): Promise<void> {}
}

const ROOT = '/ws';

/** The extension's folderRealPath over the fake: resolve both, then the shared rule; `resolve` undefined is a link it cannot follow. */
function ruleOver(resolve: (abs: string) => string | undefined, root = ROOT): (rel: string) => Promise<string | null> {
  return async (rel) => realRelative(resolve(rel ? `${root}/${rel}` : root), resolve(root));
}

function sourceOver(fs: FakeFs, realPath = ruleOver((p) => fs.resolve(p))): VsCodeFileSource {
  return new VsCodeFileSource({ fs, uriOf: (rel) => uri(rel ? `${ROOT}/${rel}` : ROOT), realPath });
}

const WORKSPACE: Record<string, Node> = {
  '/ws': { type: 'dir' },
  '/ws/src': { type: 'dir' },
  '/ws/src/retry.ts': { type: 'file', text: 'export function retryWithBackoff(attempts: number) {\n  // waits longer after each failed request\n  return attempts * 2;\n}\n' },
  '/ws/src/render.ts': { type: 'file', text: 'export function renderPage(title: string) {\n  return `<h1>${title}</h1>`;\n}\n' },
  '/ws/.env': { type: 'file', text: 'RETRY_BACKOFF_SECRET=hunter2\nretryWithBackoff=1\n' },
  '/ws/logo.png': { type: 'file', text: '\u0000PNG' },
  '/ws/outside-link.ts': { type: 'link', to: '/etc/retry.ts' },
  '/ws/inside-link.ts': { type: 'link', to: '/ws/src/retry.ts' },
  '/etc': { type: 'dir' },
  '/etc/retry.ts': { type: 'file', text: 'export function retryWithBackoff() { /* outside the workspace */ }\n' },
};

describe('codebase index in VS Code: the file source', () => {
  it('maps vscode.FileType flags: a link is a symlink in a listing, and stat follows it', async () => {
    const fs = new FakeFs(WORKSPACE);
    const src = sourceOver(fs);
    const entries = new Map((await src.readDir('')).map((e) => [e.name, e.type]));
    assert.equal(entries.get('src'), 'dir');
    assert.equal(entries.get('.env'), 'file');
    assert.equal(entries.get('inside-link.ts'), 'symlink');
    const st = await src.stat('inside-link.ts');
    assert.equal(st.type, 'file');
    assert.equal(st.size, WORKSPACE['/ws/src/retry.ts']!.type === 'file' ? (WORKSPACE['/ws/src/retry.ts'] as { text: string }).text.length : -1);
    assert.equal(new TextDecoder().decode(await src.read('src/render.ts')).startsWith('export function renderPage'), true);
    await assert.rejects(src.read('missing.ts'));
  });

  it('the real-path rule: a link is resolved and must stay inside; without a resolver (virtual file systems) a link counts as outside', async () => {
    const fs = new FakeFs(WORKSPACE);
    const src = sourceOver(fs);
    assert.equal(await src.realPath('src/retry.ts'), 'src/retry.ts');
    assert.equal(await src.realPath('inside-link.ts'), 'src/retry.ts');
    assert.equal(await src.realPath('outside-link.ts'), null);
    // Virtual file systems: a link cannot be resolved (realPathOf gives undefined), so it is outside.
    const virtual = sourceOver(fs, ruleOver((p) => (WORKSPACE[p]?.type === 'link' ? undefined : p)));
    assert.equal(await virtual.realPath('src/retry.ts'), 'src/retry.ts');
    assert.equal(await virtual.realPath('inside-link.ts'), null);
    // A sibling whose name starts like the root is outside, not inside.
    assert.equal(await ruleOver((p) => (p === '/ws/x' ? '/ws-other/x' : p))('x'), null);
    assert.equal(await ruleOver((p) => p)(''), '');
  });

  it('a CodebaseIndex over it finds the file that answers, never the secret file, never through a link that leaves the workspace; storage round-trips', async () => {
    const fs = new FakeFs(WORKSPACE);
    const storage = new WorkspaceFsStorage(fs, uri('/store'), uri('/store/index.json'));
    assert.equal(await storage.read(), undefined);
    const index = new CodebaseIndex({ source: sourceOver(fs), storage, exclude: [...DEFAULT_CONTEXT_EXCLUDE], saveDelayMs: 0 });
    await index.start();
    const hits = await index.search('where is the retry backoff done?');
    assert.equal(hits[0]?.path, 'src/retry.ts');
    assert.ok(hits.every((h) => h.path !== '.env' && h.path !== 'outside-link.ts'), JSON.stringify(hits.map((h) => h.path)));
    assert.ok(!fs.reads.includes('/ws/.env'), 'the secret file is never even read');
    await index.flush();
    assert.equal(new TextDecoder().decode((await storage.readBytes())?.subarray(0, 4)), 'HCIX', 'the binary store (storedIndex.ts)');
    index.dispose();
    // A restart over the same storage answers from it: no file is read again.
    fs.reads = [];
    const again = new CodebaseIndex({ source: sourceOver(fs), storage, exclude: [...DEFAULT_CONTEXT_EXCLUDE] });
    await again.start();
    assert.deepEqual(fs.reads, [], 'nothing read to get ready');
    const againHits = await again.search('where is the retry backoff done?');
    assert.equal(againHits[0]?.path, 'src/retry.ts');
    assert.deepEqual(fs.reads.sort(), [...new Set(againHits.map((h) => `/ws/${h.path}`))].sort(), 'only the files of the results, to show their text');
    again.dispose();
  });

  it('a saved change notified to the index is searchable', async () => {
    const fs = new FakeFs(WORKSPACE);
    const index = new CodebaseIndex({ source: sourceOver(fs), exclude: [...DEFAULT_CONTEXT_EXCLUDE], debounceMs: 10 });
    await index.start();
    assert.equal((await index.search('parseInvoiceTotals')).length, 0);
    fs.nodes.set('/ws/src/invoice.ts', { type: 'file', text: 'export function parseInvoiceTotals(lines: string[]) {\n  return lines.length;\n}\n', mtime: 2 });
    index.notify(['src/invoice.ts']);
    await index.settled();
    assert.equal((await index.search('parseInvoiceTotals'))[0]?.path, 'src/invoice.ts');
    index.dispose();
  });
});

// --- @codebase ---

class FakeCodebase {
  searches: string[] = [];
  statusNow: CodebaseStatus = { state: 'ready', files: 3, indexedFiles: 3, messages: [] };
  hits: CodebaseHit[] = [];
  start() {}
  status() {
    return this.statusNow;
  }
  async search(q: string, limit: number) {
    this.searches.push(`${q}|${limit}`);
    return this.hits.slice(0, limit);
  }
}

function deps(codebase: FakeCodebase | undefined, auto = false, maxSnippets = 6): SourceDeps {
  return {
    settings: () => ({ includeCurrentFile: false, maxFileKB: 256, exclude: [], codebase: { auto, maxSnippets } }),
    log: () => {},
    files: async () => [],
    mayOffer: async () => true,
    isExcluded: () => false,
    markChosen: () => {},
    mayReread: async () => true,
    realPathRefused: async () => undefined,
    readText: async () => ({ ok: true, text: '' }),
    extensionExports: async () => undefined,
    ...(codebase ? { codebase: () => codebase as unknown as CodebaseService } : {}),
  };
}

const hit = (path: string, start: number, end: number, text: string): CodebaseHit => ({ path, displayPath: path, uri: uri(`${ROOT}/${path}`), start_line: start, end_line: end, symbol: null, score: 1, text });

describe('@codebase: a search of the question, sent as snippet chips', () => {
  it('is offered for "@cod", saying how far indexing is; picked, it is an empty request chip', async () => {
    const cb = new FakeCodebase();
    cb.statusNow = { state: 'indexing', files: 2355, indexedFiles: 1204, messages: [] };
    const s = new CodebaseSource(deps(cb));
    const rows = await s.search('cod');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.candidate.label, '@codebase');
    assert.equal(rows[0]!.candidate.description, 'Indexing 1,204 / 2,355 files');
    assert.deepEqual(await s.search('diff'), []);
    const r = await s.resolve();
    assert.ok('attachments' in r);
    assert.deepEqual(r.attachments, [{ kind: 'codebase', name: '@codebase', content: '' }]);
    // No folder: not offered, and a stale chip says why.
    assert.deepEqual(await new CodebaseSource(deps(undefined)).search('codebase'), []);
    assert.ok('error' in (await new CodebaseSource(deps(undefined)).resolve()));
  });

  it('at send the question is searched: a line saying what was searched (still indexing said), then one chip per snippet with path, lines and a file to open', async () => {
    const cb = new FakeCodebase();
    cb.statusNow = { state: 'indexing', files: 2355, indexedFiles: 1204, messages: [] };
    cb.hits = [hit('src/retry.ts', 1, 4, 'export function retryWithBackoff() {}'), hit('docs/retry.md', 3, 9, '# Retries')];
    const s = new CodebaseSource(deps(cb, false, 5));
    const out = await s.expand({ kind: 'codebase', name: '@codebase', content: '' }, 'where are retries done?');
    assert.ok(Array.isArray(out));
    assert.deepEqual(cb.searches, ['where are retries done?|5']);
    assert.equal(out[0]!.kind, 'codebase');
    assert.equal(out[0]!.content, 'Searched 1,204 of 2,355 files (still indexing): the 2 snippets below matched the question best.');
    const snippet = out[1]!;
    assert.deepEqual(
      { kind: snippet.kind, name: snippet.name, path: snippet.path, uri: snippet.uri, range: snippet.range, language: snippet.language },
      { kind: 'snippet', name: 'retry.ts', path: 'src/retry.ts', uri: `file://${ROOT}/src/retry.ts`, range: { startLine: 1, endLine: 4 }, language: 'typescript' },
    );
    // The model reads them in the documented attachment format.
    assert.equal(attachmentHeading(snippet), 'Snippet from `src/retry.ts` (typescript, lines 1-4)');
    const text = userContentForModel({ content: 'where are retries done?', attachments: out });
    assert.match(text, /Codebase search `@codebase`\n```\nSearched 1,204 of 2,355 files/);
    assert.match(text, /Snippet from `src\/retry.ts` \(typescript, lines 1-4\)\n```typescript\nexport function retryWithBackoff\(\) \{\}\n```/);
  });

  it('a chip already searched (regenerate, or sent again after removing a snippet) is not searched again', async () => {
    const cb = new FakeCodebase();
    const s = new CodebaseSource(deps(cb));
    const done: Attachment = { kind: 'codebase', name: '@codebase', content: 'Searched 3 files: the 2 snippets below matched the question best.' };
    assert.deepEqual(await s.expand(done, 'again?'), [done]);
    assert.deepEqual(cb.searches, []);
  });

  it('hearth.codebase.auto adds the request chip to every question; an empty question or no folder is refused with a sentence', async () => {
    const cb = new FakeCodebase();
    assert.equal(new CodebaseSource(deps(cb, false)).autoChip(), undefined);
    assert.deepEqual(new CodebaseSource(deps(cb, true)).autoChip(), { kind: 'codebase', name: '@codebase', content: '' });
    assert.equal(new CodebaseSource(deps(undefined, true)).autoChip(), undefined);
    const empty = await new CodebaseSource(deps(cb)).expand({ kind: 'codebase', name: '@codebase', content: '' }, '  ');
    assert.ok('error' in empty && /question/.test(empty.error));
  });

  it('the summary says when nothing matched, and passes on the cap message', () => {
    assert.equal(searchSummary({ state: 'ready', files: 1, indexedFiles: 1, messages: [] }, 0), 'Searched 1 file: nothing matched the question.');
    assert.equal(searchSummary({ state: 'ready', files: 50000, indexedFiles: 50000, messages: ['Only the first 50,000 files are indexed.'] }, 1), 'Searched 50,000 files: the snippet below matched the question best.\nOnly the first 50,000 files are indexed.');
  });
});
