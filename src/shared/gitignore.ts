/**
 * .gitignore rules, so the `@` picker does not offer build output and other
 * ignored files (VS Code's findFiles does not read .gitignore). Covers what
 * real .gitignore files use: comments, `!` negation, a trailing `/` for folders
 * only, anchoring by a leading or inner `/`, `*`, `?`, `**`, classes; nested
 * .gitignore files apply below their folder and win over shallower ones; a file
 * inside an ignored folder stays ignored (git does not look inside). A line that
 * is not a valid pattern is skipped (it matches nothing) and reported. Pure.
 */
import { compileGlob } from './glob';

interface Rule {
  /** The folder of the .gitignore ('' at the root), with no trailing slash. */
  base: string;
  re: RegExp;
  negate: boolean;
  dirOnly: boolean;
}

/** A line of a .gitignore that is not a valid pattern, and why. */
export interface InvalidLine {
  line: string;
  error: string;
}

function parseLine(raw: string): Omit<Rule, 'base'> | InvalidLine | undefined {
  // Trailing spaces are ignored unless escaped.
  let line = raw.replace(/(?<!\\)\s+$/, '');
  if (!line || line.startsWith('#')) return undefined;
  let negate = false;
  if (line.startsWith('!')) {
    negate = true;
    line = line.slice(1);
  } else if (line.startsWith('\\!') || line.startsWith('\\#')) line = line.slice(1);
  let dirOnly = false;
  if (line.endsWith('/')) {
    dirOnly = true;
    line = line.replace(/\/+$/, '');
  }
  if (!line) return undefined;
  // A slash at the start or in the middle anchors the pattern to the .gitignore's folder; otherwise it matches at any depth.
  const anchored = line.includes('/');
  const pattern = anchored ? line.replace(/^\//, '') : `**/${line}`;
  const c = compileGlob(pattern.replace(/\\(?=[ #!])/g, ''));
  if (c.error) return { line: raw.trim(), error: c.error };
  return { re: c.re, negate, dirOnly };
}

export class GitIgnore {
  private readonly rules: Rule[] = [];

  /** Adds the rules of the .gitignore in folder `base` ('' = the workspace root); returns the lines skipped as invalid. */
  add(base: string, text: string): InvalidLine[] {
    const b = base.replace(/\\/g, '/').replace(/^\/+|\/+$/g, '');
    const invalid: InvalidLine[] = [];
    for (const line of text.split(/\r?\n/)) {
      const r = parseLine(line);
      if (!r) continue;
      if ('error' in r) invalid.push(r);
      else this.rules.push({ ...r, base: b });
    }
    // Deeper .gitignore files override shallower ones: order by depth, stable otherwise.
    this.rules.sort((x, y) => depth(x.base) - depth(y.base));
    return invalid;
  }

  get size(): number {
    return this.rules.length;
  }

  /** Whether git would ignore this workspace-relative path (a file unless `isDir`). */
  ignores(path: string, isDir = false): boolean {
    if (this.rules.length === 0) return false;
    const parts = path.replace(/\\/g, '/').split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const last = i === parts.length;
      const state = this.match(parts.slice(0, i).join('/'), last ? isDir : true);
      if (state && !last) return true; // inside an ignored folder
      if (last) return state;
    }
    return false;
  }

  private match(p: string, isDir: boolean): boolean {
    let ignored = false;
    for (const r of this.rules) {
      if (r.dirOnly && !isDir) continue;
      let rel: string;
      if (r.base === '') rel = p;
      else if (p.startsWith(r.base + '/')) rel = p.slice(r.base.length + 1);
      else continue;
      if (r.re.test(rel)) ignored = !r.negate;
    }
    return ignored;
  }
}

function depth(base: string): number {
  return base === '' ? 0 : base.split('/').length;
}
