/**
 * The fenced code blocks of a reply's markdown, as the core sees them: to check
 * that a block the page asks to apply really is in the reply's answer (never in
 * its reasoning) and to read its full info string. Follows CommonMark's fence
 * rules: ``` or ~~~, closed only by the same character at least as long with
 * nothing after it, so a fence inside the code does not end the block. Pure.
 */
import { normalizeCode } from '../../shared/codeBlocks';

export interface FencedBlock {
  code: string;
  /** The info string after the opening fence (language and whatever follows). */
  info: string;
  /** The first word of the info string. */
  language?: string;
  /** The closing fence was seen. */
  closed: boolean;
  /** 0-based line of the opening fence. */
  line: number;
}

const OPEN = /^( {0,3})(`{3,}|~{3,})(.*)$/;

/** Every fenced block, in order. Blocks inside a `<think>…</think>` section are left out. */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const out: FencedBlock[] = [];
  let thinking = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!thinking && /^\s*<think>/.test(line)) thinking = !/<\/think>/.test(line);
    else if (thinking && /<\/think>/.test(line)) thinking = false;
    // Fences nested in list items or quotes are found by their marker after the container's.
    const m = OPEN.exec(line) ?? OPEN.exec(line.replace(/^\s*(?:[-*+]|\d{1,9}[.)]|>)\s+/, (p) => ' '.repeat(Math.min(p.length, 3))));
    if (!m) continue;
    const fence = m[2]!;
    const info = m[3]!.trim();
    // A backtick fence's info string may not contain a backtick (that is inline code).
    if (fence[0] === '`' && info.includes('`')) continue;
    // The column of the fence (after a list marker, the item's content column).
    const indent = line.indexOf(fence);
    const body: string[] = [];
    let closed = false;
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j]!;
      const t = l.trim();
      if (t.startsWith(fence[0]!.repeat(fence.length)) && /^(`+|~+)$/.test(t) && t[0] === fence[0] && l.length - l.trimStart().length < indent + 4) {
        closed = true;
        break;
      }
      // The opening fence's indentation is removed from the code's lines (as markdown renderers do).
      body.push(l.replace(new RegExp(`^ {0,${indent}}`), ''));
    }
    if (!thinking) {
      const language = info.split(/\s+/)[0] || undefined;
      out.push({ code: body.join('\n'), info, ...(language ? { language } : {}), closed, line: i });
    }
    i = j;
  }
  return out;
}

/**
 * The block of `content` whose code is `code` (compared after normalizing line
 * ends and trailing space). An unclosed block counts only once the reply is
 * over (a model may forget the closing fence); while it streams it may still grow.
 */
export function findBlock(content: string, code: string, replyFinished: boolean): FencedBlock | undefined {
  const want = normalizeCode(code);
  if (!want) return undefined;
  return fencedBlocks(content).find((b) => (b.closed || replyFinished) && normalizeCode(b.code) === want);
}
