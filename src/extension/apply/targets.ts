/**
 * Where an Apply lands in VS Code: the steps the core's request gives (the
 * range the question was about, a file the block names), then the active
 * editor's selection, its whole file, and last the user's choice. Files are
 * found through VS Code (open documents, workspace.fs, findFiles), never node:fs.
 * Every file found, and every URI a question's attachment carries (a page can
 * supply those), must pass the real-path rule before it becomes a target:
 * inside a workspace folder lexically and really (no link out of it).
 */
import * as vscode from 'vscode';
import { namesTarget, staysInWorkspace, targetSteps, type ApplyRequest, type Region } from '../../core/apply';
import { baseName } from '../../shared/contextRules';
import { isFileLike } from '../context/fileReader';
import { checkRealPath } from '../context/realPath';

export interface ResolvedTarget {
  uri: vscode.Uri;
  region: Region;
}

/** Documents an edit must never go to: our own proposals and VS Code's read-only views. */
const NOT_EDITABLE = new Set(['hearth-proposal', 'output', 'debug', 'git', 'vscode-settings', 'walkThroughSnippet', 'vscode-notebook-cell-output']);

export function isEditableDocument(doc: vscode.TextDocument): boolean {
  return !NOT_EDITABLE.has(doc.uri.scheme) && !doc.isClosed;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    const st = await vscode.workspace.fs.stat(uri);
    return (st.type & vscode.FileType.File) !== 0;
  } catch {
    return false;
  }
}

/**
 * Whether an edit may land in this file without the user picking it: a file
 * (or untitled) scheme; inside a workspace folder, its real path too. In a
 * window without folders only a document the user has open qualifies.
 */
export async function mayTarget(uri: vscode.Uri): Promise<boolean> {
  if (!isFileLike(uri)) return false;
  const open = vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString());
  if (uri.scheme === 'untitled' || (vscode.workspace.workspaceFolders ?? []).length === 0) return open;
  if (!vscode.workspace.getWorkspaceFolder(uri)) return false;
  // Exclusions guard what is sent to the model; an edit the user reviews in a diff may go to an excluded file.
  const v = await checkRealPath(uri, () => false).catch(() => undefined);
  return !!v?.ok && v.located !== undefined;
}

/** Glob metacharacters in a file name are matched literally. */
function globEscape(p: string): string {
  return p.replace(/[[\]{}()*?!]/g, (c) => `[${c}]`);
}

/**
 * A workspace file a model named (`src/a.ts`, `a.ts`): an open document first,
 * then the path under each workspace folder, then a search by its trailing
 * segments; several hits are offered in a pick. `cancelled` when the user
 * closed that pick. A path that could leave the workspace (`..`, absolute, `~`)
 * names nothing, and what it finds must pass `mayTarget` (inside a workspace
 * folder, really: a link out of it is not followed).
 */
export async function findNamedFile(named: string): Promise<vscode.Uri | 'cancelled' | undefined> {
  const clean = named.replace(/\\/g, '/').replace(/^\.\//, '');
  if (!staysInWorkspace(clean)) return undefined;
  const folders = vscode.workspace.workspaceFolders ?? [];
  const names = (u: vscode.Uri) => namesTarget(clean, { uri: u.toString(), name: baseName(u.path), path: vscode.workspace.asRelativePath(u, false) });
  for (const d of vscode.workspace.textDocuments) {
    if (isEditableDocument(d) && d.uri.scheme !== 'untitled' && names(d.uri) && (await mayTarget(d.uri))) return d.uri;
  }
  for (const f of folders) {
    const u = vscode.Uri.joinPath(f.uri, clean);
    if (vscode.workspace.getWorkspaceFolder(u) && (await exists(u)) && (await mayTarget(u))) return u;
  }
  if (folders.length === 0) return undefined;
  const tail = clean.replace(/^\/+/, '').split('/').slice(-3).join('/');
  const found = await vscode.workspace.findFiles(`**/${globEscape(tail)}`, '**/node_modules/**', 20);
  const hits: vscode.Uri[] = [];
  for (const u of found) if (namesTarget(tail, { uri: u.toString(), name: baseName(u.path), path: vscode.workspace.asRelativePath(u, false) }) && (await mayTarget(u))) hits.push(u);
  if (hits.length <= 1) return hits[0];
  const pick = await vscode.window.showQuickPick(
    hits.map((u) => ({ label: vscode.workspace.asRelativePath(u, false), uri: u })),
    { title: `Hearth: the block names "${named}" — which file is it?`, placeHolder: 'Pick the file to apply the block to' },
  );
  return pick ? pick.uri : 'cancelled';
}

/** The editor the user was last in (the chat has focus when Apply is clicked). */
export function lastTextEditor(): vscode.TextEditor | undefined {
  const active = vscode.window.activeTextEditor;
  if (active && isEditableDocument(active.document)) return active;
  return vscode.window.visibleTextEditors.find((e) => isEditableDocument(e.document));
}

/** Asks which file, when nothing else decided: an open document, or any file. */
async function askForFile(): Promise<vscode.Uri | undefined> {
  type Item = vscode.QuickPickItem & { uri?: vscode.Uri };
  const docs = vscode.workspace.textDocuments.filter((d) => isEditableDocument(d) && isFileLike(d.uri));
  const items: Item[] = [
    ...docs.map((d) => ({ label: baseName(d.uri.path), description: vscode.workspace.asRelativePath(d.uri, false), uri: d.uri })),
    { label: '$(folder-opened) Choose a file…', alwaysShow: true },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'Hearth: apply the code block to which file?', placeHolder: 'No editor is open and the block names no file' });
  if (!pick) return undefined;
  if (pick.uri) return pick.uri;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, canSelectFolders: false, openLabel: 'Apply Here', title: 'Apply the code block to', ...(folder ? { defaultUri: folder } : {}) });
  return chosen?.[0];
}

/** The first target that exists, in targetSteps' order, then the editor's own; undefined when the user cancelled a question. */
export async function resolveTarget(req: ApplyRequest, log: (line: string) => void): Promise<ResolvedTarget | undefined> {
  for (const step of targetSteps(req)) {
    if (step.kind === 'attachment') {
      const t = step.target;
      let uri: vscode.Uri;
      try {
        uri = vscode.Uri.parse(t.uri, true);
      } catch {
        continue;
      }
      if (uri.scheme !== 'untitled' && !vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString()) && !(await exists(uri))) {
        log('apply: the file the question was about no longer exists; trying the next target');
        continue;
      }
      // The URI came with the question, which a page may have written: it is checked like any file found here.
      if (!(await mayTarget(uri))) {
        log('apply: the file the question was about is outside the workspace (or links out of it); trying the next target');
        continue;
      }
      const region: Region = t.range
        ? { kind: 'range', startLine: t.range.startLine, endLine: t.range.endLine, ...(t.expected !== undefined ? { expected: t.expected } : {}), ...(t.expectedIsPrefix ? { expectedIsPrefix: true } : {}) }
        : { kind: 'file' };
      return { uri, region };
    }
    const found = await findNamedFile(step.path);
    if (found === 'cancelled') return undefined;
    if (found) return { uri: found, region: { kind: 'file' } };
  }
  const editor = lastTextEditor();
  if (editor) {
    const sel = editor.selection;
    const doc = editor.document;
    if (!sel.isEmpty) return { uri: doc.uri, region: { kind: 'selection', start: doc.offsetAt(sel.start), end: doc.offsetAt(sel.end), expected: doc.getText(sel) } };
    return { uri: doc.uri, region: { kind: 'file' } };
  }
  const chosen = await askForFile();
  return chosen ? { uri: chosen, region: { kind: 'file' } } : undefined;
}
