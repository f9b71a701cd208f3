/** `@selection`: the editor's selection, as Ask About Selection sends it; it goes as captured (its descriptor says so). */
import * as vscode from 'vscode';
import type { ContextSource, SourceRow } from '../../../core/contextSource';
import type { ContextResult } from '../../../core/platform';
import { attachmentKind } from '../../../shared/attachmentKinds';
import { baseName } from '../../../shared/contextRules';
import type { Attachment } from '../../../shared/session';
import { selectionAttachment } from '../../commands/selectionPrompt';
import { selectionLines } from '../diagnostics';
import { displayPath, isFileLike } from '../fileReader';
import type { SourceDeps } from './deps';

type Offer = { uri: vscode.Uri; selection: vscode.Range };

export class SelectionSource implements ContextSource<Offer> {
  readonly kind = 'selection';

  constructor(private readonly deps: SourceDeps) {}

  async search(query: string): Promise<SourceRow<Offer>[]> {
    const editor = vscode.window.activeTextEditor;
    if (!attachmentKind(this.kind).mention!.startsWith(query.toLowerCase())) return [];
    if (!editor || !isFileLike(editor.document.uri) || editor.selection.isEmpty || this.deps.isExcluded(editor.document.uri)) return [];
    const range = selectionLines(editor.selection);
    return [
      {
        offer: { uri: editor.document.uri, selection: new vscode.Range(editor.selection.start, editor.selection.end) },
        candidate: { kind: this.kind, label: 'Selection', description: `${baseName(editor.document.uri.path)}:${range.startLine}-${range.endLine}` },
      },
    ];
  }

  async resolve(o: Offer): Promise<ContextResult> {
    const refused = await this.deps.realPathRefused(o.uri);
    if (refused) return { error: refused };
    const doc = await vscode.workspace.openTextDocument(o.uri);
    this.deps.markChosen(o.uri);
    const lines = selectionLines(o.selection);
    return { attachments: [selectionAttachment({ text: doc.getText(o.selection), path: displayPath(doc.uri), uri: doc.uri.toString(), languageId: doc.languageId, ...lines, maxChars: Number.POSITIVE_INFINITY }).attachment] };
  }

  /** Never asked (reread: asCaptured): what the user selected then is what goes, even if its lines moved since. */
  async reread(a: Attachment): Promise<Attachment> {
    return a;
  }
}
