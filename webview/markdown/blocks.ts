import { lexMarkdown, type Links, type Token } from './lexer';

export interface Block {
  /** Offset of the block's raw text in the whole message: with the raw text, its identity. */
  offset: number;
  raw: string;
  token: Token;
  /** True for the still-open last block, which is re-parsed as text arrives. */
  open: boolean;
}

export type Lex = (src: string, links?: Links) => Token[] & { links?: Links };

/**
 * Incremental markdown for one streaming message. A block is finished once the
 * lexer has started another non-blank block after it: nothing appended later can
 * change it (markdown blocks only close forwards), so it is parsed once and kept.
 * Each update re-lexes only the text after the last finished block.
 */
export class MarkdownBlocks {
  private stable: Block[] = [];
  private stableText = '';
  private links: Links = Object.create(null);
  private lastText = '';
  private lastResult: Block[] = [];

  constructor(private readonly lex: Lex = lexMarkdown) {}

  update(input: string): Block[] {
    const text = input.indexOf('\r') >= 0 ? input.replace(/\r\n?/g, '\n') : input;
    if (text === this.lastText && this.lastResult.length > 0) return this.lastResult;
    if (!text.startsWith(this.stableText)) this.reset();
    const offset0 = this.stableText.length;
    const rest = text.slice(offset0);
    const tokens = rest ? this.lex(rest, this.links) : [];

    let lastContent = -1;
    for (let i = tokens.length - 1; i >= 0; i--) {
      if (tokens[i]!.type !== 'space') {
        lastContent = i;
        break;
      }
    }
    // Only promote when the tokens account for every character: otherwise offsets would drift.
    const consistent = tokens.reduce((n, t) => n + t.raw.length, 0) === rest.length;
    let offset = offset0;
    const tail: Block[] = [];
    tokens.forEach((token, i) => {
      const finished = consistent && i < lastContent;
      const block: Block = { offset, raw: token.raw, token, open: !finished && i === lastContent };
      offset += token.raw.length;
      if (finished) {
        this.stable.push(block);
        this.stableText += token.raw;
        if (token.type === 'def') this.links[token.tag] = { href: token.href, title: token.title };
      } else {
        tail.push(block);
      }
    });
    this.lastText = text;
    this.lastResult = tail.length ? this.stable.concat(tail) : this.stable.slice();
    return this.lastResult;
  }

  /** Marks the whole text as finished (the reply ended): the tail is no longer open. */
  finish(input: string): Block[] {
    return this.update(input).map((b) => (b.open ? { ...b, open: false } : b));
  }

  private reset(): void {
    this.stable = [];
    this.stableText = '';
    this.links = Object.create(null);
    this.lastText = '';
    this.lastResult = [];
  }
}
