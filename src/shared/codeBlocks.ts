/**
 * What the chat remembers about applying a reply's code blocks. A block is
 * named by a key derived from its code (both sides compute it: the core when it
 * records an outcome, the page when it shows one), so no block numbering has to
 * agree between the page's markdown parser and the core's. Pure.
 */
import * as z from 'zod'; // namespace import: lets esbuild drop zod's locales from the webview bundle

/** The outcome of applying a block, as the chat shows it. */
export const APPLY_STATES = ['applied', 'rejected'] as const;
export const applyStateSchema = z.enum(APPLY_STATES);
export type ApplyState = z.infer<typeof applyStateSchema>;

export const blockKeySchema = z.string().regex(/^b[0-9a-z]{1,38}$/, 'invalid block key');

/** Code as it is compared: LF line ends, no trailing blank lines or trailing whitespace at the end. */
export function normalizeCode(code: string): string {
  return code.replace(/\r\n?/g, '\n').replace(/\s+$/, '');
}

/**
 * A short stable key for a code block (FNV-1a over the normalized code, plus its
 * length). Identical blocks in one reply share a key, and so share their state.
 */
export function codeBlockKey(code: string): string {
  const s = normalizeCode(code);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return `b${(h >>> 0).toString(36)}${s.length.toString(36)}`;
}
