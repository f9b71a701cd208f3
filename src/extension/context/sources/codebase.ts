/**
 * `@codebase`: a search of the codebase index for the question. Picked, it is a
 * chip that stands for the search; at send time it becomes a short line saying
 * what was searched (how far indexing had got) and the best snippets, each a
 * chip of its own (kind `snippet`: path, lines, ≈ tokens; a click opens the
 * file there) that goes through the fit check like any attachment and is
 * stored with the question. Once sent, the search is not run again: a
 * regenerate, or a send after removing a snippet, uses what is left.
 * `hearth.codebase.auto` adds the chip to every question.
 */
import type { ContextSource, SourceRow } from '../../../core/contextSource';
import type { ContextResult } from '../../../core/platform';
import { attachmentKind } from '../../../shared/attachmentKinds';
import { snippetAttachment } from '../../../shared/codebase/snippet';
import type { Attachment } from '../../../shared/session';
import type { CodebaseHit } from '../../codebase/codebaseService';
import { progressLabel, type CodebaseStatus } from '../../codebase/status';
import type { SourceDeps } from './deps';

/** The chip's name, before and after a send. */
export const CODEBASE_CHIP = '@codebase';

export class CodebaseSource implements ContextSource<null> {
  readonly kind = 'codebase';

  constructor(private readonly deps: SourceDeps) {}

  async search(query: string): Promise<SourceRow<null>[]> {
    const index = this.deps.codebase?.();
    if (!index || !attachmentKind(this.kind).mention!.startsWith(query.toLowerCase())) return [];
    const s = index.status();
    const description = s.state === 'indexing' ? progressLabel(s) : s.state === 'off' ? 'Open a folder to search its code' : `Search ${s.files.toLocaleString('en-US')} files for your question`;
    return [{ offer: null, candidate: { kind: this.kind, label: CODEBASE_CHIP, description } }];
  }

  async resolve(): Promise<ContextResult> {
    if (!this.deps.codebase?.()) return { error: 'The codebase can be searched only in a window with a folder open.' };
    return { attachments: [requestChip()] };
  }

  async reread(a: Attachment): Promise<Attachment> {
    return a;
  }

  autoChip(): Attachment | undefined {
    return this.deps.settings().codebase.auto && this.deps.codebase?.() ? requestChip() : undefined;
  }

  async expand(a: Attachment, question: string): Promise<Attachment[] | { error: string }> {
    // Already searched (a regenerate, or a send again after removing a snippet): what is left goes as it is.
    if (a.content !== '') return [a];
    const index = this.deps.codebase?.();
    if (!index) return { error: 'The codebase can be searched only in a window with a folder open. Remove the @codebase chip (✕) and send again.' };
    if (!question.trim()) return { error: 'Type a question for @codebase to search for.' };
    const hits = await index.search(question, this.deps.settings().codebase.maxSnippets);
    const status = index.status();
    return [{ ...a, content: searchSummary(status, hits.length) }, ...hits.map(snippetFromHit)];
  }
}

/** The chip before a send: empty until the question is searched. */
function requestChip(): Attachment {
  return { kind: 'codebase', name: CODEBASE_CHIP, content: '' };
}

/** The line that goes with the snippets: how much was searched (said while indexing), and what came of it. */
export function searchSummary(s: Pick<CodebaseStatus, 'state' | 'files' | 'indexedFiles' | 'messages'>, found: number): string {
  const files = (n: number) => `${n.toLocaleString('en-US')} file${n === 1 ? '' : 's'}`;
  const searched = s.state === 'indexing' ? `Searched ${s.indexedFiles.toLocaleString('en-US')} of ${files(s.files)} (still indexing)` : `Searched ${files(s.indexedFiles)}`;
  const result = found === 0 ? 'nothing matched the question.' : `the ${found === 1 ? 'snippet' : `${found} snippets`} below matched the question best.`;
  return [`${searched}: ${result}`, ...s.messages].join('\n');
}

export function snippetFromHit(h: CodebaseHit): Attachment {
  return snippetAttachment(h, { displayPath: h.displayPath, uri: h.uri.toString() });
}
