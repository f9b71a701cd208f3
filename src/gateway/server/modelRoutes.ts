/** GET /health (details only with the token), GET /models, POST /models/pull (SSE progress). */
import type { ServerResponse } from 'node:http';
import { isGatewayError } from '../engine/errors';
import { redactUrl } from '../net/redact';
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
    async ({ res, authed }) => {
      // Without the token: only that the gateway is up. Anyone on this machine may ask, so no
      // details (the URL may carry a proxy secret) and no request to the model server per call.
      if (!authed) {
        sendJson(res, 200, { status: 'ok' });
        return;
      }
      const h = await deps.engine.health(abortOnClose(res).signal);
      const info = deps.provider();
      const provider = {
        kind: info.kind,
        reachable: h.reachable,
        version: h.version ?? null,
        url: redactUrl(info.url),
        ...(h.error ? { error: h.error } : {}),
      };
      // `ollama`: the 0.1.0 name, kept with the same content for existing clients (deprecated).
      sendJson(res, 200, { status: h.reachable ? 'ok' : 'degraded', provider, ollama: provider });
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
