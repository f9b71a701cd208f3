/**
 * Glob patterns as VS Code settings write them (files.exclude, search.exclude,
 * hearth.context.exclude): `**` any number of folders, `*` and `?` within one
 * name, `{a,b}` alternatives, `[abc]` classes. Matched against workspace-relative
 * paths with `/`; a pattern that matches a folder matches everything inside it.
 * Case-insensitive: an exclusion that errs, errs towards leaving a file out.
 * Compiling never throws: a pattern that is not a valid glob (`[a-Z]`, a range
 * out of order) matches nothing, and `compileGlob` says why, so the caller can
 * log it with the setting or file it came from.
 * Pure (no vscode), so it is unit-tested.
 */

function escapeRe(c: string): string {
  return /[.+^$()|\\/]/.test(c) ? `\\${c}` : c;
}

/** Splits `a,b` at top-level commas (not inside nested braces or classes). */
function splitAlternatives(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inClass = false;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') inClass = true;
    else if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(body.slice(start, i));
      start = i + 1;
    }
  }
  out.push(body.slice(start));
  return out;
}

/** The index of the `}` closing the `{` at `open`, or -1. */
function closingBrace(p: string, open: number): number {
  let depth = 0;
  for (let i = open; i < p.length; i++) {
    if (p[i] === '{') depth++;
    else if (p[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function toRegexSource(p: string): string {
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*') {
      if (p[i + 1] === '*') {
        // `**` spans folders. `**/` may match nothing; a trailing `/**` matches everything below.
        const before = i === 0 || p[i - 1] === '/';
        let j = i + 2;
        while (p[j] === '*') j++;
        if (before && p[j] === '/') {
          re += '(?:.*/)?';
          i = j;
        } else if (before && j === p.length) {
          re += '.*';
          i = j - 1;
        } else {
          re += '.*';
          i = j - 1;
        }
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = p.indexOf(']', i + 1);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = p.slice(i + 1, end);
      if (body.startsWith('!')) body = '^' + body.slice(1);
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '{') {
      const end = closingBrace(p, i);
      if (end < 0) {
        re += '\\{';
        continue;
      }
      re += `(?:${splitAlternatives(p.slice(i + 1, end)).map(toRegexSource).join('|')})`;
      i = end;
    } else re += escapeRe(c);
  }
  return re;
}

/** What an invalid pattern compiles to. */
const NOTHING = /(?!)/;

/** A compiled glob; `error` says why the pattern is invalid (it then matches nothing). */
export interface CompiledGlob {
  re: RegExp;
  error?: string;
}

const cache = new Map<string, CompiledGlob>();

/** The glob as a regular expression, or (never throwing) one that matches nothing and why. */
export function compileGlob(glob: string): CompiledGlob {
  let c = cache.get(glob);
  if (!c) {
    const p = glob.trim().replace(/\\/g, '/').replace(/^\.\//, '');
    try {
      c = { re: new RegExp(`^${toRegexSource(p)}$`, 'i') };
    } catch (e) {
      c = { re: NOTHING, error: (e instanceof Error ? e.message : String(e)).replace(/^Invalid regular expression: \/.*\/\w*: /s, '') };
    }
    if (cache.size > 500) cache.clear();
    cache.set(glob, c);
  }
  return c;
}

export function globToRegExp(glob: string): RegExp {
  return compileGlob(glob).re;
}

/** Whether the path, or a folder it lies in, matches one of the globs. */
export function matchesAnyGlob(path: string, globs: readonly string[]): boolean {
  if (globs.length === 0) return false;
  const p = path.replace(/\\/g, '/');
  const res = globs.filter((g) => g.trim()).map(globToRegExp);
  // The path itself, then each folder above it (a matched folder excludes its contents).
  let prefix = p;
  for (;;) {
    if (res.some((re) => re.test(prefix))) return true;
    const cut = prefix.lastIndexOf('/');
    if (cut <= 0) return false;
    prefix = prefix.slice(0, cut);
  }
}

/** The patterns of a VS Code `{ glob: true }` exclusion setting that are switched on (conditional `{when}` entries are skipped). */
export function enabledGlobs(setting: unknown): string[] {
  if (!setting || typeof setting !== 'object' || Array.isArray(setting)) return [];
  return Object.entries(setting as Record<string, unknown>)
    .filter(([, v]) => v === true)
    .map(([k]) => k);
}
