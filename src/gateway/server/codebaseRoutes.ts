/**
 * GET /index and GET /search: the standalone gateway's codebase index (the
 * folder given by HEARTH_WORKSPACE or --workspace), behind the token; and the
 * retrieval a chat question with `"codebase": true` gets as attachments.
 */
import { SEARCH_LIMIT, type IndexStatus, type SearchResult } from '../../shared/codebase/schemas';
import { snippetAttachment } from '../../shared/codebase/snippet';
import type { Attachment } from '../../shared/session';
import type { ServerDeps } from './deps';
import { HttpError, sendJson } from './httpError';
import { abortOnClose } from './modelRoutes';
import type { Router } from './router';

/** What the routes need of the index (CodebaseIndex provides it). */
export interface CodebaseSearch {
  state(): IndexStatus;
  search(query: string, options: { limit?: number; signal?: AbortSignal }): Promise<SearchResult[]>;
}

/** The status of a gateway started without a workspace. */
export const INDEX_OFF: IndexStatus = { state: 'off', files: 0, indexed_files: 0, chunks: 0, embeddings: null, capped: false, skipped: { binary: 0, too_large: 0, unreadable: 0, outside: 0 }, message: null };

/** How many snippets a question with `"codebase": true` receives. */
export const CODEBASE_SNIPPETS = 5;
/** Longest question searched (longer text is cut; a search needs its words, not a page). */
const MAX_QUERY_CHARS = 2000;

function offError(): HttpError {
  return new HttpError(409, 'index_off', 'the codebase index is off: start the gateway with HEARTH_WORKSPACE=<folder> or `npm start -- --workspace <folder>`');
}

function parseLimit(raw: string | null): number {
  if (raw === null || raw === '') return SEARCH_LIMIT.default;
  if (!/^\d{1,3}$/.test(raw) || Number(raw) < SEARCH_LIMIT.min || Number(raw) > SEARCH_LIMIT.max) {
    throw new HttpError(400, 'bad_request', `limit must be an integer from ${SEARCH_LIMIT.min} to ${SEARCH_LIMIT.max}`);
  }
  return Number(raw);
}

export function addCodebaseRoutes(router: Router, deps: ServerDeps): void {
  router.add('GET', '/index', ({ res }) => {
    sendJson(res, 200, deps.codebase?.state() ?? INDEX_OFF);
  });

  router.add('GET', '/search', async ({ res, url }) => {
    const q = url.searchParams.get('q') ?? '';
    if (q.trim() === '') throw new HttpError(400, 'bad_request', 'q (the text to search for) is required');
    if (q.length > MAX_QUERY_CHARS) throw new HttpError(400, 'bad_request', `q must be at most ${MAX_QUERY_CHARS} characters`);
    const limit = parseLimit(url.searchParams.get('limit'));
    const index = deps.codebase;
    if (!index || index.state().state === 'off') throw offError();
    const results = await index.search(q, { limit, signal: abortOnClose(res).signal });
    sendJson(res, 200, { results });
  });
}

/** The snippets for a question, as attachments of kind `snippet` (as VS Code's `@codebase` stores them); 409 when the index is off. */
export async function codebaseAttachments(deps: ServerDeps, question: string, signal?: AbortSignal): Promise<Attachment[]> {
  const index = deps.codebase;
  if (!index || index.state().state === 'off') throw offError();
  const results = await index.search(question.slice(0, MAX_QUERY_CHARS), { limit: CODEBASE_SNIPPETS, ...(signal ? { signal } : {}) });
  return results.map((r) => snippetAttachment(r));
}
