/**
 * Reading workspace files for attachments. Always through VS Code: an editor's
 * text when it has unsaved edits (what the user sees is what is sent), else
 * vscode.workspace.fs — never node:fs, so Remote-SSH, WSL, containers and
 * virtual workspaces work where the files are not on this disk. The size is
 * checked before a file is read.
 */
import * as vscode from 'vscode';
import { safeLanguage } from '../../shared/attachments';
import { baseName, checkText, decodeText, languageForFileName, sizeRefusal, unreadable, type TextResult } from '../../shared/contextRules';
import type { Attachment } from '../../shared/session';

/** Where the size cap is set, named in a refusal. */
export const MAX_FILE_SETTING = 'hearth.context.maxFileKB';

/** Schemes whose documents are files a user works on (not output channels, diff views, settings). */
export const FILE_SCHEMES: readonly string[] = Object.freeze(['file', 'vscode-remote', 'vscode-vfs', 'untitled']);

/** Whether a document or chip of this URI may be offered, read or opened. */
export function isFileLike(uri: vscode.Uri): boolean {
  return FILE_SCHEMES.includes(uri.scheme) || (vscode.workspace.workspaceFolders ?? []).some((f) => f.uri.scheme === uri.scheme);
}

/** The path a chip shows and the model reads: workspace-relative (with the folder's name in a multi-root workspace). */
export function displayPath(uri: vscode.Uri): string {
  if (uri.scheme === 'untitled') return uri.path;
  return vscode.workspace.asRelativePath(uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
}

/** The path exclusion globs and .gitignore rules are matched against: relative to its folder, else absolute. */
export function matchPath(uri: vscode.Uri): string {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (folder) {
    const base = folder.uri.path.replace(/\/+$/, '');
    if (uri.path.startsWith(base + '/')) return uri.path.slice(base.length + 1);
  }
  return uri.path;
}

export function openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
  const key = uri.toString();
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
}

function why(e: unknown): string {
  if (e instanceof vscode.FileSystemError) {
    if (e.code === 'FileNotFound' || e.code === 'EntryNotFound') return 'it no longer exists';
    if (e.code === 'NoPermissions') return 'permission denied';
    if (e.code === 'Unavailable') return 'the file system is not available';
  }
  return e instanceof Error ? e.message.replace(/\s+/g, ' ').slice(0, 200) : 'unknown error';
}

/** The text of a file as it is now, or why it cannot be attached. */
export async function readFileText(uri: vscode.Uri, maxKB: number): Promise<TextResult> {
  const name = baseName(uri.path);
  // Unsaved edits are what the user sees; a saved file is read from disk (an open editor may not have reloaded yet).
  const doc = openDocument(uri);
  if (doc && (doc.isDirty || doc.isUntitled)) return checkText(name, doc.getText(), maxKB, MAX_FILE_SETTING);
  let stat: vscode.FileStat;
  try {
    stat = await vscode.workspace.fs.stat(uri);
  } catch (e) {
    return unreadable(name, why(e));
  }
  if (stat.type & vscode.FileType.Directory) return { ok: false, reason: 'unreadable', message: `${name} is a folder; attach the files in it instead.` };
  // A named pipe or device reports no File bit (Unknown): reading it could block forever.
  if (!(stat.type & vscode.FileType.File)) return { ok: false, reason: 'unreadable', message: `${name} is not a regular file (a pipe or a device); it is not read.` };
  const big = sizeRefusal(name, stat.size, maxKB, MAX_FILE_SETTING);
  if (big) return big;
  let bytes: Uint8Array;
  try {
    bytes = await vscode.workspace.fs.readFile(uri);
  } catch (e) {
    return unreadable(name, why(e));
  }
  return decodeText(name, bytes, maxKB, MAX_FILE_SETTING);
}

function languageOf(uri: vscode.Uri): string | undefined {
  return safeLanguage(openDocument(uri)?.languageId ?? languageForFileName(uri.path));
}

/** A whole file as a `file` attachment. */
export async function fileAttachment(uri: vscode.Uri, maxKB: number): Promise<{ attachment: Attachment } | { error: string }> {
  const r = await readFileText(uri, maxKB);
  if (!r.ok) return { error: r.message };
  const language = languageOf(uri);
  const name = baseName(uri.path) || 'file';
  return { attachment: { kind: 'file', name, path: displayPath(uri), uri: uri.toString(), ...(language ? { language } : {}), content: r.text } };
}

/** Lines startLine..endLine (1-based, inclusive) of a text, clamped to what exists. */
export function linesOf(text: string, range: { startLine: number; endLine: number }): string {
  const lines = text.split('\n');
  return lines.slice(Math.max(0, range.startLine - 1), Math.max(0, range.endLine)).join('\n');
}
