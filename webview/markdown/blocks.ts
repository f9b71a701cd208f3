import { cutPoint, fenceEnd, findHazard, paragraphs } from './guard';
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

/** Why a block is shown as plain text instead of markdown. */
export type PlainReason = 'depth' | 'error' | 'slow';

/** A block kept as the model's text: rendered verbatim, never lexed. */
export interface PlainToken {
  type: 'plain';
  raw: string;
  text: string;
  reason: PlainReason;
}

/**
 * Most characters lexed in one go. A single block longer than this (a list or
 * paragraph a looping model never ends) is cut at a line boundary into pieces of at
 * most this size, each lexed once; fenced code is exempt (lexing it is a linear
 * scan). With the inline budgets in lexer.ts and the depth cap in guard.ts this
 * bounds the cost of every lexer call, so also of the open block re-lexed per frame:
 * 16 KB of the costliest shapes found lex in under 4 ms in Chromium (bench/markdown.bench.ts).
 */
export const WINDOW_CHARS = 16_384;

/**
 * Safety net for shapes no budget foresaw: an open block whose lexing took longer
 * than this is shown as plain text until the reply ends (then lexed once), instead
 * of being re-lexed every frame.
 */
export const SLOW_LEX_MS = 50;

function plain(raw: string, reason: PlainReason): Token {
  return { type: 'plain', raw, text: raw, reason } satisfies PlainToken;
}

/**
 * Incremental markdown for one streaming message. A block is finished once the
 * lexer has started another non-blank block after it: nothing appended later can
 * change it (markdown blocks only close forwards), so it is parsed once and kept.
 * Each update re-lexes only the text after the last finished block.
 *
 * Hostile text cannot take this down or make it slow: lines nested deeper
 * than DEPTH_CAP become plain blocks without being lexed; at most WINDOW_CHARS are
 * lexed per call; a lexer call that throws anyway is retried paragraph by paragraph
 * and what still fails is kept as plain text. Every cut depends on the text alone,
 * so a streamed reply and the same reply reopened show the same blocks.
 */
export class MarkdownBlocks {
  private stable: Block[] = [];
  private stableText = '';
  private links: Links = Object.create(null);
  private lastText = '';
  private lastFinal = false;
  private lastResult: Block[] = [];
  /** Offset of an open block that lexed slower than SLOW_LEX_MS (shown plain while open). */
  private slowAt = -1;

  constructor(
    private readonly lex: Lex = lexMarkdown,
    private readonly now: () => number = () => performance.now(),
  ) {}

  update(input: string, final = false): Block[] {
    const text = input.indexOf('\r') >= 0 ? input.replace(/\r\n?/g, '\n') : input;
    if (text === this.lastText && final === this.lastFinal && this.lastResult.length > 0) return this.lastResult;
    if (!text.startsWith(this.stableText)) this.reset();
    const tail: Block[] = [];
    let pos = this.stableText.length;
    while (pos < text.length) {
      if (!final && pos === this.slowAt) {
        tail.push(this.block(pos, plain(text.slice(pos), 'slow'), true));
        break;
      }
      const windowEnd = text.length - pos > WINDOW_CHARS ? cutPoint(text, pos, pos + WINDOW_CHARS) : text.length;
      const hazard = findHazard(text, pos, windowEnd, WINDOW_CHARS);
      if (hazard && hazard.start === pos) {
        const b = this.block(pos, plain(text.slice(pos, hazard.end), 'depth'), !hazard.settled);
        if (!hazard.settled) {
          tail.push(b);
          break;
        }
        this.promote(b);
        pos = hazard.end;
        continue;
      }
      // Text before a too-deep line is complete (the line after it exists): all of it is final.
      const end = hazard ? hazard.start : windowEnd;
      const started = this.now();
      let tokens = this.safeLex(text, pos, end);
      const took = this.now() - started;
      const blocks = this.place(tokens, pos);
      if (hazard) {
        blocks.forEach((b) => this.promote(b));
        pos = end;
        continue;
      }
      const last = lastContent(blocks);
      if (end < text.length) {
        // A window cut by size: blocks before the last one in it are finished as usual.
        if (last > 0 && blocks.slice(0, last).some((b) => b.token.type !== 'space')) {
          blocks.slice(0, last).forEach((b) => this.promote(b));
          pos = blocks[last]!.offset;
          continue;
        }
        // One block fills the window. Fenced code is read to its closing fence instead.
        const only = blocks[Math.max(last, 0)]!;
        const close = only.token.type === 'code' ? fenceEnd(text, only.offset) : undefined;
        if (close !== undefined) {
          const stop = close < 0 ? text.length : close;
          tokens = this.safeLex(text, pos, stop);
          const fenced = this.place(tokens, pos);
          if (close < 0) {
            this.settleTail(fenced, tail, final);
            break;
          }
          fenced.forEach((b) => this.promote(b));
          pos = stop;
          continue;
        }
        // Anything else is cut here: the piece is final, the rest starts a new block.
        blocks.forEach((b) => this.promote(b));
        pos = end;
        continue;
      }
      const open = this.settleTail(blocks, tail, final);
      if (!final && open >= 0 && took > SLOW_LEX_MS) this.slowAt = open;
      break;
    }
    this.lastText = text;
    this.lastFinal = final;
    this.lastResult = tail.length ? this.stable.concat(tail) : this.stable.slice();
    return this.lastResult;
  }

  /** Marks the whole text as finished (the reply ended): the tail is no longer open. */
  finish(input: string): Block[] {
    return this.update(input, true).map((b) => (b.open ? { ...b, open: false } : b));
  }

  /** Blocks of the text's end: all but the last non-blank one are finished. Returns the open block's offset. */
  private settleTail(blocks: Block[], tail: Block[], final: boolean): number {
    const last = lastContent(blocks);
    blocks.forEach((b, i) => {
      if (i < last) this.promote(b);
      else tail.push(i === last && !final ? { ...b, open: true } : b);
    });
    return last >= 0 ? blocks[last]!.offset : -1;
  }

  /** Lexes text[from, to); a lexer failure falls back to paragraph by paragraph, then to plain text. */
  private safeLex(text: string, from: number, to: number): Token[] {
    const src = text.slice(from, to);
    const tokens = this.tryLex(src);
    if (tokens) return tokens;
    const out: Token[] = [];
    for (const [a, b] of paragraphs(text, from, to)) {
      const piece = text.slice(a, b);
      out.push(...(this.tryLex(piece) ?? [plain(piece, 'error')]));
    }
    return out;
  }

  private tryLex(src: string): Token[] | undefined {
    try {
      const tokens = this.lex(src, this.links);
      // Offsets are only right if the tokens account for every character.
      if (tokens.reduce((n, t) => n + t.raw.length, 0) === src.length) return tokens;
    } catch {
      // Stack overflow or a lexer bug: the caller retries smaller, then keeps plain text.
    }
    return undefined;
  }

  private place(tokens: Token[], offset: number): Block[] {
    return tokens.map((token) => {
      const b = this.block(offset, token, false);
      offset += token.raw.length;
      return b;
    });
  }

  private block(offset: number, token: Token, open: boolean): Block {
    return { offset, raw: token.raw, token, open };
  }

  private promote(b: Block): void {
    this.stable.push(b.open ? { ...b, open: false } : b);
    this.stableText += b.raw;
    if (b.token.type === 'def') this.links[b.token.tag] = { href: b.token.href, title: b.token.title };
  }

  private reset(): void {
    this.stable = [];
    this.stableText = '';
    this.links = Object.create(null);
    this.lastText = '';
    this.lastResult = [];
    this.slowAt = -1;
  }
}

function lastContent(blocks: Block[]): number {
  for (let i = blocks.length - 1; i >= 0; i--) if (blocks[i]!.token.type !== 'space') return i;
  return -1;
}
