/**
 * The attachments of a question, checked just before it is sent. Chips are read
 * again first (a file changed since it was attached is sent as it is now); then
 * the question with them must fit the context window. It is never cut silently:
 * without the page's `cutToFit` the answer is "does not fit" with the figures,
 * so the user chooses; with it, attachments are cut, each marked as cut.
 */
import { checkFit, contextWindowFor, cutToFit } from '../shared/fit';
import type { ModelInfo } from '../shared/models';
import type { ContextState, TurnReply } from '../shared/protocol';
import type { Attachment } from '../shared/session';
import type { WorkspaceContext } from './platform';

export interface AttachmentCheck {
  content: string;
  attachments: Attachment[] | undefined;
  /** The page already chose to send a cut version. */
  cut: boolean;
  state: Pick<ContextState, 'contextLength' | 'reservedTokens'>;
  /** The model the question goes to (its window), when known. */
  model: ModelInfo | undefined;
  /** The workspace, to read chips again (absent in a browser tab: its files are sent as read). */
  context: WorkspaceContext | undefined;
  /** A question that does not fit carries its chips back even when reading them again changed nothing (nobody holds them: a command sent it). */
  echo: boolean;
}

export type Checked = { ok: true; attachments: Attachment[] } | { ok: false; reply: Extract<TurnReply, { kind: 'refused' | 'doesNotFit' }> };

export async function checkAttachments(c: AttachmentCheck): Promise<Checked> {
  const given = c.attachments ?? [];
  let list = given;
  // Asked even without chips: a setting may add a codebase search to every question.
  if (c.context) {
    const r = await c.context.refresh(list, c.content);
    if ('error' in r) return { ok: false, reply: { kind: 'refused', reason: r.error } };
    list = r.attachments;
  }
  if (!list.length) return { ok: true, attachments: [] };
  const input = { content: c.content, attachments: list, window: contextWindowFor(c.state.contextLength, c.model).tokens, reserved: c.state.reservedTokens };
  const report = checkFit(input);
  if (report.fits) return { ok: true, attachments: list };
  if (!c.cut) {
    // Only what reading again changed goes back: the page has the rest already.
    const changed = list.length !== given.length || list.some((a, i) => a.content !== given[i]?.content);
    return { ok: false, reply: { kind: 'doesNotFit', ...(changed || c.echo ? { attachments: list } : {}), report: { window: report.window, budget: report.budget, used: report.used } } };
  }
  const r = cutToFit(input);
  if (!r.report.fits) {
    const used = r.report.used.toLocaleString('en-US');
    const budget = r.report.budget.toLocaleString('en-US');
    return { ok: false, reply: { kind: 'refused', reason: `The question alone is about ${used} tokens, more than the ${budget} this model's context window leaves for it. Shorten the question.` } };
  }
  return { ok: true, attachments: r.attachments };
}
