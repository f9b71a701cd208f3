/**
 * Does a question with its attachments fit the model's context window, and if
 * not, how is it cut? One piece of logic for the composer's count and warning
 * (the webview) and for what the core really sends, so the two never disagree.
 * Pure.
 *
 * Older turns do not count here: the engine leaves them out first (and says so).
 * What must fit is the new question, its attachments and the system prompt,
 * within the window minus the room kept for the answer.
 *
 * Cutting keeps the question whole and cuts attachments at whole lines, the
 * largest first (each is cut to the same share of what is left, so a small file
 * next to a huge one stays whole). Every cut attachment carries `truncated`, which
 * the heading the model sees and the chip the user sees both spell out.
 */
import { lineCount } from './attachments';
import type { ModelInfo } from './models';
import type { Attachment } from './session';
import { estimateAttachmentTokens, estimateTokens, MESSAGE_OVERHEAD } from './tokens';

/** The engine's num_ctx when the setting is 0: the model's own, capped here (DEFAULT_TUNING.contextCap). */
export const CONTEXT_CAP = 8192;
/** The engine's num_ctx when the model says nothing (DEFAULT_TUNING.fallbackContext). */
export const FALLBACK_CONTEXT = 4096;

/** Tokens kept free for the answer: a quarter of the window, at most 1024. */
export function answerReserve(numCtx: number): number {
  return Math.min(1024, Math.floor(numCtx / 4));
}

export interface ContextWindow {
  tokens: number;
  /** False when neither the setting nor the model list says (the engine's fallback is assumed). */
  known: boolean;
}

/**
 * The window a turn will get, as the engine decides it: the setting, else the
 * engine's own num_ctx for the model as the model list reports it (the Modelfile's
 * num_ctx, else the maximum, capped), else the maximum capped, else the fallback.
 */
export function contextWindowFor(setting: number, model?: Pick<ModelInfo, 'context_length' | 'effective_context'>): ContextWindow {
  if (setting > 0) return { tokens: Math.floor(setting), known: true };
  if (model?.effective_context && model.effective_context > 0) return { tokens: model.effective_context, known: true };
  const own = model?.context_length;
  if (own && own > 0) return { tokens: Math.min(own, CONTEXT_CAP), known: true };
  return { tokens: FALLBACK_CONTEXT, known: false };
}

export interface FitInput {
  content: string;
  attachments: readonly Attachment[];
  /** The context window in tokens. */
  window: number;
  /** Tokens already spoken for in every prompt (the system prompt). */
  reserved?: number;
}

export interface FitReport {
  window: number;
  /** What the prompt may use: the window minus the answer's room. */
  budget: number;
  /** Estimated tokens of the question as sent (attachments included), plus `reserved`. */
  used: number;
  /** Each attachment's share, in order (heading and fence included). */
  attachmentTokens: number[];
  fits: boolean;
}

/** Attachments do not change once made (state is immutable): each is measured once, not on every keystroke. */
const measured = new WeakMap<Attachment, number>();
function attachmentTokens(a: Attachment): number {
  let n = measured.get(a);
  if (n === undefined) measured.set(a, (n = estimateAttachmentTokens(a)));
  return n;
}

/**
 * The message's estimate as the sum of its parts (the question, each attachment as
 * formatted, the blank lines between them): at most a token per part above the
 * estimate of the joined text (rounding), so it errs on the safe side.
 */
export function checkFit(input: FitInput): FitReport {
  const budget = Math.max(0, input.window - answerReserve(input.window));
  const parts = input.attachments.map(attachmentTokens);
  const separators = estimateTokens('\n\n'.repeat(parts.length));
  const used = estimateTokens(input.content) + parts.reduce((a, b) => a + b, 0) + separators + MESSAGE_OVERHEAD + (input.reserved ?? 0);
  return { window: input.window, budget, used, attachmentTokens: parts, fits: used <= budget };
}

export interface CutResult {
  text: string;
  shownLines: number;
  totalLines: number;
  cut: boolean;
}

/** Keeps whole lines from the top while they fit in maxChars; a single over-long first line is cut by characters. */
export function cutToBudget(text: string, maxChars: number): CutResult {
  const lines = text.split('\n');
  const total = lines.length;
  if (text.length <= maxChars) return { text, shownLines: total, totalLines: total, cut: false };
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    const cost = line.length + (kept.length ? 1 : 0);
    if (used + cost > maxChars) break;
    kept.push(line);
    used += cost;
  }
  if (kept.length === 0) return { text: lines[0]!.slice(0, Math.max(0, maxChars)), shownLines: 1, totalLines: total, cut: true };
  return { text: kept.join('\n'), shownLines: kept.length, totalLines: total, cut: true };
}

/** The attachment with the first `maxChars` of its content (whole lines when possible), marked as cut. */
function cutTo(a: Attachment, original: { text: string; chars: number; lines: number }, maxChars: number): Attachment {
  const r = cutToBudget(original.text, maxChars);
  const wholeLines = r.text === original.text.split('\n').slice(0, r.shownLines).join('\n');
  return {
    ...a,
    content: r.text,
    truncated: wholeLines ? { originalChars: original.chars, originalLines: original.lines } : { originalChars: original.chars },
  };
}

/**
 * The attachment cut so that, as the model receives it, it takes at most
 * `maxTokens` (unchanged when it already does). Never returns more than asked,
 * except that a heading alone may exceed a tiny cap (then the content is empty).
 */
export function cutAttachment(a: Attachment, maxTokens: number): Attachment {
  if (estimateAttachmentTokens(a) <= maxTokens) return a;
  // An attachment cut before (edit-and-resend of a cut question) keeps its first length.
  const original = {
    text: a.content.replace(/\n$/, ''),
    chars: a.truncated?.originalChars ?? a.content.length,
    lines: a.truncated?.originalLines ?? lineCount(a.content),
  };
  // The estimate grows with the prefix: the largest prefix within the cap, by bisection.
  let lo = 0;
  let hi = original.text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (estimateAttachmentTokens(cutTo(a, original, mid)) <= maxTokens) lo = mid;
    else hi = mid - 1;
  }
  return cutTo(a, original, lo);
}

export interface CutToFitResult {
  attachments: Attachment[];
  /** Indexes of the attachments that were cut. */
  cut: number[];
  report: FitReport;
}

/**
 * Cuts attachments (never the question) until the message fits. When even empty
 * attachments would not fit (the question alone is too long), `report.fits` stays false.
 */
export function cutToFit(input: FitInput): CutToFitResult {
  const first = checkFit(input);
  if (first.fits) return { attachments: [...input.attachments], cut: [], report: first };
  const n = input.attachments.length;
  // What the question (and the separators between parts) costs on its own.
  const fixed = checkFit({ ...input, attachments: [] }).used + n;
  let slack = 0;
  let result: Attachment[] = [...input.attachments];
  let report = first;
  // The estimate of the whole is not exactly the sum of its parts (rounding): a few passes settle it.
  for (let pass = 0; pass < 6 && !report.fits; pass++) {
    const caps = waterFill(first.attachmentTokens, Math.max(0, first.budget - fixed - slack));
    result = input.attachments.map((a, i) => cutAttachment(a, caps[i]!));
    report = checkFit({ ...input, attachments: result });
    slack += Math.max(1, report.used - report.budget);
  }
  const cut = result.flatMap((a, i) => (a !== input.attachments[i] ? [i] : []));
  return { attachments: result, cut, report };
}

/** Per-item caps summing to at most `available`: small items keep their size, the big ones share what is left equally. */
function waterFill(costs: readonly number[], available: number): number[] {
  const order = costs.map((c, i) => [c, i] as const).sort((x, y) => x[0] - y[0]);
  const caps = new Array<number>(costs.length).fill(0);
  let remaining = available;
  let left = costs.length;
  for (const [cost, i] of order) {
    const share = Math.floor(remaining / left);
    const cap = Math.min(cost, share);
    caps[i] = cap;
    remaining -= cap;
    left--;
  }
  return caps;
}
