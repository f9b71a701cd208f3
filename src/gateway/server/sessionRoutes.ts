/** GET/PATCH/DELETE /sessions…: the stored history, with `session_id` as the public name of a store id. */
import { isValidSessionId, summarize, type Session, type SessionSummary } from '../../shared/session';
import { readJsonBody } from './body';
import type { ServerDeps } from './deps';
import { HttpError, sendEmpty, sendJson } from './httpError';
import { renameBodySchema } from './requestSchemas';
import type { Router } from './router';

export function summaryJson(s: SessionSummary) {
  const { id, ...rest } = s;
  return { session_id: id, ...rest };
}

export function sessionJson(s: Session) {
  const { id, ...rest } = s;
  return { session_id: id, status: summarize(s).status, ...rest };
}

/** 400 for a malformed id (path tricks included), so it never reaches the store. */
export function sessionIdParam(raw: string | undefined): string {
  if (!isValidSessionId(raw)) throw new HttpError(400, 'bad_request', 'invalid session id');
  return raw;
}

export function addSessionRoutes(router: Router, deps: ServerDeps): void {
  router.add('GET', '/sessions', async ({ res }) => {
    const list = await deps.store.list();
    sendJson(res, 200, { sessions: list.map(summaryJson) });
  });

  router.add('GET', '/sessions/:id', async ({ res, params }) => {
    const s = await deps.store.get(sessionIdParam(params.id));
    if (!s) throw new HttpError(404, 'not_found', 'session not found');
    sendJson(res, 200, sessionJson(s));
  });

  router.add('PATCH', '/sessions/:id', async ({ req, res, params }) => {
    const id = sessionIdParam(params.id);
    const body = await readJsonBody(req, renameBodySchema);
    await deps.store.rename(id, body.title);
    const s = await deps.store.get(id);
    if (!s) throw new HttpError(404, 'not_found', 'session not found');
    sendJson(res, 200, summaryJson(summarize(s)));
  });

  router.add('DELETE', '/sessions/:id', async ({ res, params }) => {
    const id = sessionIdParam(params.id);
    // Stop a reply still being written first, so its last write cannot resurrect the file.
    const turn = deps.chatService.turn(id);
    if (deps.chatService.cancel(id) && turn) await turn.finished;
    if (!(await deps.store.delete(id))) throw new HttpError(404, 'not_found', 'session not found');
    sendEmpty(res, 204);
  });
}
