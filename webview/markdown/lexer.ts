import { Lexer, type Token, type TokensList } from 'marked';
import { DEPTH_CAP, inlineWeight } from './guard';

/** Counts lexer work, so tests can prove finished blocks are not re-parsed and budgets applied. */
export const lexStats = { calls: 0, chars: 0, plainInline: 0 };

export type Links = TokensList['links'];

/**
 * Inline lexing budgets, in specials² (see `inlineWeight`): worst case 0.25 µs each.
 * Inline text under PIECE_WEIGHT (≤ 244 specials: nearly every paragraph) is lexed
 * in one piece. Longer text is lexed in groups of lines of at most GROUP_SPECIALS
 * (the sum of squares of small groups stays small); a single line over PIECE_WEIGHT
 * is kept as plain text. Once a top-level block has spent BLOCK_WEIGHT, the rest of
 * its inline text is plain. So inline work is at most ~25 ms per block whatever the
 * text; emphasis nested deeper than DEPTH_CAP (marked recurses per level) is plain.
 */
export const PIECE_WEIGHT = 60_000;
export const BLOCK_WEIGHT = 100_000;
const GROUP_SPECIALS = 64;

/**
 * marked's lexer (GFM), seeded with reference definitions seen in earlier blocks.
 * It runs marked's two passes itself (block structure, then the queued inline runs)
 * so each inline run can be measured, and charged to its top-level block, before it
 * is lexed.
 */
export function lexMarkdown(src: string, links?: Links): TokensList {
  lexStats.calls++;
  lexStats.chars += src.length;
  const lexer = new Lexer({ gfm: true });
  if (links) Object.assign(lexer.tokens.links, links);
  lexer.blockTokens(src.replace(/\r\n|\r/g, '\n'), lexer.tokens);
  const owner = new Map<Token[], number>();
  lexer.tokens.forEach((t, i) => mapInline(t, i, owner));
  const spent = new Map<number, number>();
  for (const run of lexer.inlineQueue) {
    const block = owner.get(run.tokens) ?? -1;
    lexer.state.inRawBlock = false;
    for (const [from, to] of pieces(run.src)) {
      const { specials, depth } = inlineWeight(run.src, from, to);
      const weight = specials * specials;
      const total = (spent.get(block) ?? 0) + weight;
      const piece = run.src.slice(from, to);
      if (depth > DEPTH_CAP || weight > PIECE_WEIGHT || total > BLOCK_WEIGHT) {
        lexStats.plainInline++;
        run.tokens.push({ type: 'text', raw: piece, text: piece });
        continue;
      }
      spent.set(block, total);
      // A hard line break at the end of a piece needs the next line to be one: keep it.
      const br = to < run.src.length ? /(?: {2,}|\\)\n$/.exec(piece) : null;
      lexer.inlineTokens(br ? piece.slice(0, br.index) : piece, run.tokens);
      if (br) run.tokens.push({ type: 'br', raw: br[0] });
    }
  }
  lexer.inlineQueue = [];
  return lexer.tokens;
}

/** Inline text as one piece, or, when it is over PIECE_WEIGHT, as groups of whole lines. */
function pieces(src: string): Array<[number, number]> {
  if (inlineWeight(src).specials ** 2 <= PIECE_WEIGHT) return [[0, src.length]];
  const out: Array<[number, number]> = [];
  let start = 0;
  let specials = 0;
  for (let s = 0; s < src.length; ) {
    const nl = src.indexOf('\n', s);
    const e = nl < 0 ? src.length : nl + 1;
    const line = inlineWeight(src, s, e).specials;
    if (s > start && specials + line > GROUP_SPECIALS) {
      out.push([start, s]);
      start = s;
      specials = 0;
    }
    specials += line;
    s = e;
  }
  out.push([start, src.length]);
  return out;
}

/** Which top-level block each (still empty) inline token array belongs to. */
function mapInline(token: Token, block: number, owner: Map<Token[], number>): void {
  const t = token as { type: string; tokens?: Token[]; items?: Token[]; header?: Array<{ tokens: Token[] }>; rows?: Array<Array<{ tokens: Token[] }>> };
  if (Array.isArray(t.tokens)) {
    owner.set(t.tokens, block);
    for (const c of t.tokens) mapInline(c, block, owner);
  }
  if (Array.isArray(t.items)) for (const item of t.items) mapInline(item, block, owner);
  if (t.type === 'table') {
    for (const cell of t.header ?? []) owner.set(cell.tokens, block);
    for (const row of t.rows ?? []) for (const cell of row) owner.set(cell.tokens, block);
  }
}

export type { Token };
