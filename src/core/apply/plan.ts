/**
 * From a code block and the file it targets to the proposed file: where the
 * block lands, or why it cannot be placed. Nothing here touches a file; the
 * extension shows the result as a diff and applies it only on Accept. Every
 * refusal names what did not match, so the user (or the model) can fix it.
 *
 * The result keeps the file's line endings, final newline and indentation
 * style (tabs or spaces, and the step); the block's own lines are re-indented
 * to match. Pure.
 */
import { describeMismatch, findLines, quote, trimBlankEdges, type LineMatch } from './match';
import { firstLineIsPathComment, parseBlock, type Hunk, type SearchReplace } from './parse';
import { convertIndent, detectIndent, indentColumns, isBlank, joinText, minIndent, shiftIndent, splitText, type IndentStyle } from './text';

/** Where in the file the block goes, as the target was chosen. */
export type Region =
  /** A 1-based inclusive line range (the selection a question was about); `expected` is the code that was asked about. */
  | { kind: 'range'; startLine: number; endLine: number; expected?: string; expectedIsPrefix?: boolean }
  /** A selection in the editor, as character offsets into the text; `expected` is the text selected then. */
  | { kind: 'selection'; start: number; end: number; expected?: string }
  /** The whole file (a file the block names, or the active editor's). */
  | { kind: 'file' };

export interface PlanInput {
  /** The file as it is now. */
  text: string;
  code: string;
  info?: string;
  region: Region;
  /** For messages. */
  fileName: string;
}

export type PlanHow = 'range' | 'selection' | 'snippet' | 'whole' | 'searchReplace' | 'diff';

export type Plan =
  | {
      ok: true;
      /** The proposed file. */
      text: string;
      how: PlanHow;
      /** Where it lands, in words ("replaces lines 3–5 of a.py"). */
      summary: string;
      /** 1-based inclusive ranges of the original file that are replaced (an insertion has endLine = startLine - 1). */
      lands: { startLine: number; endLine: number }[];
    }
  | { ok: false; reason: string };

interface Landing {
  startLine: number;
  endLine: number;
}

const fail = (reason: string): Plan => ({ ok: false, reason });

function span(a: number, b: number): string {
  return a === b ? `line ${a}` : `lines ${a}–${b}`;
}

/** A comment standing in for code the model left out ("// ... existing code ..."): applying it would delete that code. */
const ELISION = [
  /^\s*(?:\/\/|#|--|;|\/\*+|<!--|\*)\s*(?:\.{3}|…)\s*(?:\*\/|-->)?\s*$/,
  /^\s*(?:\/\/|#|--|;|\/\*+|<!--|\*).*(?:\.{3}|…).*\b(?:existing|rest|remaining|unchanged|previous|other|same|omitted|more)\b/i,
  /^\s*(?:\/\/|#|--|;|\/\*+|<!--|\*).*\b(?:existing|rest of(?: the)?|remaining|other|unchanged|previous)\s+(?:code|methods|functions|implementation|file|content|lines|imports|logic|properties|fields)\b.*(?:\.{3}|…|unchanged|here|remains|stays|as before|goes here)/i,
];

export function elidedLine(lines: readonly string[]): number {
  return lines.findIndex((l) => ELISION.some((re) => re.test(l)));
}

const normalize = (s: string) => s.trim().replace(/\s+/g, ' ');
/** Lines that only close brackets (`}`, `});`, `]`). */
const PURE_CLOSING = /^[)\]}]+[;,]?$/;
const CONTINUES = /^(?:else|elif|except|finally|catch|rescue|ensure|when)\b/;
const COMMENT_OR_DECORATOR = /^\s*(?:\/\/|#|\/\*|\*|--|@[\w.]+|<!--)/;

function nonBlank(lines: readonly string[]): string[] {
  return lines.filter((l) => !isBlank(l));
}

/** The last line that says something (not blank, not only closing brackets). */
function lastSignificant(lines: readonly string[]): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const t = lines[i]!.trim();
    if (t && !PURE_CLOSING.test(t)) return t;
  }
  return undefined;
}

/** Whether a block is (a new version of) the whole file rather than a part of it. */
export function looksLikeWholeFile(block: readonly string[], file: readonly string[]): boolean {
  const b = nonBlank(block).map(normalize);
  const f = nonBlank(file).map(normalize);
  if (f.length === 0) return true;
  if (b.length === 0) return false;
  const ratio = b.length / f.length;
  const firstSame = b[0] === f[0];
  const lastSame = lastSignificant(b) !== undefined && normalize(lastSignificant(b)!) === normalize(lastSignificant(f) ?? '');
  if (firstSame && lastSame && ratio >= 0.5) return true;
  if ((firstSame || lastSame) && ratio >= 0.8) return true;
  const inBlock = new Set(b);
  const kept = f.filter((l) => inBlock.has(l)).length / f.length;
  return ratio >= 0.6 && kept >= 0.6;
}

/**
 * A block whose first line is found below the file's first line leaves out
 * what is above it: it is a part, not the whole (replacing the file with it
 * would drop the `package`/`import` lines it never mentions).
 */
function mayBeWholeFile(a: Anchor, file: readonly string[]): boolean {
  return a.kind !== 'found' || a.start <= file.findIndex((l) => !isBlank(l));
}

/** The exclusive end of the construct (function, class, statement) that starts at file line `i`, by indentation. */
export function constructEnd(file: readonly string[], i: number): number {
  const base = indentColumns(file[i]!);
  let last = i;
  for (let j = i + 1; j < file.length; j++) {
    const line = file[j]!;
    if (isBlank(line)) continue;
    const ind = indentColumns(line);
    if (ind > base) {
      last = j;
      continue;
    }
    if (ind < base) break;
    const t = line.trim();
    const prev = file[last]!.trim();
    // A decorator belongs to what follows it; a signature split over lines goes on.
    if (/^@[\w.]+/.test(prev) || /[([{,\\]$|=>$/.test(prev)) {
      last = j;
      continue;
    }
    if (/^[)\]}]/.test(t)) {
      last = j;
      if (PURE_CLOSING.test(t)) break;
      continue; // `} else {`, `) {`
    }
    if (CONTINUES.test(t)) {
      last = j;
      continue;
    }
    if (/^end\b/.test(t)) {
      last = j;
      break;
    }
    break;
  }
  return last + 1;
}

/** What a line introduces, for telling a changed construct from a new one: `def mul`, `function f`, `x`. */
function constructName(line: string): string {
  return normalize(line).split(/[(=:{<]/)[0]!.trim();
}

/** The starts (indexes) of the constructs at the block's base indentation, after its first line `from`. */
function constructStarts(block: readonly string[], from: number): number[] {
  const base = indentColumns(block[from]!);
  const out: number[] = [];
  let prev = block[from]!.trim();
  for (let i = from + 1; i < block.length; i++) {
    const l = block[i]!;
    if (isBlank(l)) continue;
    const t = l.trim();
    const ind = indentColumns(l);
    if (ind < base) break;
    if (ind === base && !/^[)\]}]/.test(t) && !CONTINUES.test(t) && !/^end\b/.test(t) && !/^@[\w.]+/.test(prev) && !/[([{,\\]$|=>$/.test(prev)) out.push(i);
    if (ind === base) prev = t;
  }
  return out;
}

type Anchor = { kind: 'found'; start: number; end: number; blockFrom: number } | { kind: 'ambiguous'; line: string; at: number[] } | { kind: 'none'; line: string };

/**
 * Where a snippet (a function, a method, a few statements) sits in the file:
 * its first line (after any new comments or decorators) found once, extended
 * to the end of the construct there, and over the following constructs the
 * snippet also rewrites.
 */
export function anchorSnippet(block: readonly string[], file: readonly string[]): Anchor {
  const first = block.findIndex((l) => !isBlank(l));
  if (first < 0) return { kind: 'none', line: '' };
  const candidates = [first];
  const code = block.findIndex((l, i) => i > first && !isBlank(l) && !COMMENT_OR_DECORATOR.test(l));
  if (COMMENT_OR_DECORATOR.test(block[first]!) && code > 0) candidates.push(code);
  const result: Anchor = { kind: 'none', line: block[first]! };
  for (const c of candidates) {
    const want = normalize(block[c]!);
    const hits: number[] = [];
    file.forEach((l, i) => {
      if (normalize(l) === want) hits.push(i);
    });
    if (hits.length === 0) continue;
    // Several places start the same way: the one that goes on matching longest wins.
    const following = nonBlankAfter(block, c);
    const score = (at: number) => {
      const f = nonBlankAfter(file, at);
      let n = 0;
      while (n < following.length && n < f.length && normalize(block[following[n]!]!) === normalize(file[f[n]!]!)) n++;
      return n;
    };
    const scored = hits.map((at) => ({ at, s: score(at) })).sort((a, b) => b.s - a.s);
    if (scored.length > 1 && scored[0]!.s === scored[1]!.s) return { kind: 'ambiguous', line: block[c]!, at: scored.filter((x) => x.s === scored[0]!.s).map((x) => x.at) };
    let start = scored[0]!.at;
    // New comments or decorators above the anchor replace the ones the file has there.
    if (c > first) while (start > 0 && !isBlank(file[start - 1]!) && COMMENT_OR_DECORATOR.test(file[start - 1]!)) start--;
    let end = constructEnd(file, scored[0]!.at);
    for (const next of constructStarts(block, c)) {
      const after = nonBlankAfter(file, end - 1)[0];
      if (after === undefined || indentColumns(file[after]!) !== indentColumns(file[scored[0]!.at]!)) break;
      if (constructName(file[after]!) !== constructName(block[next]!)) break;
      end = constructEnd(file, after);
    }
    return { kind: 'found', start, end, blockFrom: first };
  }
  return result;
}

function nonBlankAfter(lines: readonly string[], i: number): number[] {
  const out: number[] = [];
  for (let j = i + 1; j < lines.length; j++) if (!isBlank(lines[j]!)) out.push(j);
  return out;
}

/** Replaces file[start, end) with block lines, moved to the region's indentation; the region's blank edges stay. */
function replaceRegion(file: readonly string[], start: number, end: number, block: readonly string[], style: IndentStyle | undefined): string[] {
  const region = file.slice(start, end);
  const body = trimBlankEdges(block);
  const delta = nonBlank(region).length ? minIndent(region) - minIndent(body) : 0;
  let lead = 0;
  while (lead < region.length && isBlank(region[lead]!)) lead++;
  let trail = 0;
  while (trail < region.length - lead && isBlank(region[region.length - 1 - trail]!)) trail++;
  const moved = shiftIndent(body, delta, style);
  return [...file.slice(0, start), ...region.slice(0, lead), ...moved, ...region.slice(region.length - trail), ...file.slice(end)];
}

/** The indentation move that puts the needle's first non-blank line where the file has it. */
function indentDelta(match: LineMatch, needle: readonly string[], file: readonly string[]): number {
  if (match.level === 'exact' || match.level === 'trailing') return 0;
  const i = needle.findIndex((l, k) => !isBlank(l) && match.map[k]! >= 0);
  if (i < 0) return 0;
  return indentColumns(file[match.map[i]!]!) - indentColumns(needle[i]!);
}

function applySearchReplace(file: string[], edits: SearchReplace[], style: IndentStyle | undefined, fileName: string): { lines: string[]; lands: Landing[] } | string {
  let cur = file;
  const lands: Landing[] = [];
  const n = edits.length;
  const which = (k: number) => (n === 1 ? 'The SEARCH block' : `SEARCH block ${k + 1} of ${n}`);
  for (const [k, e] of edits.entries()) {
    const search = trimBlankEdges(e.search);
    const replace = trimBlankEdges(e.replace);
    if (search.length === 0) {
      // An empty SEARCH adds to the file (aider's convention for new code).
      if (nonBlank(cur).length === 0) cur = replace;
      else cur = [...cur, ...(isBlank(cur[cur.length - 1]!) ? [] : ['']), ...replace];
      lands.push({ startLine: cur.length - replace.length + 1, endLine: cur.length - replace.length });
      continue;
    }
    const r = findLines(cur, search);
    if (r.kind === 'none') return `${which(k)} does not match ${fileName}: ${describeMismatch(cur, search)}.`;
    if (r.kind === 'ambiguous') {
      return `${which(k)} matches ${fileName} in ${r.starts.length} places (lines ${r.starts.map((s) => s + 1).join(', ')}), so it is not clear which one to change; it needs more surrounding lines.`;
    }
    const m = r.match;
    const moved = shiftIndent(replace, indentDelta(m, search, cur), style);
    lands.push({ startLine: m.start + 1, endLine: m.end });
    cur = [...cur.slice(0, m.start), ...moved, ...cur.slice(m.end)];
  }
  return { lines: cur, lands };
}

function applyHunks(file: string[], hunks: Hunk[], style: IndentStyle | undefined, fileName: string): { lines: string[]; lands: Landing[] } | string {
  let cur = file;
  let offset = 0;
  const lands: Landing[] = [];
  const n = hunks.length;
  const which = (k: number) => (n === 1 ? 'The diff' : `Hunk ${k + 1} of ${n} of the diff`);
  for (const [k, h] of hunks.entries()) {
    // Blank context at the hunk's edges says nothing about where it belongs.
    let lines = h.lines;
    while (lines.length && lines[0]!.op === ' ' && isBlank(lines[0]!.text)) lines = lines.slice(1);
    const old = lines.filter((l) => l.op !== '+').map((l) => l.text);
    const added = lines.filter((l) => l.op === '+').map((l) => l.text);
    if (nonBlank(old).length === 0) {
      const at = Math.min(Math.max(h.oldStart !== undefined ? h.oldStart + offset : cur.length, 0), cur.length);
      cur = [...cur.slice(0, at), ...added, ...cur.slice(at)];
      lands.push({ startLine: at + 1, endLine: at });
      offset += added.length;
      continue;
    }
    const hint = h.oldStart !== undefined ? h.oldStart - 1 + offset : undefined;
    const r = findLines(cur, old, hint !== undefined ? { hint } : {});
    if (r.kind === 'none') return `${which(k)} does not match ${fileName}: the lines it removes or keeps are not there (${describeMismatch(cur, old)}).`;
    if (r.kind === 'ambiguous') return `${which(k)} matches ${fileName} in ${r.starts.length} places (lines ${r.starts.map((s) => s + 1).join(', ')}) and its line numbers do not decide which.`;
    const m = r.match;
    const delta = indentDelta(m, old, cur);
    const out: string[] = [];
    let oi = 0;
    let lastFile = m.start - 1;
    // Lines of the file the match skipped (blank ones, at the loosest level) are kept.
    const catchUp = (to: number) => {
      for (let f = lastFile + 1; f < to; f++) out.push(cur[f]!);
    };
    for (const l of lines) {
      if (l.op === '+') {
        out.push(shiftIndent([l.text], delta, style)[0]!);
        continue;
      }
      const at = m.map[oi++]!;
      if (at >= 0) {
        catchUp(at);
        lastFile = at;
        if (l.op === ' ') out.push(cur[at]!); // context stays exactly as the file has it
      } else if (l.op === ' ') out.push(l.text);
    }
    catchUp(m.end);
    lands.push({ startLine: m.start + 1, endLine: m.end });
    cur = [...cur.slice(0, m.start), ...out, ...cur.slice(m.end)];
    offset += out.length - (m.end - m.start);
  }
  return { lines: cur, lands };
}

/** Checks that a range still holds the code the question was about; if the file moved, finds that code again. */
function locateRange(file: string[], region: Extract<Region, { kind: 'range' }>, fileName: string): { start: number; end: number } | string {
  const start = region.startLine - 1;
  const end = region.endLine;
  const inFile = start >= 0 && end <= file.length && start < end;
  if (region.expected === undefined) {
    return inFile ? { start, end } : `lines ${region.startLine}–${region.endLine} are no longer in ${fileName} (it has ${file.length} lines)`;
  }
  const expected = trimBlankEdges(region.expected.replace(/\r\n?/g, '\n').split('\n'));
  const here = inFile ? nonBlank(file.slice(start, end)).map(normalize) : [];
  const want = nonBlank(expected).map(normalize);
  const same = region.expectedIsPrefix ? want.every((l, i) => here[i] === l) : want.length === here.length && want.every((l, i) => here[i] === l);
  if (inFile && same) return { start, end };
  // The file changed since the question: the code asked about may have moved.
  const r = findLines(file, expected, { hint: start });
  if (r.kind === 'found' && !region.expectedIsPrefix) return { start: r.match.start, end: r.match.end };
  if (r.kind === 'found') return { start: r.match.start, end: r.match.start + (end - start) };
  return `the code the question was about (${span(region.startLine, region.endLine)} of ${fileName}) has changed since, and is no longer found there; select it again and Apply`;
}

/** The selection's offsets, or where its text is now if the file changed around it (once, exactly). */
function locateSelection(text: string, region: Extract<Region, { kind: 'selection' }>): { start: number; end: number } | string {
  const { start, end, expected } = region;
  if (expected === undefined || text.slice(start, end) === expected) {
    return end <= text.length && start <= end ? { start, end } : 'the selection is no longer in the file';
  }
  const first = text.indexOf(expected);
  if (expected && first >= 0 && text.indexOf(expected, first + 1) < 0) return { start: first, end: first + expected.length };
  return 'the selected code has changed since; select it again and Apply';
}

export function planEdit(input: PlanInput): Plan {
  const { fileName } = input;
  const shape = parseBlock(input.code, input.info ?? '');
  if (shape.kind === 'invalid') return fail(`The block cannot be applied: ${shape.reason}.`);
  const file = splitText(input.text);
  const fileStyle = detectIndent(file.lines);
  const restyle = (lines: string[], from: IndentStyle | undefined) => convertIndent(lines, from, fileStyle);
  const done = (lines: string[], how: PlanHow, summary: string, lands: Landing[], finalNewline = file.finalNewline): Plan => {
    const text = joinText(lines, file.eol, finalNewline);
    if (text === input.text) return fail(`${fileName} already contains this code: there is nothing to change.`);
    return { ok: true, text, how, summary, lands };
  };

  if (shape.kind === 'searchReplace') {
    if (shape.edits.length === 0) return fail('The block cannot be applied: it has no SEARCH/REPLACE blocks.');
    const style = detectIndent(shape.edits.flatMap((e) => [...e.search, ...e.replace]));
    const edits = shape.edits.map((e) => ({ search: restyle(e.search, style), replace: restyle(e.replace, style) }));
    const r = applySearchReplace(file.lines, edits, fileStyle, fileName);
    if (typeof r === 'string') return fail(`${r} Nothing was changed.`);
    const n = edits.length;
    return done(r.lines, 'searchReplace', `${n === 1 ? 'one SEARCH/REPLACE edit' : `${n} SEARCH/REPLACE edits`} in ${fileName} (${r.lands.map((l) => span(l.startLine, Math.max(l.startLine, l.endLine))).join(', ')})`, r.lands);
  }

  if (shape.kind === 'diff') {
    const style = detectIndent(shape.hunks.flatMap((h) => h.lines.map((l) => l.text)));
    const hunks = shape.hunks.map((h) => {
      const texts = restyle(h.lines.map((l) => l.text), style);
      return { ...h, lines: h.lines.map((l, i) => ({ op: l.op, text: texts[i]! })) };
    });
    const r = applyHunks(file.lines, hunks, fileStyle, fileName);
    if (typeof r === 'string') return fail(`${r} Nothing was changed.`);
    const n = hunks.length;
    return done(r.lines, 'diff', `${n === 1 ? 'one diff hunk' : `${n} diff hunks`} in ${fileName} (${r.lands.map((l) => span(l.startLine, Math.max(l.startLine, l.endLine))).join(', ')})`, r.lands);
  }

  // Plain code.
  let block = restyle(shape.lines, detectIndent(shape.lines));
  const pathLine = firstLineIsPathComment(block);
  // A first-line comment that only names the file is a label, not code (unless the file has it too).
  if (pathLine >= 0 && !file.lines.some((l) => normalize(l) === normalize(block[pathLine]!))) block = block.filter((_, i) => i !== pathLine);
  if (nonBlank(block).length === 0) return fail('The block is empty: there is nothing to apply.');
  const elided = elidedLine(block);
  if (elided >= 0) {
    return fail(
      `The block leaves code out (${quote(block[elided]!)}), so applying it would delete that code from ${fileName}. Ask for the complete code, or for SEARCH/REPLACE blocks.`,
    );
  }
  const region = input.region;
  const whole = (why: string): Plan => {
    const lines = trimBlankEdges(block);
    return done(lines, 'whole', `replaces the whole of ${fileName}${why}`, [{ startLine: 1, endLine: file.lines.length }], file.lines.length ? file.finalNewline : true);
  };

  if (region.kind === 'selection') {
    const at = locateSelection(input.text, region);
    if (typeof at === 'string') return fail(`The block cannot be placed: ${at}. Nothing was changed.`);
    const { start, end } = at;
    const before = input.text.slice(0, start);
    const after = input.text.slice(end);
    const wholeLines = (start === 0 || /[\r\n]$/.test(before)) && (end === input.text.length || /^[\r\n]/.test(after) || /[\r\n]$/.test(input.text.slice(start, end)));
    const startLine = before.split(/\r\n|\n|\r/).length;
    if (!wholeLines) {
      // Part of a line (or of several): the code goes in as it is, in the file's line endings.
      const code = trimBlankEdges(block).join(file.eol);
      const endLine = startLine + (input.text.slice(start, end).split(/\r\n|\n|\r/).length - 1);
      const text = before + (block.length > 1 ? code : code.trim()) + after;
      if (text === input.text) return fail(`${fileName} already contains this code: there is nothing to change.`);
      return { ok: true, text, how: 'selection', summary: `replaces the selection in ${fileName} (${span(startLine, endLine)})`, lands: [{ startLine, endLine }] };
    }
    const selected = input.text.slice(start, end).replace(/(\r\n|\n|\r)$/, '');
    const endLine = startLine + selected.split(/\r\n|\n|\r/).length - 1;
    const lines = replaceRegion(file.lines, startLine - 1, endLine, block, fileStyle);
    return done(lines, 'selection', `replaces the selection in ${fileName} (${span(startLine, endLine)})`, [{ startLine, endLine }]);
  }

  if (region.kind === 'range') {
    const at = locateRange(file.lines, region, fileName);
    if (typeof at === 'string') return fail(`The block cannot be placed: ${at}. Nothing was changed.`);
    const coversFile = nonBlank(file.lines.slice(0, at.start)).length === 0 && nonBlank(file.lines.slice(at.end)).length === 0;
    const a = anchorSnippet(block, file.lines);
    // About as long as the lines asked about: their new version, whatever else it resembles.
    const rangeSized = nonBlank(block).length <= 1.5 * nonBlank(file.lines.slice(at.start, at.end)).length + 2;
    if (!coversFile && !rangeSized && mayBeWholeFile(a, file.lines) && looksLikeWholeFile(block, file.lines)) return whole(' (the block is the complete file)');
    // The model may answer with the whole function around the lines asked about.
    const enclosing =
      a.kind === 'found' &&
      a.start <= at.start &&
      a.end >= at.end &&
      // It starts above the range, or at it but is about as long as the whole construct (not just the lines asked about).
      (a.start < at.start || (a.end > at.end && nonBlank(block).length >= 0.8 * nonBlank(file.lines.slice(a.start, a.end)).length));
    if (a.kind === 'found' && enclosing) {
      const lines = replaceRegion(file.lines, a.start, a.end, block.slice(a.blockFrom), fileStyle);
      return done(lines, 'snippet', `replaces ${quote(file.lines[a.start]!)} in ${fileName} (${span(a.start + 1, a.end)}), around the lines the question was about`, [
        { startLine: a.start + 1, endLine: a.end },
      ]);
    }
    const lines = replaceRegion(file.lines, at.start, at.end, block, fileStyle);
    const moved = at.start !== region.startLine - 1 ? `, where the code asked about now is` : '';
    return done(lines, 'range', `replaces ${span(at.start + 1, at.end)} of ${fileName}${moved}`, [{ startLine: at.start + 1, endLine: at.end }]);
  }

  // The whole file is the target: a complete file, or a part of it found by its first line.
  if (nonBlank(file.lines).length === 0) return whole(' (it is empty)');
  const a = anchorSnippet(block, file.lines);
  if (mayBeWholeFile(a, file.lines) && looksLikeWholeFile(block, file.lines)) return whole('');
  if (a.kind === 'found') {
    const lines = replaceRegion(file.lines, a.start, a.end, block.slice(a.blockFrom), fileStyle);
    return done(lines, 'snippet', `replaces ${quote(file.lines[a.start]!)} in ${fileName} (${span(a.start + 1, a.end)})`, [{ startLine: a.start + 1, endLine: a.end }]);
  }
  if (a.kind === 'ambiguous') {
    return fail(
      `The block's first line ${quote(a.line)} appears ${a.at.length} times in ${fileName} (lines ${a.at.map((x) => x + 1).join(', ')}), so it is not clear which to replace. Select the code to replace and Apply again. Nothing was changed.`,
    );
  }
  const small = nonBlank(block).length < 0.5 * nonBlank(file.lines).length && nonBlank(file.lines).length > 5;
  if (small) {
    return fail(
      `The block does not match any part of ${fileName} (${describeMismatch(file.lines, block)}), and it is much shorter than the file, so it is not taken as the whole file. Select the code it should replace and Apply again. Nothing was changed.`,
    );
  }
  return whole('');
}
