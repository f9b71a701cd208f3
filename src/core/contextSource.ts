/**
 * One source of attachments behind the `@` picker (files, the selection,
 * problems, the uncommitted changes…). The host's WorkspaceContext keeps a
 * registry of them: it asks each for rows, remembers what each row offers under
 * an id of its own (the page names an offer by id only, never a path), has the
 * source resolve a picked row, and before a send has the source of each chip's
 * kind read it again when the kind's descriptor says so (`reread: 'atSend'`).
 *
 * No `vscode` here: a source's logic can run in unit tests with fakes; `Offer`
 * is whatever the source needs to read the row later (a URI, a range, a repository).
 */
import type { AttachmentKind } from '../shared/attachmentKinds';
import type { ContextCandidate } from '../shared/protocol';
import type { Attachment } from '../shared/session';
import type { ContextResult } from './platform';

/** A picker row before the registry gives it an id, with what picking it reads. */
export interface SourceRow<Offer> {
  candidate: Omit<ContextCandidate, 'id'>;
  offer: Offer;
}

export interface ContextSource<Offer = unknown> {
  /** The kind of attachment it makes: the chips it reads again at send. */
  readonly kind: AttachmentKind;
  /**
   * Rows for the text typed after `@` (trimmed, as typed: compare without case; empty for a bare `@`).
   * Sources whose kind has a `mention` word list theirs first once something is typed;
   * a source with nothing to say for the query returns none.
   */
  search(query: string): Promise<SourceRow<Offer>[]>;
  /** What a picked row gives, or a sentence saying why not. */
  resolve(offer: Offer): Promise<ContextResult>;
  /** The chip as it is now, just before a send (kinds with `reread: 'atSend'`); an error refuses the send with that sentence. */
  reread(attachment: Attachment): Promise<Attachment | { error: string }>;
  /**
   * Optional: at send time, the chips this one stands for, given the question
   * (`@codebase` becomes the snippets a search of the question finds). Called
   * instead of `reread` when present.
   */
  expand?(attachment: Attachment, question: string): Promise<Attachment[] | { error: string }>;
  /** Optional: a chip to add to every question that has none of this kind (a setting says so), expanded like a picked one. */
  autoChip?(): Attachment | undefined;
  dispose?(): void;
}
