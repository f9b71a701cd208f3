/**
 * Finding a run of lines a model quoted (a SEARCH section, a diff hunk's old
 * side, a snippet's first line) in the file, as small models quote them: with
 * other indentation, trailing spaces, collapsed spacing, blank lines added or
 * dropped. The strictest level that matches wins; two matches at that level
 * are ambiguous unless a line-number hint picks the nearer one. When nothing
 * matches, `describeMismatch` says which line did not. Pure.
 */
import { isBlank } from './text';

/** From strictest to loosest. */
export const MATCH_LEVELS = ['exact', 'trailing', 'indent', 'spacing', 'blanks'] as const;
export type MatchLevel = (typeof MATCH_LEVELS)[number];

const NORMALIZE: Record<Exclude<MatchLevel, 'blanks'>, (s: string) => string> = {
  exact: (s) => s,
  trailing: (s) => s.trimEnd(),
  indent: (s) => s.trim(),
  spacing: (s) => s.trim().replace(/\s+/g, ' '),
};

export interface LineMatch {
  /** 0-based first matched file line. */
  start: number;
  /** Exclusive. */
  end: number;
  level: MatchLevel;
  /** For each needle line, the file line it matched (-1: a blank line the loosest level skipped). */
  map: number[];
}

export type FindResult =
  | { kind: 'found'; match: LineMatch }
  | { kind: 'none' }
  | { kind: 'ambiguous'; level: MatchLevel; starts: number[] };

/** Leading and trailing blank lines say nothing about where a quote belongs. */
export function trimBlankEdges(lines: readonly string[]): string[] {
  let a = 0;
  let b = lines.length;
  while (a < b && isBlank(lines[a]!)) a++;
  while (b > a && isBlank(lines[b - 1]!)) b--;
  return lines.slice(a, b);
}

function matchesAt(file: readonly string[], needle: readonly string[], at: number, norm: (s: string) => string): boolean {
  for (let i = 0; i < needle.length; i++) if (norm(file[at + i]!) !== norm(needle[i]!)) return false;
  return true;
}

function allAtLevel(file: readonly string[], needle: readonly string[], level: MatchLevel, within?: { start: number; end: number }): LineMatch[] {
  const lo = within?.start ?? 0;
  const hi = within?.end ?? file.length;
  const out: LineMatch[] = [];
  if (level !== 'blanks') {
    const norm = NORMALIZE[level];
    for (let at = lo; at + needle.length <= hi; at++) {
      if (matchesAt(file, needle, at, norm)) out.push({ start: at, end: at + needle.length, level, map: needle.map((_, i) => at + i) });
    }
    return out;
  }
  // Blank lines ignored on both sides: compare the non-blank lines only, then map back.
  const norm = NORMALIZE.spacing;
  const fileIdx: number[] = [];
  for (let i = lo; i < hi; i++) if (!isBlank(file[i]!)) fileIdx.push(i);
  const needleIdx: number[] = [];
  needle.forEach((l, i) => {
    if (!isBlank(l)) needleIdx.push(i);
  });
  if (needleIdx.length === 0) return out;
  for (let k = 0; k + needleIdx.length <= fileIdx.length; k++) {
    let ok = true;
    for (let j = 0; j < needleIdx.length && ok; j++) ok = norm(file[fileIdx[k + j]!]!) === norm(needle[needleIdx[j]!]!);
    if (!ok) continue;
    const map = needle.map(() => -1);
    needleIdx.forEach((n, j) => (map[n] = fileIdx[k + j]!));
    out.push({ start: fileIdx[k]!, end: fileIdx[k + needleIdx.length - 1]! + 1, level, map });
  }
  return out;
}

export interface FindOptions {
  /** Expected 0-based start line (a diff hunk's header): picks among equal matches. */
  hint?: number;
  /** Search only here. */
  within?: { start: number; end: number };
  /** Stop at this level (e.g. 'trailing' when indentation matters). */
  loosest?: MatchLevel;
}

/** Finds `needle` (blank edges already trimmed by the caller, or not) in `file`. */
export function findLines(file: readonly string[], needle: readonly string[], opts: FindOptions = {}): FindResult {
  if (needle.length === 0 || needle.every(isBlank)) return { kind: 'none' };
  for (const level of MATCH_LEVELS) {
    const all = allAtLevel(file, needle, level, opts.within);
    if (all.length === 1) return { kind: 'found', match: all[0]! };
    if (all.length > 1) {
      if (opts.hint !== undefined) {
        const hint = opts.hint;
        const sorted = [...all].sort((a, b) => Math.abs(a.start - hint) - Math.abs(b.start - hint));
        // Equally near on both sides is still ambiguous.
        if (Math.abs(sorted[0]!.start - hint) !== Math.abs(sorted[1]!.start - hint)) return { kind: 'found', match: sorted[0]! };
      }
      return { kind: 'ambiguous', level, starts: all.map((m) => m.start) };
    }
    if (level === opts.loosest) break;
  }
  return { kind: 'none' };
}

/** A line quoted for a message: trimmed, shortened, in quotes. */
export function quote(line: string, max = 60): string {
  const t = line.trim().replace(/\s+/g, ' ');
  return `"${t.length > max ? t.slice(0, max - 1) + '…' : t}"`;
}

/**
 * Why `needle` is not in `file`, in words: where its longest matching head is
 * and the first line after it that differs, or that even its first line is
 * missing.
 */
export function describeMismatch(file: readonly string[], needle: readonly string[]): string {
  const norm = NORMALIZE.spacing;
  const lines = needle.filter((l) => !isBlank(l));
  if (lines.length === 0) return 'it is empty';
  const nonBlank: number[] = [];
  file.forEach((l, i) => {
    if (!isBlank(l)) nonBlank.push(i);
  });
  let best = { at: -1, len: 0 };
  for (let k = 0; k < nonBlank.length; k++) {
    let len = 0;
    while (len < lines.length && k + len < nonBlank.length && norm(file[nonBlank[k + len]!]!) === norm(lines[len]!)) len++;
    if (len > best.len) best = { at: k, len };
  }
  if (best.len === 0) return `its first line ${quote(lines[0]!)} is not in the file`;
  const startLine = nonBlank[best.at]! + 1;
  const next = lines[best.len]!;
  const found = nonBlank[best.at + best.len];
  const where = found === undefined ? 'the file ends there' : `line ${found + 1} is ${quote(file[found]!)}`;
  return `its first ${best.len === 1 ? 'line matches' : `${best.len} lines match`} at line ${startLine}, but then it expects ${quote(next)} where ${where}`;
}
