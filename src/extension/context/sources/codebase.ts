/**
 * `codebase` snippets in VS Code: chips the codebase index retrieved go as
 * captured (its descriptor says so). The picker offers nothing here yet: the
 * `@codebase` row, and the index over `vscode.workspace.fs` it searches, are
 * still to be built on src/shared/codebase (see its README).
 */
import type { ContextSource, SourceRow } from '../../../core/contextSource';
import type { ContextResult } from '../../../core/platform';
import type { Attachment } from '../../../shared/session';

export class CodebaseSource implements ContextSource<never> {
  readonly kind = 'codebase';

  async search(): Promise<SourceRow<never>[]> {
    return [];
  }

  async resolve(): Promise<ContextResult> {
    return { error: 'Codebase search is not available in VS Code yet.' };
  }

  /** Never asked (reread: asCaptured): a snippet goes as it was retrieved with its question. */
  async reread(a: Attachment): Promise<Attachment> {
    return a;
  }
}
