import { Lexer, type Token, type TokensList } from 'marked';

/** Counts lexer work, so tests can prove finished blocks are not re-parsed. */
export const lexStats = { calls: 0, chars: 0 };

export type Links = TokensList['links'];

/** marked's lexer (GFM), seeded with reference definitions seen in earlier blocks. */
export function lexMarkdown(src: string, links?: Links): TokensList {
  lexStats.calls++;
  lexStats.chars += src.length;
  const lexer = new Lexer({ gfm: true });
  if (links) Object.assign(lexer.tokens.links, links);
  return lexer.lex(src);
}

export type { Token };
