/** The webview's editor-side actions: clipboard, insert at cursor, new editor, links, settings, export. */
import * as vscode from 'vscode';
import type { Session } from '../../shared/session';
import { exportFileName, sessionToMarkdown } from '../../shared/exportMarkdown';
import { allowedExternalUrl } from '../../shared/links';
import { languageIdFor } from './languageId';
import type { Log } from '../log';

export async function copyText(text: string): Promise<void> {
  await vscode.env.clipboard.writeText(text);
  vscode.window.setStatusBarMessage('$(check) Copied', 2000);
}

/** Inserts at the cursor(s) of the last active text editor (the webview has focus, so activeTextEditor may be unset). */
export async function insertAtCursor(code: string): Promise<boolean> {
  const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
  if (!editor) {
    void vscode.window.showInformationMessage('Hearth: open a file to insert code into, then try again.');
    return false;
  }
  return editor.edit((b) => {
    for (const sel of editor.selections) b.replace(sel, code);
  });
}

export async function openInEditor(code: string, language?: string): Promise<void> {
  const id = languageIdFor(language);
  const doc = await vscode.workspace.openTextDocument({ content: code, ...(id ? { language: id } : {}) });
  await vscode.window.showTextDocument(doc, { preview: false });
}

/** Only http(s) and mailto; VS Code's opener shows the full URL and asks before leaving. */
export async function openLink(url: string, log: Log): Promise<boolean> {
  const u = allowedExternalUrl(url);
  if (!u) {
    log('refused to open a link with a disallowed scheme');
    void vscode.window.showWarningMessage('Hearth only opens http, https and mailto links.');
    return false;
  }
  return vscode.env.openExternal(vscode.Uri.parse(u.toString(), true));
}

export async function openSettings(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.openSettings', '@ext:hearth-dev.hearth');
}

/** Export: save to a Markdown file, or open as an untitled Markdown document. */
export async function exportSession(session: Session): Promise<void> {
  const markdown = sessionToMarkdown(session);
  const choice = await vscode.window.showQuickPick(
    [
      { label: '$(save) Save as Markdown file…', id: 'file' as const },
      { label: '$(go-to-file) Open in an untitled editor', id: 'untitled' as const },
    ],
    { title: `Export "${session.title}"` },
  );
  if (!choice) return;
  if (choice.id === 'untitled') {
    const doc = await vscode.workspace.openTextDocument({ content: markdown, language: 'markdown' });
    await vscode.window.showTextDocument(doc, { preview: false });
    return;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    title: 'Export chat as Markdown',
    filters: { Markdown: ['md'] },
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, exportFileName(session)) } : {}),
  });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(markdown));
  void vscode.window.showInformationMessage(`Hearth: exported to ${vscode.workspace.asRelativePath(target)}`);
}
