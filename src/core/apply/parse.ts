/**
 * What a code block holds, read the way small models really write them: plain
 * code (a replacement for the target, a snippet, a whole file), one or more
 * SEARCH/REPLACE blocks, or a unified diff; and which file it names, if any
 * (in the fence's info string, on a first-line comment, in a diff header, on
 * the line before a SEARCH block). Pure.
 */

export interface SearchReplace {
  search: string[];
  replace: string[];
}

export interface HunkLine {
  op: ' ' | '-' | '+';
  text: string;
}

export interface Hunk {
  /** 1-based line the hunk header says the old side starts at. */
  oldStart?: number;
  lines: HunkLine[];
}

export type BlockShape =
  | { kind: 'code'; lines: string[] }
  | { kind: 'searchReplace'; edits: SearchReplace[] }
  | { kind: 'diff'; hunks: Hunk[] }
  | { kind: 'invalid'; reason: string };

export interface NamedPath {
  path: string;
  from: 'info' | 'comment' | 'diff' | 'searchReplace';
}

/** One path-like token: an extension or a slash, only characters paths are made of. */
export function looksLikePath(s: string): boolean {
  if (s.length < 2 || s.length > 300) return false;
  if (!/^[\w@~.\\/+-][\w@~.\\/+ -]*$/.test(s) || /\s{2,}|^\.+$/.test(s)) return false;
  if (/^[a-z][\w+-]*:\/\//i.test(s)) return false;
  const base = s.split(/[\\/]/).pop() ?? '';
  // An extension (a.ts, .env) or a directory part (src/Makefile); a bare word is a language, not a path.
  return (/\.[A-Za-z0-9_]{1,12}$/.test(base) && !/\s/.test(s)) || (/[\\/]/.test(s) && !/\s/.test(s) && base.length > 0);
}

/**
 * Whether a named path may be a target: relative to the workspace and staying in
 * it — no `..` segment, not absolute (`/x`, `C:\x`, `\\server\x`), not under a home
 * (`~/x`). Anything else could point outside the workspace (`../../.bashrc`).
 */
export function staysInWorkspace(p: string): boolean {
  const s = p.replace(/\\/g, '/');
  if (/^(?:\/|~|[A-Za-z]:)/.test(s)) return false;
  return !s.split('/').includes('..');
}

/** A path-like token that may name the block's target. */
function targetPath(p: string | undefined): p is string {
  return !!p && looksLikePath(p) && staysInWorkspace(p);
}

function cleanPath(p: string): string {
  return p.replace(/^["'`]|["'`]$/g, '').replace(/^(?:a|b)\/(?=.)/, '').replace(/^\.\//, '');
}

/** A path in the fence's info string: `ts src/a.ts`, `typescript:src/a.ts`, `python title="a.py"`, `{file=a.py}`. */
export function pathFromInfo(info: string): string | undefined {
  const words = info.trim().split(/\s+/).filter(Boolean);
  for (const [i, raw] of words.entries()) {
    let w = raw.replace(/^\{|\}$/g, '');
    const kv = /^(?:title|file|filename|path|name)=(.+)$/i.exec(w);
    if (kv) w = kv[1]!;
    else if (i === 0 && w.includes(':')) w = w.slice(w.indexOf(':') + 1);
    else if (i === 0) continue; // the language itself
    w = cleanPath(w);
    if (looksLikePath(w)) return w;
  }
  return undefined;
}

const COMMENT_PATH = /^\s*(?:\/\/+|#(?!!)|--|;+|%|\/\*+|<!--|\(\*|\{-)\s*(?:(?:file(?:name)?|path)\s*:\s*)?([^\s*]+?)\s*(?:\*+\/|-->|\*\)|-\})?\s*$/i;

/** A path named by a comment that is a code block's whole first line: `// src/a.ts`, `# File: a.py`, `<!-- index.html -->`. */
export function pathFromComment(line: string): string | undefined {
  const m = COMMENT_PATH.exec(line);
  if (!m) return undefined;
  const p = cleanPath(m[1]!);
  return looksLikePath(p) && /\.[A-Za-z0-9_]{1,12}$/.test(p) ? p : undefined;
}

const SEARCH_START = /^\s*<{5,9}\s*SEARCH\b.*$/i;
const DIVIDER = /^\s*={5,9}\s*$/;
const REPLACE_END = /^\s*>{5,9}\s*REPLACE\b.*$/i;

function codeLines(code: string): string[] {
  const lines = code.replace(/\r\n?/g, '\n').split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function parseSearchReplace(lines: string[]): BlockShape {
  const edits: SearchReplace[] = [];
  let i = 0;
  while (i < lines.length) {
    if (!SEARCH_START.test(lines[i]!)) {
      i++;
      continue;
    }
    const n = edits.length + 1;
    const search: string[] = [];
    const replace: string[] = [];
    i++;
    while (i < lines.length && !DIVIDER.test(lines[i]!)) {
      if (SEARCH_START.test(lines[i]!) || REPLACE_END.test(lines[i]!)) return { kind: 'invalid', reason: `SEARCH/REPLACE block ${n} has no "=======" line between its two halves` };
      search.push(lines[i++]!);
    }
    if (i >= lines.length) return { kind: 'invalid', reason: `SEARCH/REPLACE block ${n} has no "=======" line between its two halves` };
    i++;
    while (i < lines.length && !REPLACE_END.test(lines[i]!)) {
      if (SEARCH_START.test(lines[i]!)) return { kind: 'invalid', reason: `SEARCH/REPLACE block ${n} does not end with ">>>>>>> REPLACE"` };
      replace.push(lines[i++]!);
    }
    if (i >= lines.length) return { kind: 'invalid', reason: `SEARCH/REPLACE block ${n} does not end with ">>>>>>> REPLACE"` };
    i++;
    edits.push({ search, replace });
  }
  return { kind: 'searchReplace', edits };
}

const HUNK_HEADER = /^@@\s*-(\d+)(?:,\d+)?\s+\+\d+(?:,\d+)?\s*@@.*$/;
const LOOSE_HUNK_HEADER = /^@@.*$/;

/** A unified diff: `---`/`+++` headers optional, `@@` headers with or without numbers. */
function looksLikeDiff(lines: string[], language: string | undefined): boolean {
  const hasHeader = lines.some((l, i) => l.startsWith('--- ') && lines[i + 1]?.startsWith('+++ '));
  const hasHunk = lines.some((l) => LOOSE_HUNK_HEADER.test(l));
  const isDiffLang = /^(diff|patch|udiff)$/i.test(language ?? '');
  const changes = lines.filter((l) => /^[+-](?!\+\+ |-- )/.test(l)).length;
  if (changes === 0) return false;
  if (hasHunk || hasHeader) return true;
  // Fenced as diff with every line prefixed: a diff without headers.
  return isDiffLang && lines.every((l) => l === '' || /^[ +-]/.test(l));
}

function parseDiff(lines: string[]): BlockShape {
  const hunks: Hunk[] = [];
  let cur: Hunk | undefined;
  let files = 0;
  for (const [i, line] of lines.entries()) {
    // A `---` line right above a `+++` line starts a file, even inside a hunk.
    const header = line.startsWith('--- ') && lines[i + 1]?.startsWith('+++ ');
    if (header) continue;
    if (line.startsWith('diff --git ') || line.startsWith('index ') || /^(new|deleted) file mode /.test(line) || line.startsWith('\\ ')) continue;
    if (line.startsWith('--- ') && !cur?.lines.length) continue;
    if (line.startsWith('+++ ') && lines[i - 1]?.startsWith('--- ')) {
      cur = undefined;
      if (++files > 1) return { kind: 'invalid', reason: 'the diff changes more than one file; apply one file at a time' };
      continue;
    }
    if (LOOSE_HUNK_HEADER.test(line)) {
      const m = HUNK_HEADER.exec(line);
      cur = { ...(m ? { oldStart: Number(m[1]) } : {}), lines: [] };
      hunks.push(cur);
      continue;
    }
    if (!cur) {
      cur = { lines: [] };
      hunks.push(cur);
    }
    const op = line[0];
    if (op === '+' || op === '-' || op === ' ') cur.lines.push({ op, text: line.slice(1) });
    // Models drop the space of empty context lines, or of any context line.
    else cur.lines.push({ op: ' ', text: line });
  }
  const real = hunks.filter((h) => h.lines.some((l) => l.op !== ' '));
  if (real.length === 0) return { kind: 'invalid', reason: 'the diff has no added or removed lines' };
  // Trailing context lines that are blank say nothing; keep the hunk tight.
  for (const h of real) while (h.lines.length && h.lines[h.lines.length - 1]!.op === ' ' && h.lines[h.lines.length - 1]!.text.trim() === '') h.lines.pop();
  return { kind: 'diff', hunks: real };
}

/** Reads a block's code (and info string) into its shape. */
export function parseBlock(code: string, info = ''): BlockShape {
  const lines = codeLines(code);
  const language = info.trim().split(/\s+/)[0];
  if (lines.some((l) => SEARCH_START.test(l))) return parseSearchReplace(lines);
  if (looksLikeDiff(lines, language)) return parseDiff(lines);
  return { kind: 'code', lines: code === '' ? [] : lines };
}

/** The file a block names, and where it named it; a path that could leave the workspace names nothing (see staysInWorkspace). */
export function namedPath(code: string, info = ''): NamedPath | undefined {
  const fromInfo = pathFromInfo(info);
  if (targetPath(fromInfo)) return { path: fromInfo, from: 'info' };
  const lines = codeLines(code);
  const firstCode = lines.findIndex((l) => l.trim() !== '');
  const first = firstCode >= 0 ? lines[firstCode]! : '';
  const plus = lines.find((l) => l.startsWith('+++ '));
  if (plus) {
    const p = cleanPath(plus.slice(4).trim().split(/\t/)[0]!);
    if (p !== '/dev/null' && targetPath(p)) return { path: p, from: 'diff' };
  }
  const sr = lines.findIndex((l) => SEARCH_START.test(l));
  if (sr > 0) {
    // Aider's format puts the path on its own line before the SEARCH marker.
    const before = lines.slice(0, sr).map((l) => l.trim()).filter(Boolean).pop();
    const p = before && cleanPath(before.replace(/^[*#\s]+|[*:\s]+$/g, ''));
    if (targetPath(p)) return { path: p, from: 'searchReplace' };
  }
  const c = pathFromComment(first);
  if (targetPath(c)) return { path: c, from: 'comment' };
  return undefined;
}

/** True when a block's first non-blank line is only a comment naming a file (left out of what is applied unless the file has it). */
export function firstLineIsPathComment(lines: readonly string[]): number {
  const i = lines.findIndex((l) => l.trim() !== '');
  return i >= 0 && pathFromComment(lines[i]!) ? i : -1;
}
