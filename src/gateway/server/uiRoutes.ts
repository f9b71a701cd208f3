/**
 * The browser UI's transport to the conversation core: one event stream of
 * HostToWebview messages per page (GET /ui/events) and its WebviewToHost
 * messages (POST /ui/messages). Both sit behind the token and the Host/Origin
 * checks like every API route. The core validates and answers every message;
 * this file only carries them.
 */
import * as z from 'zod';
import type { HostToWebview } from '../../shared/protocol';
import { BodyBudget, readJsonBodyWhile } from './body';
import type { ServerDeps, UiHost, UiStream } from './deps';
import { HttpError, sendEmpty } from './httpError';
import type { Router } from './router';
import { SseStream } from './sse';

/** A page's messages may carry attachments: more room than the API's 1 MB, still bounded. */
export const MAX_UI_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Page messages being read at once, across all pages: eight full-size ones; beyond it, 503 and the page sends again. */
export const MAX_UI_BYTES_IN_FLIGHT = 8 * MAX_UI_MESSAGE_BYTES;

const connectionId = z.string().regex(/^[0-9a-f-]{8,64}$/, 'invalid connection id');
const messageBodySchema = z.object({ connection: connectionId, message: z.unknown() });

function uiOf(deps: ServerDeps): UiHost {
  if (!deps.ui) throw new HttpError(503, 'unavailable', 'this gateway serves no browser UI');
  return deps.ui;
}

export function addUiRoutes(router: Router, deps: ServerDeps, budget = new BodyBudget(MAX_UI_BYTES_IN_FLIGHT)): void {
  router.add('GET', '/ui/events', async ({ res, url }) => {
    const ui = uiOf(deps);
    const asked = url.searchParams.get('connection') ?? undefined;
    if (asked !== undefined && !connectionId.safeParse(asked).success) throw new HttpError(400, 'bad_request', 'invalid connection id');
    const sse = new SseStream(res, {
      heartbeatMs: deps.heartbeatMs,
      maxBufferedBytes: Math.max(deps.maxSseBufferedBytes, 8 * 1024 * 1024),
      onStalled: () => deps.logger.warn('dropped a stalled browser page'),
    });
    let seq = 0;
    // Frames sent while the page is being attached wait for the stream to start.
    let early: string[] | undefined = [];
    const stream: UiStream = {
      send: (m: HostToWebview) => {
        const frame = `id: ${++seq}\nevent: message\ndata: ${JSON.stringify(m)}\n\n`;
        if (!early) return sse.write(frame);
        early.push(frame);
        return true;
      },
      close: () => sse.end(),
    };
    const closed = new Promise<void>((resolve) => res.once('close', resolve));
    // Before the stream starts: a page refused for want of room gets a plain 503 with Retry-After.
    const id = ui.attach(asked, stream);
    sse.start();
    for (const frame of early.splice(0)) sse.write(frame);
    early = undefined;
    sse.write(`event: hello\ndata: ${JSON.stringify({ connection: id })}\n\n`);
    await closed;
    ui.detach(id, stream);
  });

  router.add('POST', '/ui/messages', async ({ req, res }) => {
    const ui = uiOf(deps);
    // The body counts against the budget until the page's conversation has handled it.
    await readJsonBodyWhile(req, messageBodySchema, MAX_UI_MESSAGE_BYTES, budget, async (body) => {
      const handled = ui.receive(body.connection, body.message);
      if (!handled) throw new HttpError(404, 'unknown_connection', 'no page with that connection: reconnect the event stream');
      await handled;
    });
    sendEmpty(res, 202);
  });
}
