/**
 * Lines, line endings and indentation: what a proposal must keep from the file
 * it changes. Model output arrives with LF endings and whatever indentation the
 * model liked; the result is written in the file's own EOL and indent style.
 * Pure.
 */

export type Eol = '\n' | '\r\n';

export interface SplitText {
  lines: string[];
  eol: Eol;
  /** The text ends with a line break. */
  finalNewline: boolean;
}

/** The file's line ending: the more common of CRLF and LF (LF when there is no break). */
export function detectEol(text: string): Eol {
  let crlf = 0;
  let lf = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    if (i > 0 && text.charCodeAt(i - 1) === 13) crlf++;
    else lf++;
  }
  return crlf > lf ? '\r\n' : '\n';
}

/** Splits on any line break (CRLF, LF, lone CR). A final break does not make an empty last line. */
export function splitText(text: string): SplitText {
  const eol = detectEol(text);
  const finalNewline = /(\r\n|\n|\r)$/.test(text);
  const body = finalNewline ? text.replace(/(\r\n|\n|\r)$/, '') : text;
  return { lines: text === '' ? [] : body.split(/\r\n|\n|\r/), eol, finalNewline };
}

export function joinText(lines: readonly string[], eol: Eol, finalNewline: boolean): string {
  if (lines.length === 0) return '';
  return lines.join(eol) + (finalNewline ? eol : '');
}

export const isBlank = (line: string): boolean => line.trim() === '';

export function leadingWhitespace(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

export interface IndentStyle {
  kind: 'tabs' | 'spaces';
  /** Spaces per level (for tabs: the columns a tab stands for when converting). */
  unit: number;
  /** The unit was seen in the text, not assumed. */
  sure: boolean;
}

const TAB_COLUMNS = 4;

/** Columns of leading whitespace, a tab counting `tabColumns`. */
export function indentColumns(line: string, tabColumns = TAB_COLUMNS): number {
  let n = 0;
  for (const ch of leadingWhitespace(line)) n += ch === '\t' ? tabColumns : 1;
  return n;
}

/**
 * How lines are indented: tabs or spaces (whichever starts more lines) and, for
 * spaces, the step most often seen between a line and the next deeper one.
 * Undefined when no line is indented. A single leading space (JSDoc's " * ")
 * does not count as indentation.
 */
export function detectIndent(lines: readonly string[]): IndentStyle | undefined {
  let tabs = 0;
  let spaces = 0;
  const steps = new Map<number, number>();
  let prev: number | undefined;
  for (const line of lines) {
    if (isBlank(line)) continue;
    const ws = leadingWhitespace(line);
    if (ws.startsWith('\t')) tabs++;
    else if (ws.length >= 2) spaces++;
    const cols = ws.includes('\t') ? undefined : ws.length;
    if (cols !== undefined && prev !== undefined && cols > prev && cols - prev >= 2 && cols - prev <= 8 && !/^\s*\*/.test(line)) {
      steps.set(cols - prev, (steps.get(cols - prev) ?? 0) + 1);
    }
    if (cols !== undefined && !/^\s*\*/.test(line)) prev = cols;
  }
  if (tabs === 0 && spaces === 0) return undefined;
  if (tabs > spaces) return { kind: 'tabs', unit: TAB_COLUMNS, sure: true };
  let unit = 0;
  let best = 0;
  for (const [step, count] of [...steps].sort((a, b) => a[0] - b[0])) {
    if (count > best) {
      unit = step;
      best = count;
    }
  }
  return unit ? { kind: 'spaces', unit, sure: true } : { kind: 'spaces', unit: TAB_COLUMNS, sure: false };
}

/** Leading whitespace for `columns` columns in a style (remainders stay spaces). */
function indentFor(columns: number, style: IndentStyle): string {
  if (style.kind === 'spaces') return ' '.repeat(columns);
  return '\t'.repeat(Math.floor(columns / style.unit)) + ' '.repeat(columns % style.unit);
}

/**
 * Re-indents lines written in one style into another: tabs ↔ spaces, and
 * 2 ↔ 4 spaces when both steps are known. Levels are kept; the text after the
 * indentation is never touched.
 */
export function convertIndent(lines: readonly string[], from: IndentStyle | undefined, to: IndentStyle | undefined): string[] {
  if (!from || !to) return [...lines];
  const sameKind = from.kind === to.kind;
  if (sameKind && (from.kind === 'tabs' || from.unit === to.unit || !from.sure || !to.sure)) return [...lines];
  // Spaces of unknown step going to tabs: assume the file's tab width.
  const fromUnit = from.kind === 'tabs' ? TAB_COLUMNS : from.sure ? from.unit : to.unit;
  const toUnit = to.unit;
  return lines.map((line) => {
    if (isBlank(line)) return line;
    const ws = leadingWhitespace(line);
    const cols = indentColumns(ws, fromUnit);
    const levels = Math.floor(cols / fromUnit);
    const rest = cols % fromUnit;
    return indentFor(levels * toUnit + rest, to) + line.slice(ws.length);
  });
}

/** Smallest indentation (columns) of the non-blank lines; 0 when there are none. */
export function minIndent(lines: readonly string[], tabColumns = TAB_COLUMNS): number {
  let min = Infinity;
  for (const l of lines) if (!isBlank(l)) min = Math.min(min, indentColumns(l, tabColumns));
  return min === Infinity ? 0 : min;
}

/**
 * Moves every non-blank line `delta` columns right (or left, never past the
 * text), writing the indentation in `style`.
 */
export function shiftIndent(lines: readonly string[], delta: number, style: IndentStyle | undefined): string[] {
  if (delta === 0) return [...lines];
  const s: IndentStyle = style ?? { kind: 'spaces', unit: TAB_COLUMNS, sure: false };
  return lines.map((line) => {
    if (isBlank(line)) return line;
    const ws = leadingWhitespace(line);
    const cols = Math.max(0, indentColumns(ws, s.unit) + delta);
    return indentFor(cols, s) + line.slice(ws.length);
  });
}

/**
 * One text edit (character offsets into `oldText`) that turns it into
 * `newText`, touching as little as possible: the unchanged head and tail are
 * left alone, so cursors, folds and breakpoints elsewhere stay where they are.
 */
export function minimalEdit(oldText: string, newText: string): { start: number; end: number; text: string } | undefined {
  if (oldText === newText) return undefined;
  let start = 0;
  const max = Math.min(oldText.length, newText.length);
  while (start < max && oldText.charCodeAt(start) === newText.charCodeAt(start)) start++;
  let endOld = oldText.length;
  let endNew = newText.length;
  while (endOld > start && endNew > start && oldText.charCodeAt(endOld - 1) === newText.charCodeAt(endNew - 1)) {
    endOld--;
    endNew--;
  }
  // Never split a CRLF pair between the kept and the replaced part.
  if (start > 0 && oldText.charCodeAt(start - 1) === 13 && oldText.charCodeAt(start) === 10) start--;
  if (endOld < oldText.length && oldText.charCodeAt(endOld - 1) === 13 && oldText.charCodeAt(endOld) === 10) {
    endOld++;
    endNew++;
  }
  return { start, end: endOld, text: newText.slice(start, endNew) };
}
