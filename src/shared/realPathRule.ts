/**
 * The one rule for which files may be offered, read, indexed, sent or edited:
 * a file inside the workspace counts only if its **real path** (every symbolic
 * link resolved) is inside a workspace folder too, and a file reached through
 * a link must pass the exclusions under its real path as well. A cloned
 * repository can ship `notes.md -> ~/.ssh/id_rsa`; the lexical path alone would
 * send the key.
 *
 * Pure: resolving a path is the platform's job (the extension's `realPath.ts`,
 * a file source's `realPath` step); this file only judges the result.
 */

/** A workspace folder: the path the window knows, and where it really is. */
export interface FolderPaths {
  path: string;
  realPath: string;
}

/** Where a path lies: which folder (its index) and the `/`-separated path relative to it. */
export interface Located {
  folder: number;
  rel: string;
}

export type RealPathVerdict =
  /** `located` is where the real file lies (undefined: outside every folder, and so is the path the user chose). */
  | { ok: true; linked: boolean; located?: Located }
  /** outside: the real path leaves the workspace; excluded: the real path is excluded; unresolved: a link the platform cannot follow. */
  | { ok: false; reason: 'outside' | 'excluded' | 'unresolved' };

function norm(p: string): string {
  const s = p.replace(/\\/g, '/');
  return s.length > 1 ? s.replace(/\/+$/, '') : s;
}

/** Windows drive paths compare case-insensitively (`C:/Work` is `c:/work`). */
function key(p: string): string {
  return /^\/?[a-zA-Z]:\//.test(p) ? p.toLowerCase() : p;
}

/** The path relative to `folder` if it lies inside it (the folder itself is not "inside"), else undefined. */
export function relativeInside(path: string, folder: string): string | undefined {
  const p = norm(path);
  const f = norm(folder);
  const base = f.endsWith('/') ? f : `${f}/`;
  if (!key(p).startsWith(key(base))) return undefined;
  const rel = p.slice(base.length);
  // A `..` segment would climb back out: resolved paths have none, anything else is refused.
  if (!rel || rel.split('/').some((s) => s === '..' || s === '.')) return undefined;
  return rel;
}

/** The innermost workspace folder holding the path (nested folders: the deepest wins, as VS Code's getWorkspaceFolder). */
export function locate(path: string, folders: readonly string[]): Located | undefined {
  let best: Located | undefined;
  let bestLen = -1;
  folders.forEach((f, folder) => {
    const rel = relativeInside(path, f);
    if (rel !== undefined && norm(f).length > bestLen) {
      best = { folder, rel };
      bestLen = norm(f).length;
    }
  });
  return best;
}

/**
 * Judges a file by where it really is. `realPath` undefined means the platform
 * found a link it cannot resolve (a remote or virtual file system). `excluded`
 * gets a folder-relative path (or an absolute one, folder -1, for a file outside
 * every folder) and says whether an exclusion (glob, .gitignore) matches it.
 * A file not reached through a link is left to the caller's lexical checks,
 * which see the same path.
 */
export function realPathVerdict(path: string, realPath: string | undefined, folders: readonly FolderPaths[], excluded: (rel: string, folder: number) => boolean): RealPathVerdict {
  const lex = locate(path, folders.map((f) => f.path));
  if (realPath === undefined) return { ok: false, reason: 'unresolved' };
  const real = locate(realPath, folders.map((f) => f.realPath));
  const linked = !(lex && real ? lex.folder === real.folder && key(lex.rel) === key(real.rel) : !lex && !real && key(norm(path)) === key(norm(realPath)));
  if (!lex) {
    // Chosen outside the workspace (an editor, a dialog): allowed as before, but a link still answers for its target's name.
    if (linked && (real ? excluded(real.rel, real.folder) : excluded(norm(realPath), -1))) return { ok: false, reason: 'excluded' };
    return real ? { ok: true, linked, located: real } : { ok: true, linked };
  }
  if (!real) return { ok: false, reason: 'outside' };
  if (linked && excluded(real.rel, real.folder)) return { ok: false, reason: 'excluded' };
  return { ok: true, linked, located: real };
}

/** The sentence for a refusal, naming the file the user sees. */
export function realPathRefusal(name: string, reason: 'outside' | 'excluded' | 'unresolved'): string {
  switch (reason) {
    case 'outside':
      return `${name} is a link to a file outside the workspace; only files inside the workspace folders can be used.`;
    case 'excluded':
      return `${name} is a link to a file excluded from context (hearth.context.exclude, files.exclude, search.exclude or a .gitignore); it is not used.`;
    case 'unresolved':
      return `${name} is a symbolic link that cannot be followed safely here; open or attach the file it points to instead.`;
  }
}

/**
 * The codebase index's form of the rule for one folder: a file's real path relative
 * to the folder's real path ('' for the folder itself), or null when either could
 * not be resolved (undefined) or the file lies outside.
 */
export function realRelative(real: string | undefined, folderReal: string | undefined): string | null {
  if (real === undefined || folderReal === undefined) return null;
  if (key(norm(real)) === key(norm(folderReal))) return '';
  return relativeInside(real, folderReal) ?? null;
}
