import { Lexer, type Token, type TokensList } from 'marked';
import { DEPTH_CAP, inlineCost } from './guard';

/** Counts lexer work, so tests can prove finished blocks are not re-parsed and budgets applied. */
export const lexStats = { calls: 0, chars: 0, plainInline: 0 };

export type Links = TokensList['links'];

/**
 * Inline lexing budgets, in units of `inlineCost` (emphasis-delimiter runs × length),
 * an upper bound on marked's emphasis matching, which is quadratic: `_a` repeated
 * costs ~1.1 ms per million units in V8 (12 M ≈ 13 ms), ordinary prose a hundredth
 * of that. A run over LEAF_BUDGET, or that would take its top-level block over
 * BLOCK_BUDGET, is kept as plain text rather than lexed; so is emphasis nested deeper
 * than DEPTH_CAP (marked recurses per level). Real answers stay far below all three.
 */
export const LEAF_BUDGET = 12_000_000;
export const BLOCK_BUDGET = 24_000_000;

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
    const { cost, depth } = inlineCost(run.src);
    const total = (spent.get(block) ?? 0) + cost;
    if (depth > DEPTH_CAP || cost > LEAF_BUDGET || total > BLOCK_BUDGET) {
      lexStats.plainInline++;
      run.tokens.push({ type: 'text', raw: run.src, text: run.src });
      continue;
    }
    spent.set(block, total);
    lexer.state.inRawBlock = false;
    lexer.inlineTokens(run.src, run.tokens);
  }
  lexer.inlineQueue = [];
  return lexer.tokens;
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
