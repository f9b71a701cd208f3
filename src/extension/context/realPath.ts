/**
 * Where a workspace file really is, for the real-path rule
 * (`src/shared/realPathRule.ts`): the picker's index, reading a file, the
 * current-file chip, Add File to Chat, Apply and the codebase index all ask here.
 *
 * `vscode.workspace.fs` has no realpath or readlink (its stat only flags a
 * link), so a `file:` URI is resolved with Node's `fs.promises.realpath`. That
 * is the one use of node:fs on workspace files, and it only resolves a path:
 * every read still goes through vscode.workspace.fs. Any other scheme (remote,
 * virtual) cannot be resolved from here, so a link on the way from the
 * workspace folder to the file makes the file unresolved, and refused.
 */
import { realpath } from 'node:fs/promises';
import * as vscode from 'vscode';
import { realPathVerdict, realRelative, type FolderPaths, type RealPathVerdict } from '../../shared/realPathRule';

/** Stats of folders already walked (non-file schemes), kept for one index build. */
export type LinkCache = Map<string, Promise<boolean>>;

async function resolveFile(uri: vscode.Uri): Promise<string> {
  try {
    return vscode.Uri.file(await realpath(uri.fsPath)).path;
  } catch {
    // Nothing to follow (gone, or a dangling link): reading it fails with its own reason.
    return uri.path;
  }
}

async function isLink(uri: vscode.Uri): Promise<boolean> {
  try {
    return ((await vscode.workspace.fs.stat(uri)).type & vscode.FileType.SymbolicLink) !== 0;
  } catch {
    return false;
  }
}

/**
 * The real path of a URI (its `path` form), or undefined for a link that
 * cannot be resolved (non-file schemes: the file or a folder between it and
 * its workspace folder carries the SymbolicLink bit).
 */
export async function realPathOf(uri: vscode.Uri, cache: LinkCache = new Map()): Promise<string | undefined> {
  if (uri.scheme === 'file') return resolveFile(uri);
  if (uri.scheme === 'untitled') return uri.path;
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const stop = folder ? folder.uri.path.replace(/\/+$/, '') : '';
  const checks: Promise<boolean>[] = [];
  for (let u = uri; u.path.length > stop.length && u.path !== '/'; u = vscode.Uri.joinPath(u, '..')) {
    const k = u.toString();
    let c = cache.get(k);
    if (!c) cache.set(k, (c = isLink(u)));
    checks.push(c);
  }
  return (await Promise.all(checks)).some(Boolean) ? undefined : uri.path;
}

/** A workspace folder with its real path; `uri` is the folder's URI string (the key .gitignore rules are kept under). */
export type VsFolderPaths = FolderPaths & { uri: string };

/** The workspace folders of the URI's file system, with their real paths. */
export async function foldersFor(uri: vscode.Uri): Promise<VsFolderPaths[]> {
  const same = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === uri.scheme && f.uri.authority === uri.authority);
  return Promise.all(same.map(async (f) => ({ uri: f.uri.toString(), path: f.uri.path, realPath: f.uri.scheme === 'file' ? await resolveFile(f.uri) : f.uri.path })));
}

/**
 * The rule applied to one URI. `excluded` gets the real path relative to its
 * folder and that folder's URI string (or the absolute path and undefined).
 * Pass `folders` (from foldersFor, same file system) and `cache` when checking
 * many files at once.
 */
export async function checkRealPath(
  uri: vscode.Uri,
  excluded: (rel: string, folderUri: string | undefined) => boolean,
  opts: { folders?: VsFolderPaths[]; cache?: LinkCache } = {},
): Promise<RealPathVerdict> {
  const [real, folders] = await Promise.all([realPathOf(uri, opts.cache), opts.folders ?? foldersFor(uri)]);
  return realPathVerdict(uri.path, real, folders, (rel, i) => excluded(rel, folders[i]?.uri));
}

/**
 * The codebase index's real-path step for one workspace folder: a folder-relative
 * path's real path, relative to the folder's own real path ('' for the folder),
 * or null when it lies outside the folder or is a link that cannot be resolved.
 * Link checks of non-file schemes are cached for the life of the step (one index:
 * Rebuild Codebase Index starts a new one).
 */
export function folderRealPath(root: vscode.Uri): (rel: string) => Promise<string | null> {
  const cache: LinkCache = new Map();
  let base: Promise<string | undefined> | undefined;
  return async (rel) => {
    base ??= realPathOf(root, cache);
    const uri = rel ? vscode.Uri.joinPath(root, ...rel.split('/')) : root;
    const [b, real] = await Promise.all([base, realPathOf(uri, cache)]);
    return realRelative(real, b);
  };
}
