/**
 * "Hearth: Add File to Chat" (hearth.addFileToChat): from the Explorer (one or
 * several selected files), an editor tab's context menu, or the palette (the
 * current file, else a file dialog). The files become chips of the question
 * being written; nothing is sent. Files matching hearth.context.exclude are
 * attached only after an explicit confirmation; refusals say why.
 */
import * as vscode from 'vscode';
import type { Attachment } from '../../shared/session';
import { isFileLike } from '../context/fileReader';
import type { VsCodeWorkspaceContext } from '../context/workspaceContext';

export interface AddFileDeps {
  /** Loaded with the heavy half on first use. */
  context: () => Promise<VsCodeWorkspaceContext>;
  /** Shows the chat view (without taking the focus from where the user is). */
  reveal: () => Promise<void>;
  /** Adds chips to the composer (kept until the page is ready). */
  addChips: (attachments: Attachment[]) => Promise<void>;
}

/** The files a menu passed: VS Code gives (clicked, allSelected) from the Explorer, (clicked) from a tab. */
export function urisFromArgs(arg: unknown, all: unknown): vscode.Uri[] {
  if (Array.isArray(all) && all.length > 0 && all.every((u) => u instanceof vscode.Uri)) return all as vscode.Uri[];
  if (arg instanceof vscode.Uri) return [arg];
  return [];
}

async function confirmExcluded(names: string[]): Promise<boolean> {
  const list = names.length === 1 ? names[0]! : `${names.length} files (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''})`;
  const choice = await vscode.window.showWarningMessage(
    `${list} ${names.length === 1 ? 'matches' : 'match'} hearth.context.exclude: such files often hold secrets (keys, passwords). Attach anyway? The content will be sent to the model with your next question.`,
    { modal: true },
    'Attach Anyway',
  );
  return choice === 'Attach Anyway';
}

export async function addFileToChat(deps: AddFileDeps, arg?: unknown, all?: unknown): Promise<number> {
  let uris = urisFromArgs(arg, all);
  if (uris.length === 0) {
    const doc = vscode.window.activeTextEditor?.document;
    if (doc && isFileLike(doc.uri)) uris = [doc.uri];
    else {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: true, openLabel: 'Add to Chat', title: 'Hearth: Add File to Chat' });
      if (!picked?.length) return 0;
      uris = picked;
    }
  }
  const { attachments, errors } = await (await deps.context()).attachFiles(uris, confirmExcluded);
  if (errors.length) void vscode.window.showWarningMessage(`Hearth: ${errors.join(' ')}`);
  if (attachments.length === 0) return 0;
  await deps.reveal();
  await deps.addChips(attachments);
  return attachments.length;
}
