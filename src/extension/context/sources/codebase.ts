/**
 * `@codebase` in VS Code: the core's source (src/core/codebaseSource.ts, which
 * a browser tab uses too) over the extension's CodebaseService; a hit's chip
 * opens its file at its lines.
 */
import { CodebaseSource as CoreCodebaseSource } from '../../../core/codebaseSource';
import { snippetAttachment } from '../../../shared/codebase/snippet';
import type { Attachment } from '../../../shared/session';
import type { CodebaseHit } from '../../codebase/codebaseService';
import type { SourceDeps } from './deps';

export { CODEBASE_CHIP, searchSummary } from '../../../core/codebaseSource';

export class CodebaseSource extends CoreCodebaseSource {
  constructor(deps: SourceDeps) {
    super({
      codebase: () => {
        const service = deps.codebase?.();
        return service && { status: () => service.status(), search: async (q, limit) => (await service.search(q, limit)).map(snippetFromHit) };
      },
      settings: () => deps.settings().codebase,
      unavailable: { off: 'Open a folder to search its code', refusal: 'The codebase can be searched only in a window with a folder open.' },
    });
  }
}

export function snippetFromHit(h: CodebaseHit): Attachment {
  return snippetAttachment(h, { displayPath: h.displayPath, uri: h.uri.toString() });
}
