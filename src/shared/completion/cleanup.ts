/**
 * What a model's raw fill-in-the-middle answer may show in the editor. Small
 * models repeat the text after the cursor, close a bracket the suffix already
 * closes, loop on a line, think aloud or answer with chat prose; this keeps the
 * part that belongs between prefix and suffix, or nothing. Pure.
 */
import { ALL_FIM_TOKENS } from './fimFormats';

/** One line inside an expression; a block on an empty line or at the start of a body. */
export type CompletionShape = 'line' | 'block';

const OPENS_BODY = /(?:[{([:]|=>|\bdo|\bthen)\s*$/;

export function completionShape(prefix: string, suffix: string): CompletionShape {
  const before = currentLineBefore(prefix);
  const after = currentLineAfter(suffix);
  if (after.trim() !== '') return 'line';
  if (before.trim() === '') return 'block';
  return OPENS_BODY.test(before) ? 'block' : 'line';
}

const currentLineBefore = (prefix: string) => prefix.slice(prefix.lastIndexOf('\n') + 1);
const currentLineAfter = (suffix: string) => {
  const nl = suffix.indexOf('\n');
  return nl < 0 ? suffix : suffix.slice(0, nl);
};

/** A first line that is a chat model talking, not code. */
const PROSE = /^(?:sure\b|certainly\b|of course\b|here(?:'s| is| are)\b|i (?:can|will|would|'d|'ll)\b|to (?:complete|fill|implement)\b|the (?:completion|missing|code)\b|this (?:code|function)\b|below is\b|okay\b|let me\b)/i;

const OPEN = '([{';
const CLOSE = ')]}';
const QUOTES = ['"', "'", '`'];

/**
 * The text to show for a raw answer, or '' when there is nothing worth showing.
 * `shape` defaults to what the cursor's position asks for.
 */
export function cleanCompletion(raw: string, prefix: string, suffix: string, shape: CompletionShape = completionShape(prefix, suffix)): string {
  let text = stripThinking(raw);
  text = cutAtSpecialToken(text);
  const fenced = unfence(text);
  if (fenced === undefined) return '';
  text = fenced;

  const before = currentLineBefore(prefix);
  const after = currentLineAfter(suffix);

  if (shape === 'line') {
    if (text.startsWith('\n') || text.startsWith('\r\n')) return '';
    const nl = text.indexOf('\n');
    if (nl >= 0) text = text.slice(0, nl);
    text = text.replace(/\r$/, '');
    text = cutRepeatOfSuffix(text, after);
    text = cutUnmatchedCloser(text, suffix);
    text = dropDoubledQuote(text, before, after);
    text = text.trimEnd();
    if (!text.trim()) return '';
    if (isRepeatOfPreviousLine(before + text, prefix)) return '';
    return text;
  }

  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const firstSuffixLine = suffix.split('\n').find((l) => l.trim() !== '')?.trim();
  // Lines indented less than the body the cursor is in have left it.
  const bodyIndent = indentOf(before) + (before.trim() === '' ? 0 : 1);
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const t = line.trim();
    // The suffix's next line: the model has reached the text after the cursor.
    if (t && firstSuffixLine && t === firstSuffixLine) break;
    // A model looping on the same line.
    if (t && i > 0 && t === lines[i - 1]!.trim()) break;
    // Leaving the body the cursor is in (a closing line the suffix already has, or the next function).
    if (i > 0 && t && indentOf(line) < bodyIndent && suffix.trim() !== '') break;
    kept.push(line);
  }
  text = kept.join('\n').trimEnd();
  if (kept.length === 1) {
    text = cutRepeatOfSuffix(text, after);
    text = cutUnmatchedCloser(text, suffix);
  }
  if (!text.trim()) return '';
  const firstLine = (before + text.split('\n').find((l) => l.trim() !== '')!).trim();
  if (isRepeatOfPreviousLine(firstLine, prefix)) return '';
  return text;
}

/** `<think>…</think>` removed; an unclosed `<think>` hides all after it; a lone `</think>` hides all before it. */
export function stripThinking(text: string): string {
  let t = text.replace(/<think>[\s\S]*?<\/think>\s*/g, '');
  const open = t.indexOf('<think>');
  if (open >= 0) t = t.slice(0, open);
  const close = t.lastIndexOf('</think>');
  if (close >= 0) t = t.slice(close + '</think>'.length).replace(/^\s*\n/, '');
  return t;
}

function cutAtSpecialToken(text: string): string {
  let end = text.length;
  for (const tok of ALL_FIM_TOKENS) {
    const i = text.indexOf(tok);
    if (i >= 0 && i < end) end = i;
  }
  return text.slice(0, end);
}

/** Code inside a fence when the answer is fenced; undefined when it reads as chat prose. */
function unfence(text: string): string | undefined {
  const lead = text.trimStart();
  if (lead.startsWith('```')) {
    const body = lead.slice(lead.indexOf('\n') + 1);
    const close = body.indexOf('```');
    return (close >= 0 ? body.slice(0, close) : body).replace(/\n$/, '');
  }
  const first = lead.split('\n', 1)[0] ?? '';
  return PROSE.test(first) ? undefined : text;
}

/** Stops where the completion starts writing the rest of the cursor's line again. */
function cutRepeatOfSuffix(text: string, after: string): string {
  const rest = after.trim();
  // One character (`;`, `,`): only at the very end; brackets and quotes are left to the balance rules.
  if (rest.length === 1) return text.endsWith(rest) && !(OPEN + CLOSE + QUOTES.join('')).includes(rest) ? text.slice(0, -1) : text;
  if (rest.length < 2) return text;
  const i = text.indexOf(rest);
  return i >= 0 ? text.slice(0, i) : text;
}

/**
 * Cuts at the first closer that closes a bracket opened before the cursor when
 * the suffix closes it already (`foo(` + `a, b)` + `)` → `a, b`).
 */
function cutUnmatchedCloser(text: string, suffix: string): string {
  const next = suffix.trimStart()[0];
  if (!next || !CLOSE.includes(next)) return text;
  const stack: string[] = [];
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (QUOTES.includes(ch)) quote = ch;
    else if (OPEN.includes(ch)) stack.push(ch);
    else if (CLOSE.includes(ch)) {
      if (stack.length === 0) return ch === next ? text.slice(0, i) : text;
      stack.pop();
    }
  }
  return text;
}

/** Drops a closing quote the suffix already supplies (`'abc` + `'` + `'`). */
function dropDoubledQuote(text: string, before: string, after: string): string {
  const q = text[text.length - 1];
  if (!q || !QUOTES.includes(q) || after[0] !== q) return text;
  const count = (s: string) => s.split(q).length - 1;
  return (count(before) + count(text) + count(after)) % 2 === 1 ? text.slice(0, -1) : text;
}

/** The line is a copy of the nearest non-blank line above the cursor's. */
function isRepeatOfPreviousLine(line: string, prefix: string): boolean {
  const t = line.trim();
  if (!t) return false;
  const lines = prefix.split('\n');
  lines.pop();
  for (let i = lines.length - 1; i >= 0 && i >= lines.length - 50; i--) {
    const prev = lines[i]!.trim();
    if (prev) return prev === t;
  }
  return false;
}

function indentOf(line: string): number {
  let n = 0;
  for (const ch of line) {
    if (ch === ' ') n++;
    else if (ch === '\t') n += 4;
    else break;
  }
  return n;
}
