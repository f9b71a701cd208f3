/** GET /health, GET /models, POST /models/pull (SSE progress). */
import type { ServerResponse } from 'node:http';
import { isGatewayError } from '../engine/errors';
import { readJsonBody } from './body';
import type { ServerDeps } from './deps';
import { HttpError, sendJson } from './httpError';
import { pullBodySchema } from './requestSchemas';
import type { Router } from './router';
import { SseStream } from './sse';

export function addModelRoutes(router: Router, deps: ServerDeps): void {
  router.add(
    'GET',
    '/health',
    async ({ res }) => {
      const ac = abortOnClose(res);
      const h = await deps.engine.health(ac.signal);
      sendJson(res, 200, {
        status: h.reachable ? 'ok' : 'degraded',
        ollama: { reachable: h.reachable, version: h.version ?? null, ...(h.error ? { error: h.error } : {}) },
      });
    },
    { auth: false },
  );

  router.add('GET', '/models', async ({ res }) => {
    const models = await deps.engine.listModels(abortOnClose(res).signal);
    sendJson(res, 200, { models });
  });

  router.add('POST', '/models/pull', async ({ req, res }) => {
    const { model } = await readJsonBody(req, pullBodySchema);
    const pull = deps.engine.pull?.bind(deps.engine);
    if (!pull) throw new HttpError(501, 'not_supported', 'this provider cannot pull models');
    const ac = abortOnClose(res);
    const sse = new SseStream(res, { heartbeatMs: deps.heartbeatMs, maxBufferedBytes: deps.maxSseBufferedBytes, onStalled: () => ac.abort() });
    sse.start();
    let id = 0;
    const frame = (event: string, data: unknown) => sse.write(`id: ${++id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    try {
      await pull(model, (p) => frame('progress', p), ac.signal);
      frame('done', { model, status: 'success' });
    } catch (e) {
      const err = isGatewayError(e) ? { code: e.code, message: e.message } : { code: 'internal', message: 'the pull failed' };
      if (!isGatewayError(e)) deps.logger.error('pull failed', e);
      frame('error', err);
    }
    sse.end();
  });
}

/** An AbortController that fires when the client goes away before we answered. */
export function abortOnClose(res: ServerResponse): AbortController {
  const ac = new AbortController();
  res.once('close', () => {
    if (!res.writableEnded) ac.abort();
  });
  return ac;
}
