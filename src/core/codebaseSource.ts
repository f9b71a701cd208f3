/**
 * `@codebase`, the one context source both hosts use: VS Code's registry
 * (src/extension/context/sources/codebase.ts wraps it over the extension's
 * CodebaseService) and a browser tab's (src/core/browserContext.ts, over the
 * gateway's index). Picked, it is a chip that stands for a search; at send time
 * it becomes a short line saying what was searched (how far indexing had got)
 * and the best snippets, each a chip of its own (kind `snippet`: path, lines,
 * ≈ tokens) that goes through the fit check like any attachment and is stored
 * with the question. Once sent, the search is not run again: a regenerate, or a
 * send after removing a snippet, uses what is left. A setting
 * (`hearth.codebase.auto`) adds the chip to every question.
 */
import { attachmentKind } from '../shared/attachmentKinds';
import { progressLabel, type CodebaseStatus } from '../shared/codebase/status';
import type { Attachment } from '../shared/session';
import type { ContextSource, SourceRow } from './contextSource';
import type { ContextResult } from './platform';

/** The chip's name, before and after a send. */
export const CODEBASE_CHIP = '@codebase';

/** What the source asks of an index (one, or several folders'). */
export interface CodebaseSearcher {
  status(): CodebaseStatus;
  /** The best snippets for the question, best first, as `snippet` attachments. An index still building answers from what it has. */
  search(query: string, limit: number): Promise<Attachment[]>;
}

export interface CodebaseSourceOptions {
  /** The index; undefined when there is nothing to search (no folder open, a gateway without a workspace). */
  codebase(): CodebaseSearcher | undefined;
  settings(): { auto: boolean; maxSnippets: number };
  /** Why there is nothing to search, in the words of this host. */
  unavailable: {
    /** Said on the picker row while the index is off. */
    off: string;
    /** Said on a row offered without an index (a browser tab: its picker has nothing else to say); no row when absent. */
    absent?: string;
    /** Said when a chip is picked or sent without an index. */
    refusal: string;
  };
}

export class CodebaseSource implements ContextSource<null> {
  readonly kind = 'codebase';

  constructor(private readonly o: CodebaseSourceOptions) {}

  async search(query: string): Promise<SourceRow<null>[]> {
    const index = this.o.codebase();
    if (!attachmentKind(this.kind).mention!.startsWith(query.toLowerCase())) return [];
    const why = this.o.unavailable;
    if (!index && why.absent === undefined) return [];
    const s = index?.status();
    const description = !s ? why.absent! : s.state === 'off' ? why.off : s.state === 'indexing' ? progressLabel(s) : `Search ${s.files.toLocaleString('en-US')} files for your question`;
    return [{ offer: null, candidate: { kind: this.kind, label: CODEBASE_CHIP, description } }];
  }

  async resolve(): Promise<ContextResult> {
    if (!this.o.codebase()) return { error: this.o.unavailable.refusal };
    return { attachments: [requestChip()] };
  }

  async reread(a: Attachment): Promise<Attachment> {
    return a;
  }

  autoChip(): Attachment | undefined {
    return this.o.settings().auto && this.o.codebase() ? requestChip() : undefined;
  }

  async expand(a: Attachment, question: string): Promise<Attachment[] | { error: string }> {
    // Already searched (a regenerate, or a send again after removing a snippet): what is left goes as it is.
    if (a.content !== '') return [a];
    const index = this.o.codebase();
    if (!index) return { error: `${this.o.unavailable.refusal} Remove the @codebase chip (✕) and send again.` };
    if (!question.trim()) return { error: 'Type a question for @codebase to search for.' };
    const snippets = await index.search(question, this.o.settings().maxSnippets);
    return [{ ...a, content: searchSummary(index.status(), snippets.length) }, ...snippets];
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
