/**
 * "Ask Hearth to fix": a quick fix (lightbulb, Ctrl+.) on every diagnostic. It
 * asks the chat about the problem with two attachments: the diagnostic as the
 * compiler would print it, and the code around it (ten lines either side), both
 * with the file's path. The question goes the way a typed one does (read again,
 * fitted, never cut silently).
 */
import * as vscode from 'vscode';
import { baseName } from '../../shared/contextRules';
import type { Attachment } from '../../shared/session';
import { displayPath, FILE_SCHEMES, isFileLike } from '../context/fileReader';
import { fixQuestion, linesAround, problemLine } from '../context/problems';
import { problemInfo } from '../context/diagnostics';
import type { VsCodeWorkspaceContext } from '../context/workspaceContext';
import { selectionAttachment } from './selectionPrompt';

export const ASK_TO_FIX = 'hearth.askToFix';
/** Lines of code sent above and below the problem. */
export const FIX_CONTEXT_LINES = 10;

export class AskToFixProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };
  /** The documents it is offered on: files a user works on (the schemes isFileLike knows). */
  static readonly selector: vscode.DocumentFilter[] = FILE_SCHEMES.map((scheme) => ({ scheme }));

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range | vscode.Selection, ctx: vscode.CodeActionContext): vscode.CodeAction[] {
    if (!isFileLike(doc.uri)) return [];
    const diagnostics = ctx.diagnostics.slice(0, 3);
    return diagnostics.map((d) => {
      const title = diagnostics.length > 1 ? `Ask Hearth to fix: ${d.message.split('\n')[0]!.slice(0, 60)}` : 'Ask Hearth to fix';
      const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [d];
      action.command = { command: ASK_TO_FIX, title, arguments: [doc.uri, d] };
      return action;
    });
  }
}

/** The question and its two attachments for one diagnostic. Exported for the tests. */
export function fixRequest(doc: vscode.TextDocument, d: vscode.Diagnostic): { question: string; attachments: Attachment[] } {
  const info = problemInfo(doc.uri, d);
  const name = baseName(doc.uri.path) || 'file';
  const path = displayPath(doc.uri);
  const uri = doc.uri.toString();
  const around = linesAround(info.line, info.endLine, doc.lineCount, FIX_CONTEXT_LINES);
  const last = doc.lineAt(Math.max(0, around.endLine - 1));
  const code = doc.getText(new vscode.Range(around.startLine - 1, 0, last.lineNumber, last.text.length));
  const problem: Attachment = { kind: 'problems', name, path, uri, range: { startLine: info.line, endLine: info.endLine }, content: problemLine(info) };
  const { attachment } = selectionAttachment({ text: code, path, uri, languageId: doc.languageId, ...around, maxChars: Number.POSITIVE_INFINITY });
  return { question: fixQuestion(info), attachments: [problem, attachment] };
}

export interface AskToFixDeps {
  context: () => Promise<VsCodeWorkspaceContext>;
  reveal: () => Promise<void>;
  /** Asks as the page would (re-read, fit checked). */
  ask: (question: string, attachments: Attachment[]) => Promise<void>;
}

/** From the quick fix: (uri, diagnostic). From the palette: the problem at the cursor of the active editor. */
export async function askToFix(deps: AskToFixDeps, arg?: unknown, diag?: unknown): Promise<boolean> {
  let uri = arg instanceof vscode.Uri ? arg : undefined;
  let diagnostic = diag instanceof vscode.Diagnostic ? diag : undefined;
  if (!uri || !diagnostic) {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage('Hearth: open a file with a problem (a squiggle) and put the cursor on it.');
      return false;
    }
    uri = editor.document.uri;
    const at = editor.selection.active;
    const all = vscode.languages.getDiagnostics(uri);
    diagnostic = all.find((d) => d.range.contains(at)) ?? all[0];
    if (!diagnostic) {
      void vscode.window.showInformationMessage(`Hearth: there are no problems in ${baseName(uri.path)}.`);
      return false;
    }
  }
  const ctx = await deps.context();
  if (ctx.isExcluded(uri)) {
    const ok = await vscode.window.showWarningMessage(
      `${baseName(uri.path)} matches hearth.context.exclude: such files often hold secrets. Send the problem and the code around it to the model anyway?`,
      { modal: true },
      'Send Anyway',
    );
    if (ok !== 'Send Anyway') return false;
  }
  ctx.markChosen(uri);
  const doc = await vscode.workspace.openTextDocument(uri);
  const { question, attachments } = fixRequest(doc, diagnostic);
  await deps.reveal();
  await deps.ask(question, attachments);
  return true;
}
