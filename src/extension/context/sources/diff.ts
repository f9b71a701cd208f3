/**
 * `@diff`: the workspace's uncommitted changes as one unified diff per Git
 * repository, from VS Code's built-in Git extension (no git binary of ours, so
 * it works wherever that extension does: remote, WSL, containers).
 *
 * Tracked files: `git diff HEAD -- <file>` for each changed file (staged and
 * not), so each file appears once, as it is now against the last commit.
 * Untracked files: small text ones are included as new files (the user is
 * likely asking about the file they just wrote), at most MAX_UNTRACKED; the
 * rest are named. Every file, tracked or not, must be one the `@` picker would
 * offer (hearth.context.exclude with its secret patterns, files.exclude,
 * .gitignore, the real-path rule for links): the others are left out, and the
 * diff says how many. The whole
 * is capped at hearth.context.maxFileKB, cut at a line with the cut said.
 * Not an Apply target (its descriptor says so). Read again at send time.
 *
 * Only `import type` from vscode: the source runs in unit tests with a fake Git API.
 */
import type * as vscode from 'vscode';
import type { ContextSource, SourceRow } from '../../../core/contextSource';
import type { ContextResult } from '../../../core/platform';
import { attachmentKind } from '../../../shared/attachmentKinds';
import { lineCount } from '../../../shared/attachments';
import { baseName } from '../../../shared/contextRules';
import type { Attachment } from '../../../shared/session';
import type { SourceDeps } from './deps';

// --- the slice of the Git extension's API (extensions/git/src/api/git.d.ts, version 1) used here ---

/** Status values of a change, as the Git extension numbers them. */
const UNTRACKED = 7;
const INTENT_TO_ADD = 9;

export interface GitChange {
  readonly uri: vscode.Uri;
  /** Set for renames: the new name. */
  readonly renameUri?: vscode.Uri;
  readonly status: number;
}

export interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly state: {
    readonly HEAD?: { readonly commit?: string };
    readonly indexChanges: readonly GitChange[];
    readonly workingTreeChanges: readonly GitChange[];
    /** Present when git.untrackedChanges is "separate". */
    readonly untrackedChanges?: readonly GitChange[];
  };
  /** Runs `git status` so the state above is current. */
  status(): Promise<void>;
  /** `git diff <ref> -- <path>`. */
  diffWith(ref: string, path: string): Promise<string>;
}

export interface GitApi {
  readonly state: 'uninitialized' | 'initialized';
  onDidChangeState(listener: (state: 'uninitialized' | 'initialized') => void): { dispose(): void };
  readonly repositories: readonly GitRepository[];
}

export interface GitExtension {
  readonly enabled: boolean;
  getAPI(version: 1): GitApi;
}

export const GIT_EXTENSION_ID = 'vscode.git';

/**
 * How long `@diff` waits for the Git extension to find the repositories: briefly
 * while the picker is open (every `@` row waits for the slowest source), longer
 * once the row was picked or a chip is being sent.
 */
export const GIT_WAIT_MS = { search: 300, read: 5000 };
/** Untracked files whose text is included; the rest are only named. */
export const MAX_UNTRACKED = 20;
const MAX_NAMED = 20;

/** A repository, or why there is none (said on the picker's row and refused with it). */
type Offer = { root: string } | { unavailable: string };

export type GitAccess = { api: GitApi } | { unavailable: string };

export class DiffSource implements ContextSource<Offer> {
  readonly kind = 'diff';

  constructor(
    private readonly deps: SourceDeps,
    private readonly waits = GIT_WAIT_MS,
  ) {}

  async search(query: string): Promise<SourceRow<Offer>[]> {
    if (!attachmentKind(this.kind).mention!.startsWith(query.toLowerCase())) return [];
    const git = await this.git(this.waits.search);
    const label = 'Uncommitted changes';
    if ('unavailable' in git) return [{ offer: git, candidate: { kind: this.kind, label, description: git.unavailable } }];
    return git.api.repositories.map((repo) => {
      const n = changedPaths(repo).size;
      const name = repoName(repo);
      return { offer: { root: repo.rootUri.toString() }, candidate: { kind: this.kind, label, description: `${name} · ${n === 0 ? 'no changes' : `${n} file${n === 1 ? '' : 's'} changed`}` } };
    });
  }

  async resolve(o: Offer): Promise<ContextResult> {
    if ('unavailable' in o) return { error: o.unavailable };
    const repo = await this.repository((r) => r.rootUri.toString() === o.root);
    if ('unavailable' in repo) return { error: repo.unavailable };
    const a = await this.read(repo);
    if (!a.changed) return { error: `There are no uncommitted changes in ${a.attachment.name}.` };
    return { attachments: [a.attachment] };
  }

  async reread(a: Attachment): Promise<Attachment> {
    // The chip names its repository by folder name; if that repository is gone, the chip goes as it was added.
    const repo = await this.repository((r) => repoName(r) === a.name);
    if ('unavailable' in repo) return a;
    return (await this.read(repo)).attachment;
  }

  /** The Git extension's API once it has looked for repositories, or a sentence saying why there is none. */
  async git(waitMs = this.waits.read): Promise<GitAccess> {
    let ext: GitExtension | undefined;
    try {
      ext = (await this.deps.extensionExports(GIT_EXTENSION_ID)) as GitExtension | undefined;
    } catch {
      ext = undefined;
    }
    if (!ext || typeof ext.getAPI !== 'function') return { unavailable: 'The Git extension (vscode.git) is not available.' };
    if (!ext.enabled) return { unavailable: 'Git is turned off (git.enabled).' };
    let api: GitApi;
    try {
      api = ext.getAPI(1);
    } catch (e) {
      return { unavailable: `Git is not available: ${e instanceof Error ? e.message : String(e)}.` };
    }
    if (api.state !== 'initialized') await initialized(api, waitMs);
    if (api.repositories.length === 0) return { unavailable: api.state === 'initialized' ? 'No Git repository in this workspace.' : 'Git is still looking for repositories; try again in a moment.' };
    return { api };
  }

  private async repository(pick: (r: GitRepository) => boolean): Promise<GitRepository | { unavailable: string }> {
    const git = await this.git();
    if ('unavailable' in git) return git;
    return git.api.repositories.find(pick) ?? { unavailable: 'That Git repository is no longer open.' };
  }

  /** The repository's uncommitted changes as one attachment. */
  private async read(repo: GitRepository): Promise<{ attachment: Attachment; changed: boolean }> {
    await repo.status().catch((e: unknown) => this.deps.log(`@diff: git status failed: ${e instanceof Error ? e.message : String(e)}`));
    const name = repoName(repo);
    const hasHead = !!repo.state.HEAD?.commit;
    const maxKB = this.deps.settings().maxFileKB;
    const limit = maxKB * 1024;
    const parts: string[] = [];
    let size = 0;
    let leftOut = 0;
    /** Files not diffed because the diff was already over the limit: one git process per file is not spent on text that would be cut. */
    let overLimit = 0;
    const untracked: { uri: vscode.Uri; path: string }[] = [];
    for (const [path, change] of changedPaths(repo)) {
      const uri = change.renameUri ?? change.uri;
      if (!(await this.deps.mayOffer(uri).catch(() => false))) {
        leftOut++;
        continue;
      }
      // Without a commit there is nothing to compare with: every file is new, and goes as an untracked one does.
      if (change.status === UNTRACKED || change.status === INTENT_TO_ADD || !hasHead) {
        untracked.push({ uri, path });
        continue;
      }
      if (size > limit) {
        overLimit++;
        continue;
      }
      // A rename is the old name's removal and the new name's arrival: `git diff HEAD` shows each under its own path.
      const paths = change.renameUri && (await this.deps.mayOffer(change.uri).catch(() => false)) ? [change.uri, uri] : [uri];
      for (const p of paths) {
        let chunk: string;
        try {
          const text = await repo.diffWith('HEAD', p.fsPath);
          chunk = !text.trim() ? '' : text.endsWith('\n') ? text : text + '\n';
        } catch (e) {
          chunk = `# ${path}: git diff failed (${e instanceof Error ? e.message.split('\n')[0] : String(e)})\n`;
        }
        if (chunk) parts.push(chunk);
        size += chunk.length;
      }
    }
    const notShown: string[] = [];
    let included = 0;
    for (const f of untracked) {
      if (included >= MAX_UNTRACKED || size > limit) {
        notShown.push(`${f.path} (${size > limit ? 'over the size limit' : `more than ${MAX_UNTRACKED} new files`})`);
        continue;
      }
      const r = await this.deps.readText(f.uri, maxKB);
      if (!r.ok) {
        notShown.push(`${f.path} (${r.reason === 'binary' ? 'binary' : r.reason === 'tooLarge' ? 'too large' : 'unreadable'})`);
        continue;
      }
      const chunk = newFileDiff(f.path, r.text);
      parts.push(chunk);
      size += chunk.length;
      included++;
    }
    const notes: string[] = [];
    if (leftOut) notes.push(`# ${leftOut} changed file${leftOut === 1 ? '' : 's'} left out: not offered by @ (hearth.context.exclude, files.exclude or .gitignore).`);
    if (overLimit) notes.push(`# ${overLimit} more changed file${overLimit === 1 ? '' : 's'} not shown: the diff is over the ${maxKB} KB limit (hearth.context.maxFileKB).`);
    if (notShown.length) notes.push(`# New files not shown: ${notShown.slice(0, MAX_NAMED).join(', ')}${notShown.length > MAX_NAMED ? ` and ${notShown.length - MAX_NAMED} more` : ''}.`);
    const changed = parts.length > 0 || notes.length > 0;
    const body = parts.length ? parts.join('') : 'No uncommitted changes.\n';
    const whole = (notes.length ? notes.join('\n') + '\n' : '') + body;
    const cutNote = `# Cut here: the diff is over the ${maxKB} KB limit for attachments (hearth.context.maxFileKB).\n`;
    return { attachment: { kind: this.kind, name, language: 'diff', ...capText(whole, limit, cutNote) }, changed };
  }
}

/** Changed files by repository-relative path: staged, not staged and untracked, each once. */
export function changedPaths(repo: GitRepository): Map<string, GitChange> {
  const out = new Map<string, GitChange>();
  const root = repo.rootUri.path.replace(/\/+$/, '');
  for (const c of [...repo.state.indexChanges, ...repo.state.workingTreeChanges, ...(repo.state.untrackedChanges ?? [])]) {
    const p = (c.renameUri ?? c.uri).path;
    const rel = p.startsWith(root + '/') ? p.slice(root.length + 1) : p;
    // A file staged and changed again: its working tree change says more (`git diff HEAD` shows both).
    if (!out.has(rel) || c.status !== UNTRACKED) out.set(rel, c);
  }
  return out;
}

function repoName(repo: GitRepository): string {
  return baseName(repo.rootUri.path.replace(/\/+$/, '')) || 'repository';
}

/** A new file as `git diff` shows one. */
export function newFileDiff(path: string, text: string): string {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const head = `diff --git a/${path} b/${path}\nnew file\n--- /dev/null\n+++ b/${path}\n`;
  if (lines.length === 0) return head;
  const noEol = text.endsWith('\n') ? '' : '\\ No newline at end of file\n';
  return `${head}@@ -0,0 +1${lines.length === 1 ? '' : `,${lines.length}`} @@\n${lines.map((l) => `+${l}`).join('\n')}\n${noEol}`;
}

/**
 * The text within `maxChars`, cut at a line and marked as cut (the chip and the
 * model's heading say so); `note` ends a cut text, inside the limit, so the
 * model reads where and why it stops.
 */
export function capText(text: string, maxChars: number, note = ''): Pick<Attachment, 'content' | 'truncated'> {
  if (text.length <= maxChars) return { content: text };
  const room = Math.max(0, maxChars - note.length);
  const cut = text.lastIndexOf('\n', room - 1);
  const content = (cut > 0 ? text.slice(0, cut + 1) : text.slice(0, room)) + note;
  return { content, truncated: { originalChars: text.length, originalLines: lineCount(text) } };
}

/** Resolves once the API reports `initialized`, or after `ms`. */
function initialized(api: GitApi, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const sub = api.onDidChangeState((s) => {
      if (s === 'initialized') done();
    });
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      sub.dispose();
      resolve();
    }
    if (api.state === 'initialized') done();
  });
}
