/**
 * A search result as the attachment it becomes: one `snippet` (path, lines, the
 * text as found), the same whichever side searched — VS Code's `@codebase` or
 * the gateway's `"codebase": true` — so a stored session reads the same in both.
 */
import { safeLanguage } from '../attachments';
import { baseName, languageForFileName } from '../contextRules';
import type { Attachment } from '../session';
import type { SearchResult } from './schemas';

/** A snippet's longest text: a chunk is at most a screenful, this only guards the odd long line. */
export const MAX_SNIPPET_CHARS = 12_000;

/**
 * `displayPath`: the path shown and sent (a multi-root workspace puts the folder's
 * name first); `uri`: what a click on the chip opens (VS Code only).
 */
export function snippetAttachment(r: Pick<SearchResult, 'path' | 'start_line' | 'end_line' | 'text'>, where: { displayPath?: string; uri?: string } = {}): Attachment {
  const language = safeLanguage(languageForFileName(baseName(r.path)));
  return {
    kind: 'snippet',
    name: baseName(r.path) || r.path,
    path: where.displayPath ?? r.path,
    ...(where.uri ? { uri: where.uri } : {}),
    ...(language ? { language } : {}),
    range: { startLine: r.start_line, endLine: r.end_line },
    content: r.text.length > MAX_SNIPPET_CHARS ? r.text.slice(0, MAX_SNIPPET_CHARS) : r.text,
  };
}
