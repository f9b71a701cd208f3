/** POST /complete: inline completion over HTTP for other editors (fill in the middle, cleaned). */
import { isGatewayError } from '../engine/errors';
import { readJsonBody } from './body';
import type { ServerDeps } from './deps';
import { HttpError, sendJson } from './httpError';
import { abortOnClose } from './modelRoutes';
import { completeBodySchema } from './requestSchemas';
import type { Router } from './router';

export function addCompletionRoutes(router: Router, deps: ServerDeps): void {
  router.add('POST', '/complete', async ({ req, res }) => {
    const body = await readJsonBody(req, completeBodySchema);
    // A client that goes away closes the request to the model at once.
    const ac = abortOnClose(res);
    try {
      const out = await deps.completion.complete({
        prefix: body.prefix,
        suffix: body.suffix,
        ...(body.model ? { model: body.model } : {}),
        ...(body.language ? { language: body.language } : {}),
        ...(body.path ? { path: body.path } : {}),
        ...(body.max_tokens ? { maxTokens: body.max_tokens } : {}),
        signal: ac.signal,
      });
      if (!res.writableEnded && !res.destroyed) sendJson(res, 200, { completion: out.completion, model: out.model, prompt: out.prompt, timings: out.timings });
    } catch (e) {
      if (ac.signal.aborted) return; // nobody is left to answer
      if (isGatewayError(e)) {
        const status = e.code === 'capability' || e.code === 'model_not_found' || e.code === 'bad_request' ? 422 : e.code === 'timeout' ? 504 : 502;
        throw new HttpError(status, e.code, e.message);
      }
      throw e;
    }
  });
}
