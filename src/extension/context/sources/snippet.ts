/**
 * Snippets found by `@codebase` (see codebase.ts, which makes them). Not in the
 * picker and not read again: a snippet goes as it was found at send time, so a
 * regenerate or an export shows exactly what the model was given.
 */
import type { ContextSource, SourceRow } from '../../../core/contextSource';
import type { ContextResult } from '../../../core/platform';
import type { Attachment } from '../../../shared/session';
import type { SourceDeps } from './deps';

export class SnippetSource implements ContextSource<never> {
  readonly kind = 'snippet';

  // The registry hands every source its deps; a snippet needs none of them.
  constructor(_deps: SourceDeps) {}

  async search(): Promise<SourceRow<never>[]> {
    return [];
  }

  async resolve(): Promise<ContextResult> {
    return { error: 'Snippets come from @codebase; type @codebase and your question.' };
  }

  async reread(a: Attachment): Promise<Attachment> {
    return a;
  }
}
