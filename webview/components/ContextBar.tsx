/**
 * Above the message box: the chips of the question being written, the current
 * file offered with one click, and the estimated total against the model's
 * context window. When the question does not fit, the warning says so before
 * anything is sent and offers the cut version (or removing chips).
 */
import { answerReserve, type FitReport } from '../../src/shared/fit';
import type { Attachment } from '../../src/shared/session';
import { AttachmentChip, chipLabel, cutNote, formatTokens } from './Attachments';

export interface CurrentFileOffer {
  label: string;
  /** Why it cannot be attached (too large, binary). */
  problem?: string;
  onAdd(): void;
}

interface Props {
  attachments: readonly Attachment[];
  /** The current file, going with the question because of hearth.context.includeCurrentFile. */
  auto?: Attachment;
  offer?: CurrentFileOffer;
  /** The fit of the question with `auto` and `attachments`, in that order. */
  report: FitReport;
  /** False when the window is the engine's guess (the model list does not say). */
  windowKnown: boolean;
  onRemove(index: number): void;
  onDismissAuto(): void;
  onOpen?: (a: Attachment) => void;
}

export function ContextBar({ attachments, auto, offer, report, windowKnown, onRemove, onDismissAuto, onOpen }: Props) {
  if (!auto && attachments.length === 0 && !offer) return null;
  const shift = auto ? 1 : 0;
  const open = (a: Attachment) => (onOpen && a.uri ? { onOpen: () => onOpen(a) } : {});
  const total = `≈ ${formatTokens(report.used)} / ${formatTokens(report.window)} tokens`;
  const totalTitle = `The question with its attachments is about ${report.used.toLocaleString('en-US')} tokens. The context window is ${report.window.toLocaleString('en-US')}${windowKnown ? '' : ' (assumed: the model does not say)'}, of which ${answerReserve(report.window).toLocaleString('en-US')} are kept for the answer. Older turns are left out first when the whole chat does not fit.`;
  return (
    <div class="context-bar">
      <div class="chips" role="list" aria-label="Attached context">
        {auto && (
          <span role="listitem">
            <AttachmentChip attachment={auto} tokens={report.attachmentTokens[0]} auto onRemove={onDismissAuto} {...open(auto)} />
          </span>
        )}
        {attachments.map((a, i) => (
          <span role="listitem" key={`${a.kind}:${a.uri ?? a.name}:${a.range?.startLine ?? ''}:${i}`}>
            <AttachmentChip attachment={a} tokens={report.attachmentTokens[i + shift]} onRemove={() => onRemove(i)} {...open(a)} />
          </span>
        ))}
        {offer && (
          <button type="button" class="chip chip-offer" onClick={offer.onAdd} disabled={!!offer.problem} title={offer.problem ?? `Add the current file, ${offer.label}`} aria-label={`Add current file ${offer.label}`}>
            <span class="codicon codicon-add" aria-hidden="true" />
            <span class="chip-name">{offer.label}</span>
          </button>
        )}
      </div>
      {(auto || attachments.length > 0) && (
        <span class={`context-total${report.fits ? '' : ' over'}`} title={totalTitle} aria-label={`Context use: ${total}`}>
          {total}
        </span>
      )}
    </div>
  );
}

interface FitWarningProps {
  report: Pick<FitReport, 'used' | 'budget' | 'window'>;
  /** What the cut version would send, per attachment that would be cut; undefined when even a cut cannot fit. */
  cuts?: readonly Attachment[];
  onSendCut(): void;
  onCancel(): void;
}

/** The question does not fit: said before sending, with the two ways out. */
export function FitWarning({ report, cuts, onSendCut, onCancel }: FitWarningProps) {
  return (
    <div class="fit-warning" role="alertdialog" aria-label="Too large for the context window">
      <p>
        <span class="codicon codicon-warning" aria-hidden="true" /> <strong>Too large for the model's context window.</strong> This question with its attachments is about{' '}
        {report.used.toLocaleString('en-US')} tokens; the window of {report.window.toLocaleString('en-US')} leaves room for about {report.budget.toLocaleString('en-US')} after the answer's share.
      </p>
      {cuts ? (
        <>
          <p>Send a cut version, or remove attachments (✕) until it fits. Cut, the model receives:</p>
          <ul class="fit-cuts">
            {cuts.map((a, i) => (
              <li key={i}>
                <strong>{chipLabel(a)}</strong>: {cutNote(a)}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p>Even without its attachments the question is too long: shorten it.</p>
      )}
      <div class="fit-actions">
        {cuts && (
          <button type="button" class="fit-send-cut" onClick={onSendCut}>
            Send cut version
          </button>
        )}
        <button type="button" class="fit-cancel" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
