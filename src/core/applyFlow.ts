/**
 * Apply in the conversation: a code block of a reply in the open chat is
 * proposed as a change (the platform shows it for review: VS Code, a diff), and
 * the user's decision is kept with the reply — in TurnState at once (so the page
 * and every snapshot show it), and in the store. A reply still streaming may not
 * be in the store yet (its placeholder is written beside the model call): its
 * turn stores the marks after its final write (`storeMarks`, called by the turn).
 */
import { codeBlockKey, type ApplyState } from '../shared/codeBlocks';
import type { HostToWebview } from '../shared/protocol';
import type { SessionStore } from '../shared/session';
import { findBlock } from './apply/fences';
import { questionTargets, type ApplyOutcome } from './apply/target';
import type { Platform } from './platform';
import type { TurnStart, TurnState } from './turnState';

export interface ApplyFlowDeps {
  platform: Pick<Platform, 'editor' | 'applyCode'>;
  store: Pick<SessionStore, 'get' | 'updateMessage'>;
  turns: TurnState<TurnStart>;
  post(m: HostToWebview): void;
  log(line: string): void;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class ApplyFlow {
  constructor(private readonly d: ApplyFlowDeps) {}

  /**
   * Proposes the block (only a block of the reply's answer text qualifies — never
   * its reasoning, never a block still being written) with what the question was
   * about (its attachments with a URI and range) as the first place to apply to,
   * and records the user's decision with the reply. Resolves once the user
   * decided, or with why nothing was proposed. Never throws.
   */
  async apply(messageId: string, code: string): Promise<ApplyOutcome> {
    const failed = (message: string): ApplyOutcome => ({ status: 'failed', message });
    if (!this.d.platform.editor) return failed('Applying code needs a workspace: it works in Hearth inside VS Code. Use Copy here.');
    const s = this.d.turns.session();
    const at = s ? s.messages.findIndex((x) => x.id === messageId) : -1;
    const reply = s?.messages[at];
    if (!s || !reply || reply.role !== 'assistant') return failed('That reply is no longer in the open chat.');
    const block = findBlock(reply.content, code, reply.status !== 'streaming');
    if (!block) return failed('Only a complete code block of the reply itself can be applied (not its reasoning, not a block still being written).');
    const question = s.messages.slice(0, at).reverse().find((x) => x.role === 'user');
    let outcome: ApplyOutcome;
    try {
      outcome = await this.d.platform.applyCode({ code: block.code, info: block.info, targets: questionTargets(question?.attachments) });
    } catch (e) {
      this.d.log(`apply failed: ${e instanceof Error ? e.name : 'unknown error'}`);
      return failed(`Hearth could not apply the block: ${errorText(e)}. Nothing was changed.`);
    }
    if (outcome.status === 'applied' || outcome.status === 'rejected') await this.record(s.id, messageId, codeBlockKey(block.code), outcome.status);
    return outcome;
  }

  /** Writes the reply's marks not yet stored (if any). Never throws. */
  async storeMarks(sessionId: string, messageId: string): Promise<void> {
    const applied = this.d.turns.marksOf(messageId);
    if (!applied) return;
    try {
      await this.d.store.updateMessage(sessionId, messageId, { applied });
      this.d.turns.markStored(messageId, applied);
    } catch (e) {
      this.d.log(`could not store the apply outcome: ${errorText(e)}`);
    }
  }

  /** Keeps what became of a block with its reply (so a reload shows it), stores it, and tells the page. */
  private async record(sessionId: string, messageId: string, key: string, state: ApplyState): Promise<void> {
    const turns = this.d.turns;
    if (!turns.mark(sessionId, messageId, key, state)) {
      // Not in the open chat any more (another chat was opened meanwhile): the stored reply, if it still exists.
      const prior = (await this.d.store.get(sessionId).catch(() => undefined))?.messages.find((m) => m.id === messageId);
      if (!prior) return; // the session or reply is gone (deleted, regenerated)
      turns.mark(sessionId, messageId, key, state, prior.applied ?? {});
    }
    if (turns.live?.live.id !== messageId) await this.storeMarks(sessionId, messageId);
    this.d.post({ type: 'applyState', sessionId, messageId, key, state });
  }
}
