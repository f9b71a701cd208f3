/**
 * What a completion request carries: the text around the cursor cut to a token
 * budget at line boundaries (the cursor's surroundings first), and a few
 * snippets of other files. Pure; the extension and the gateway both use it, so
 * a 5 MB file or a 1 MB minified line costs the same bounded work everywhere.
 */
import { estimateTokens } from '../tokens';
import type { FimSnippet } from './fimFormats';

/** Prefix + suffix budget for a small model's window (tokens, by the shared estimate). */
export const DEFAULT_CONTEXT_TOKENS = 1536;
/** Snippets from other files: at most this many, this big each, this much together. */
export const MAX_SNIPPETS = 3;
export const SNIPPET_TOKENS = 256;
export const SNIPPETS_TOTAL_TOKENS = 512;

/** The share of the budget the suffix may use (what it leaves goes to the prefix). */
const SUFFIX_SHARE = 0.25;

export interface CutContext {
  prefix: string;
  suffix: string;
  /** Something before / after the cursor was left out. */
  prefixCut: boolean;
  suffixCut: boolean;
}

/**
 * The end of `prefix` and the start of `suffix` within `budget` tokens: whole
 * lines, nearest to the cursor first; the cursor's own line is cut mid-line only
 * when it alone is over the budget (minified code).
 */
export function cutAroundCursor(prefix: string, suffix: string, budget = DEFAULT_CONTEXT_TOKENS): CutContext {
  const suffixBudget = Math.floor(budget * SUFFIX_SHARE);
  const s = takeHead(suffix, suffixBudget);
  const p = takeTail(prefix, budget - estimateTokens(s));
  return { prefix: p, suffix: s, prefixCut: p.length < prefix.length, suffixCut: s.length < suffix.length };
}

/** The last lines of text within budget tokens (the line the cursor is on is kept, cut from its start if it must be). */
function takeTail(text: string, budget: number): string {
  let start = text.length;
  let used = 0;
  for (;;) {
    if (start === 0) return text;
    const nl = text.lastIndexOf('\n', start - 1);
    const from = nl + 1;
    // A line of more than 4 characters per token left is over budget whatever it holds: no need to count it.
    const cost = (start - from) / 4 > budget - used ? Infinity : estimateTokens(text.slice(from, start)) + 1;
    if (used + cost > budget) {
      // The cursor's own line over budget: keep its end, character by character.
      if (start === text.length) return text.slice(Math.max(0, text.length - budget * 3));
      return text.slice(start + 1); // start is the newline before the kept lines

    }
    used += cost;
    if (nl < 0) return text;
    start = nl;
  }
}

/** The first lines of text within budget tokens (the cursor's line cut at its end if it alone is over). */
function takeHead(text: string, budget: number): string {
  let end = 0;
  let used = 0;
  for (;;) {
    if (end >= text.length) return text;
    const nl = text.indexOf('\n', end);
    const to = nl < 0 ? text.length : nl + 1;
    const cost = (to - end) / 4 > budget - used ? Infinity : estimateTokens(text.slice(end, to));
    if (used + cost > budget) {
      if (end === 0) return text.slice(0, Math.max(0, budget * 3));
      return text.slice(0, end);
    }
    used += cost;
    end = to;
  }
}

/**
 * Snippets for the prompt from candidate files (most relevant first): each cut to
 * its head, whole lines, and the whole set to a budget. Blank ones are dropped.
 */
export function pickSnippets(candidates: readonly FimSnippet[], max = MAX_SNIPPETS, each = SNIPPET_TOKENS, total = SNIPPETS_TOTAL_TOKENS): FimSnippet[] {
  const out: FimSnippet[] = [];
  let used = 0;
  for (const c of candidates) {
    if (out.length >= max) break;
    const text = takeHead(c.text, Math.min(each, total - used)).trimEnd();
    if (!text.trim()) continue;
    used += estimateTokens(text);
    out.push({ path: c.path, text });
    if (used >= total) break;
  }
  return out;
}

/**
 * Text that is not code: a NUL, or more than 10 % control or replacement
 * characters in its first 8,000 (a binary file opened as text). Never sent.
 */
export function looksBinary(text: string): boolean {
  const n = Math.min(text.length, 8000);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return true;
    if (c < 9 || (c > 13 && c < 32 && c !== 27) || c === 0xfffd) control++;
  }
  return n > 0 && control / n > 0.1;
}

/** Words of code that say nothing about which other file helps (keywords, common names). */
const QUERY_STOPWORDS = new Set(
  'abstract as async await bool boolean break case catch char class const continue def default del delete do double elif else enum export extends false final finally float fn for from func function go if impl import in instanceof int interface is let match mod module mut new nil none not null number object of or package pass private protected pub public raise return self static str string struct super switch this throw throws true try type typeof undefined use var void while with yield'.split(
    ' ',
  ),
);

/**
 * A codebase search for the text before the cursor (inline completion's snippets
 * from the index): the identifiers of its last `lines` lines, nearest the cursor
 * first, without keywords and without the word being typed, at most `max`; ''
 * when there is nothing to search.
 */
export function codebaseQuery(prefix: string, lines = 12, max = 12): string {
  // The word being typed is left out: the query stays the same while it grows, so a search is not repeated per keystroke.
  const text = prefix.slice(-4000).replace(/[A-Za-z0-9_$]+$/, '');
  const tail = text.split('\n').slice(-lines).reverse();
  const out: string[] = [];
  const seen = new Set<string>();
  for (const line of tail) {
    const words = line.match(/[A-Za-z_$][A-Za-z0-9_$]*/g) ?? [];
    for (const w of words.reverse()) {
      const key = w.toLowerCase();
      if (w.length < 3 || QUERY_STOPWORDS.has(key) || seen.has(key)) continue;
      seen.add(key);
      out.push(w);
      if (out.length >= max) return out.join(' ');
    }
  }
  return out.join(' ');
}
