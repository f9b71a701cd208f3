/** `@problems`: the diagnostics of the current file or of the whole workspace, sent as they are at send time. */
import * as vscode from 'vscode';
import type { ContextSource, SourceRow } from '../../../core/contextSource';
import type { ContextResult } from '../../../core/platform';
import { attachmentKind } from '../../../shared/attachmentKinds';
import { baseName } from '../../../shared/contextRules';
import type { Attachment } from '../../../shared/session';
import { problemInfo } from '../diagnostics';
import { displayPath, isFileLike } from '../fileReader';
import { countLabel, formatProblems, type ProblemInfo } from '../problems';
import type { SourceDeps } from './deps';
import { parseUri } from './file';

/** The name of the whole-workspace problems attachment (it has no file). */
export const WORKSPACE_PROBLEMS = 'workspace';

/** A file's problems, or (no uri) the workspace's. */
type Offer = { uri?: vscode.Uri };

export class ProblemsSource implements ContextSource<Offer> {
  readonly kind = 'problems';

  constructor(private readonly deps: SourceDeps) {}

  async search(query: string): Promise<SourceRow<Offer>[]> {
    if (!attachmentKind(this.kind).mention!.startsWith(query.toLowerCase())) return [];
    const rows: SourceRow<Offer>[] = [];
    const doc = vscode.window.activeTextEditor?.document;
    if (doc && isFileLike(doc.uri) && !this.deps.isExcluded(doc.uri)) {
      const n = this.problemsOf(doc.uri);
      rows.push({ offer: { uri: doc.uri }, candidate: { kind: this.kind, label: 'Problems in the current file', description: `${baseName(doc.uri.path)} · ${countLabel(n)}` } });
    }
    const all = this.workspaceProblems();
    const files = new Set(all.map((p) => p.path)).size;
    rows.push({ offer: {}, candidate: { kind: this.kind, label: 'Problems in the workspace', description: `${countLabel(all)}${files ? ` in ${files} file${files === 1 ? '' : 's'}` : ''}` } });
    return rows;
  }

  async resolve(o: Offer): Promise<ContextResult> {
    if (!o.uri) return { attachments: [this.workspaceAttachment()] };
    const list = this.problemsOf(o.uri);
    const name = baseName(o.uri.path);
    if (list.length === 0) return { error: `There are no problems in ${name} right now.` };
    return { attachments: [{ kind: this.kind, name, path: displayPath(o.uri), uri: o.uri.toString(), content: formatProblems(list) }] };
  }

  /** Problems are sent as they are at send time. */
  async reread(a: Attachment): Promise<Attachment> {
    if (!a.uri) return a.name === WORKSPACE_PROBLEMS ? { ...this.workspaceAttachment(), ...(a.path ? { path: a.path } : {}) } : a;
    const uri = parseUri(a.uri);
    if (!uri || !isFileLike(uri)) return a;
    // A problems chip made by "Ask Hearth to fix" names one problem: it stays as made.
    if (a.range) return a;
    const list = this.problemsOf(uri);
    return { ...a, content: list.length ? formatProblems(list) : 'No problems reported now.' };
  }

  private problemsOf(uri: vscode.Uri): ProblemInfo[] {
    return vscode.languages.getDiagnostics(uri).map((d) => problemInfo(uri, d));
  }

  private workspaceProblems(): ProblemInfo[] {
    return vscode.languages
      .getDiagnostics()
      .filter(([uri]) => isFileLike(uri) && !this.deps.isExcluded(uri))
      .flatMap(([uri, ds]) => ds.map((d) => problemInfo(uri, d)));
  }

  private workspaceAttachment(): Attachment {
    const all = this.workspaceProblems();
    return { kind: this.kind, name: WORKSPACE_PROBLEMS, content: all.length ? formatProblems(all) : 'No problems reported.' };
  }
}
