/**
 * "Hearth: Ask About Selection": the selection (or the current line) with its
 * path, language and lines, plus a preset or typed question, asked in the chat.
 * Called with an argument ({preset} or {question}, or a preset id) it skips the
 * pick, for keybindings and tests.
 */
import * as vscode from 'vscode';
import type { Attachment } from '../../shared/session';
import { MAX_ATTACHMENT_CHARS } from '../../shared/contextRules';
import { presetById, PRESETS, selectionAttachment } from './selectionPrompt';

export interface AskDeps {
  reveal: () => Promise<void>;
  send: (content: string, attachments: Attachment[]) => Promise<unknown>;
}

/** The question an argument names, if it is one of ours (the editor menu passes a Uri, which is ignored). */
export function questionFromArg(arg: unknown): string | undefined {
  if (typeof arg === 'string') return presetById(arg)?.question;
  if (!arg || typeof arg !== 'object' || arg instanceof vscode.Uri) return undefined;
  const { preset, question } = arg as { preset?: unknown; question?: unknown };
  if (typeof question === 'string' && question.trim()) return question.trim().slice(0, 10_000);
  if (typeof preset === 'string') return presetById(preset)?.question;
  return undefined;
}

interface PickItem extends vscode.QuickPickItem {
  question: string;
}

/** Presets, plus whatever is typed as a question of its own (listed first). */
async function pickQuestion(): Promise<string | undefined> {
  const qp = vscode.window.createQuickPick<PickItem>();
  const presets: PickItem[] = PRESETS.map((p) => ({ label: p.label, detail: p.question, question: p.question }));
  qp.title = 'Hearth: Ask About Selection';
  qp.placeholder = 'Pick a question, or type your own and press Enter';
  qp.items = presets;
  qp.matchOnDetail = false;
  return new Promise<string | undefined>((resolve) => {
    let done = false;
    const finish = (q: string | undefined) => {
      if (done) return;
      done = true;
      resolve(q);
      qp.dispose();
    };
    qp.onDidChangeValue((value) => {
      const typed = value.trim();
      qp.items = typed ? [{ label: `$(comment) ${typed}`, description: 'Ask this', question: typed, alwaysShow: true }, ...presets] : presets;
    });
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0] ?? qp.activeItems[0];
      finish(item?.question ?? (qp.value.trim() || undefined));
    });
    qp.onDidHide(() => finish(undefined));
    qp.show();
  });
}

export async function askAboutSelection(deps: AskDeps, arg?: unknown): Promise<boolean> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('Hearth: open a file and select some code to ask about.');
    return false;
  }
  const doc = editor.document;
  const sel = editor.selection;
  let text: string;
  let startLine: number;
  let endLine: number;
  if (sel.isEmpty) {
    const line = doc.lineAt(sel.active.line);
    text = line.text;
    startLine = endLine = line.lineNumber + 1;
  } else {
    text = doc.getText(sel);
    startLine = sel.start.line + 1;
    // A selection ending at column 0 does not include that line.
    endLine = sel.end.character === 0 && sel.end.line > sel.start.line ? sel.end.line : sel.end.line + 1;
  }
  if (!text.trim()) {
    void vscode.window.showInformationMessage('Hearth: the selection (or current line) is empty.');
    return false;
  }
  const question = questionFromArg(arg) ?? (await pickQuestion());
  if (!question) return false;
  const path = doc.uri.scheme === 'untitled' ? doc.fileName : vscode.workspace.asRelativePath(doc.uri, false);
  const { attachment, cut } = selectionAttachment({
    text,
    path,
    ...(doc.uri.scheme !== 'untitled' ? { uri: doc.uri.toString() } : {}),
    languageId: doc.languageId,
    startLine,
    endLine,
    maxChars: MAX_ATTACHMENT_CHARS,
  });
  if (cut.cut) void vscode.window.showWarningMessage(`Hearth: the selection was cut to its first ${cut.shownLines} of ${cut.totalLines} lines (the most one attachment may hold).`);
  await deps.reveal(); // keeps focus in the editor
  await deps.send(question, [attachment]);
  return true;
}
