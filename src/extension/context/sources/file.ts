/**
 * Workspace files: the `@` picker's fuzzy list (open files first for a bare
 * `@`), adding one, and reading a chip again at send time when the user chose
 * that file or the picker could have offered it; any other chip goes as it came.
 */
import * as vscode from 'vscode';
import type { ContextSource, SourceRow } from '../../../core/contextSource';
import type { ContextResult } from '../../../core/platform';
import type { Attachment } from '../../../shared/session';
import { fileAttachment, linesOf } from '../fileReader';
import { rankPaths } from '../fuzzy';
import type { SourceDeps } from './deps';

const MAX_RESULTS = 50;

export class FileSource implements ContextSource<vscode.Uri> {
  readonly kind = 'file';

  constructor(private readonly deps: SourceDeps) {}

  async search(query: string): Promise<SourceRow<vscode.Uri>[]> {
    const files = await this.deps.files();
    const ranked = query ? rankPaths(query, files, MAX_RESULTS) : recentFirst(files).slice(0, MAX_RESULTS);
    return ranked.map((f) => {
      const slash = f.path.lastIndexOf('/');
      return { offer: f.uri, candidate: { kind: this.kind, label: f.path.slice(slash + 1), ...(slash > 0 ? { description: f.path.slice(0, slash) } : {}) } };
    });
  }

  async resolve(uri: vscode.Uri): Promise<ContextResult> {
    const refused = await this.deps.realPathRefused(uri);
    if (refused) return { error: refused };
    const r = await fileAttachment(uri, this.deps.settings().maxFileKB);
    if ('error' in r) return r;
    this.deps.markChosen(uri);
    return { attachments: [r.attachment] };
  }

  async reread(a: Attachment): Promise<Attachment | { error: string }> {
    const uri = a.uri ? parseUri(a.uri) : undefined;
    if (!uri || !(await this.deps.mayReread(uri))) return a;
    const refused = await this.deps.realPathRefused(uri);
    if (refused) return { error: `${refused} Remove its chip (✕) and send again.` };
    const r = await this.deps.readText(uri, this.deps.settings().maxFileKB);
    if (!r.ok) return { error: `${r.message} Remove its chip (✕) and send again.` };
    const { truncated: _cut, ...rest } = a;
    return { ...rest, content: a.range ? linesOf(r.text, a.range) : r.text };
  }
}

function recentFirst(files: readonly { uri: vscode.Uri; path: string }[]) {
  const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
  return [...files].sort((a, b) => Number(open.has(b.uri.toString())) - Number(open.has(a.uri.toString())));
}

export function parseUri(s: string): vscode.Uri | undefined {
  try {
    return vscode.Uri.parse(s, true);
  } catch {
    return undefined;
  }
}
