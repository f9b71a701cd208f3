/**
 * Cheap, linear scans that run before marked sees any text, so hostile markdown
 * can neither overflow the stack nor make one block cost seconds to lex.
 *
 * marked recurses once per nesting level (block quotes, list items, emphasis), and
 * ~1,900 levels throw `RangeError: Maximum call stack size exceeded`. No real answer
 * nests more than a handful of levels, so a line that opens more than DEPTH_CAP
 * containers is shown as plain text instead of being lexed (see blocks.ts).
 */

/** Most nesting levels any line (or inline run) is lexed with. Real answers use < 10. */
export const DEPTH_CAP = 32;

const SPACE = 32;
const TAB = 9;
const NL = 10;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

/** End of the line that starts at `start` (the index of its '\n', or text.length). */
export function lineEnd(text: string, start: number): number {
  const i = text.indexOf('\n', start);
  return i < 0 ? text.length : i;
}

export interface LineDepth {
  /** Containers the line opens: `>`, list markers, plus two columns of indentation per level in front of them. */
  depth: number;
  /** False while the prefix could still grow: the line is unfinished and has only markers and blanks so far. */
  settled: boolean;
}

/** How deeply a line nests: what marked would recurse into before reaching the line's text. */
export function lineDepth(text: string, start: number, end: number): LineDepth {
  let i = start;
  let markers = 0;
  let lead = -1;
  while (i < end) {
    let cols = 0;
    while (i < end && isBlank(text.charCodeAt(i))) {
      cols += text.charCodeAt(i) === TAB ? 4 : 1;
      i++;
    }
    if (lead < 0) lead = cols;
    if (i >= end) break;
    const c = text.charCodeAt(i);
    const after = (j: number) => j >= end || isBlank(text.charCodeAt(j));
    let next = -1;
    if (c === 62 /* > */) next = i + 1;
    else if ((c === 42 /* * */ || c === 43 /* + */ || c === 45) /* - */ && after(i + 1)) next = i + 1;
    else if (isDigit(c)) {
      let j = i;
      while (j < end && j - i < 10 && isDigit(text.charCodeAt(j))) j++;
      const d = text.charCodeAt(j);
      if (j - i <= 9 && (d === 46 /* . */ || d === 41) /* ) */ && after(j + 1)) next = j + 1;
    }
    // A character of the line's own text: the prefix is complete.
    if (next < 0) return { depth: depth(markers, lead), settled: true };
    markers++;
    i = next;
    // Depth only grows along a line: past the cap the answer is known (and a megabyte of '>' is not scanned to its end).
    if (depth(markers, lead) > DEPTH_CAP) return { depth: depth(markers, lead), settled: true };
  }
  return { depth: depth(markers, lead), settled: end < text.length };
}

function depth(markers: number, lead: number): number {
  // Lists also nest by indentation (each level two or more columns deeper).
  return markers === 0 ? 0 : markers + Math.floor(Math.max(lead, 0) / 2);
}

/** The fence a line opens (as marked reads it: ≤ 3 spaces, then ``` without a ` after it, or ~~~), or undefined. */
export function fenceOpener(text: string, start: number, end: number): string | undefined {
  let i = start;
  while (i < end && i - start < 4 && text.charCodeAt(i) === SPACE) i++;
  if (i - start > 3) return undefined;
  const c = text.charCodeAt(i);
  if (c !== 96 /* ` */ && c !== 126 /* ~ */) return undefined;
  let j = i;
  while (j < end && text.charCodeAt(j) === c) j++;
  if (j - i < 3) return undefined;
  if (c === 96 && text.slice(j, end).includes('`')) return undefined;
  return text.slice(i, j);
}

/** Whether a line closes `fence`: ≤ 3 spaces, the fence, more fence characters, blanks. */
export function closesFence(text: string, start: number, end: number, fence: string): boolean {
  let i = start;
  while (i < end && i - start < 4 && text.charCodeAt(i) === SPACE) i++;
  if (i - start > 3 || !text.startsWith(fence, i)) return false;
  i += fence.length;
  while (i < end && (text.charCodeAt(i) === 96 || text.charCodeAt(i) === 126)) i++;
  while (i < end && text.charCodeAt(i) === SPACE) i++;
  return i === end;
}

/**
 * Where the fenced code block opened by the line at `start` ends: the index after
 * its closing line's newline, -1 while it is still open (or the closing line is
 * unfinished, so it could still turn out not to close it), undefined if that line
 * opens no fence.
 */
export function fenceEnd(text: string, start: number): number | undefined {
  const first = lineEnd(text, start);
  const fence = fenceOpener(text, start, first);
  if (!fence) return undefined;
  if (first >= text.length) return -1;
  for (let s = first + 1; s < text.length; ) {
    const e = lineEnd(text, s);
    if (e >= text.length) return -1;
    if (closesFence(text, s, e, fence)) return e + 1;
    s = e + 1;
  }
  return -1;
}

export interface Hazard {
  /** Start of the first line nested deeper than DEPTH_CAP. */
  start: number;
  /** End of the run of such lines (after its last newline), at most `maxLen` past `start`. */
  end: number;
  /** The run can no longer grow: a settled, shallower line follows, or the run was cut at `maxLen`. */
  settled: boolean;
}

/**
 * The first run of lines in [from, to) nested deeper than DEPTH_CAP, outside fenced
 * code (whose lines are never nested). `from` must be a line start outside a fence.
 */
export function findHazard(text: string, from: number, to: number, maxLen: number): Hazard | undefined {
  let fence: string | undefined;
  for (let s = from; s < to; ) {
    const e = lineEnd(text, s);
    if (fence) {
      if (closesFence(text, s, e, fence)) fence = undefined;
    } else if ((fence = fenceOpener(text, s, e)) === undefined && lineDepth(text, s, e).depth > DEPTH_CAP) {
      return hazardRun(text, s, maxLen);
    }
    s = e + 1;
  }
  return undefined;
}

function hazardRun(text: string, start: number, maxLen: number): Hazard {
  const limit = Math.min(text.length, start + maxLen);
  let s = start;
  for (;;) {
    const e = lineEnd(text, s);
    if (e >= limit) {
      // The run reaches the size cap (cut there, at a line end if there is one) or the end of the text.
      if (limit < text.length) return { start, end: s > start ? s : cutPoint(text, start, limit), settled: true };
      return { start, end: text.length, settled: false };
    }
    const next = e + 1;
    if (next >= text.length) return { start, end: next, settled: false };
    const n = lineDepth(text, next, lineEnd(text, next));
    if (!n.settled) return { start, end: next, settled: false };
    if (n.depth <= DEPTH_CAP) return { start, end: next, settled: true };
    s = next;
  }
}

/**
 * Where to cut text that must end by `limit`: the last blank line in the second half
 * of [from, limit), else the last line that starts at column 0 (a new list item, a
 * new paragraph line), else any line end, else a blank, else `limit` itself (never
 * between the halves of a surrogate pair). Scans at most (limit - from) / 2 chars.
 */
export function cutPoint(text: string, from: number, limit: number): number {
  if (limit >= text.length) return text.length;
  const floor = from + Math.ceil((limit - from) / 2);
  let line = -1;
  let anyLine = -1;
  let blank = -1;
  for (let i = limit - 1; i >= floor; i--) {
    const c = text.charCodeAt(i);
    if (c === NL) {
      if (i > from && text.charCodeAt(i - 1) === NL) return i + 1;
      if (anyLine < 0) anyLine = i + 1;
      if (line < 0 && i + 1 < limit && !isBlank(text.charCodeAt(i + 1))) line = i + 1;
    } else if (blank < 0 && isBlank(c)) {
      blank = i + 1;
    }
  }
  if (line > 0) return line;
  if (anyLine > 0) return anyLine;
  if (blank > 0) return blank;
  const hi = text.charCodeAt(limit - 1);
  return hi >= 0xd800 && hi <= 0xdbff ? limit - 1 : limit;
}

/** Blank-line separated pieces of [from, to), never cutting a fenced block: the fallback when lexing a window failed. */
export function paragraphs(text: string, from: number, to: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let fence: string | undefined;
  let pieceStart = from;
  for (let s = from; s < to; ) {
    const e = Math.min(lineEnd(text, s), to);
    if (fence) {
      if (closesFence(text, s, e, fence)) fence = undefined;
    } else if ((fence = fenceOpener(text, s, e)) === undefined && text.slice(s, e).trim() === '' && s > pieceStart) {
      out.push([pieceStart, Math.min(e + 1, to)]);
      pieceStart = Math.min(e + 1, to);
    }
    s = e + 1;
  }
  if (pieceStart < to) out.push([pieceStart, to]);
  return out;
}

/** Characters that start or delimit marked's inline constructs (emphasis, code, links, HTML, escapes). */
function isSpecial(c: number): boolean {
  return c === 42 || c === 95 || c === 126 || c === 96 || c === 91 || c === 93 || c === 33 || c === 60 || c === 62 || c === 92;
}

export interface InlineWeight {
  /** Markdown punctuation in the text (`*_~` ` ``[]!<>\`). */
  specials: number;
  /** Emphasis levels open at once at most (left-flanking runs minus right-flanking ones). */
  depth: number;
}

/**
 * Measures inline text (a paragraph, a heading, a table cell, or lines of one) before
 * marked lexes it. marked's inline lexing is quadratic in the number of punctuation
 * characters in the worst case: openers that find no closer scan everything after
 * them. Fuzzing ~17,000 shapes in V8 bounded it by 0.25 µs × specials² + 0.5 µs ×
 * length (`a._` repeated: 1,000 specials, 3 KB, 223 ms); prose is far cheaper.
 */
export function inlineWeight(src: string, from = 0, to = src.length): InlineWeight {
  let specials = 0;
  let open = 0;
  let max = 0;
  for (let i = from; i < to; ) {
    const c = src.charCodeAt(i);
    if (!isSpecial(c)) {
      i++;
      continue;
    }
    if (c !== 42 && c !== 95 && c !== 126) {
      specials++;
      i++;
      continue;
    }
    let j = i + 1;
    while (j < to && src.charCodeAt(j) === c) j++;
    specials += j - i;
    const before = i > from ? src.charCodeAt(i - 1) : Number.NaN;
    const after = j < to ? src.charCodeAt(j) : Number.NaN;
    const opens = !Number.isNaN(after) && after > SPACE && isSpaceOrPunct(before);
    const closes = !Number.isNaN(before) && before > SPACE && isSpaceOrPunct(after);
    // A run of n delimiters can open n levels (***x*** is em inside strong).
    if (opens && !closes) max = Math.max(max, (open += j - i));
    else if (closes && !opens) open = Math.max(0, open - (j - i));
    i = j;
  }
  return { specials, depth: max };
}

function isSpaceOrPunct(c: number): boolean {
  return Number.isNaN(c) || c <= SPACE || (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
}
