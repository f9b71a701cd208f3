/**
 * The chat routes. POST /chat/stream owns its turn: when that client goes away
 * the turn is cancelled (and the engine closes the request to Ollama).
 * GET /chat/stream/{id} is the resumable form: a turn it started survives
 * `resumeGraceMs` without any reader so a dropped client can come back with
 * Last-Event-ID; after that it is cancelled too. Readers of a turn someone
 * else owns never cancel it.
 */
import type { ServerResponse } from 'node:http';
import type { TurnHandle } from '../chat/types';
import { readJsonBody } from './body';
import type { ServerDeps } from './deps';
import { HttpError, sendEmpty, sendJson } from './httpError';
import { MAX_ATTACHMENTS } from '../../shared/session';
import { codebaseAttachments } from './codebaseRoutes';
import { abortOnClose } from './modelRoutes';
import { attachmentsOf, chatBodySchema, editBodySchema, regenerateBodySchema, type ChatBody } from './requestSchemas';
import type { Router } from './router';
import { sessionIdParam } from './sessionRoutes';
import { SseStream } from './sse';

type Mode = 'owner' | 'reader';

async function sendInput(deps: ServerDeps, b: ChatBody, signal: AbortSignal) {
  const given = attachmentsOf(b) ?? [];
  // Retrieval comes before anything is stored: an index that is off refuses the question (409) and loses nothing.
  const retrieved = b.codebase ? await codebaseAttachments(deps, b.content, signal) : [];
  const attachments = given.length + retrieved.length ? [...given, ...retrieved].slice(0, MAX_ATTACHMENTS) : undefined;
  return {
    content: b.content,
    model: b.model,
    ...(attachments ? { attachments } : {}),
    ...(b.session_id ? { sessionId: b.session_id } : {}),
    ...(b.message_id ? { messageId: b.message_id } : {}),
  };
}

function parseLastEventId(raw: string | string[] | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (v === undefined || v.trim() === '') return undefined;
  if (!/^\d{1,15}$/.test(v.trim())) throw new HttpError(400, 'bad_request', 'Last-Event-ID must be a non-negative integer');
  return Number(v.trim());
}

export function addChatRoutes(router: Router, deps: ServerDeps): { dispose(): void } {
  const readers = new Map<TurnHandle, number>();
  const graceOwned = new WeakSet<TurnHandle>();
  const graceTimers = new Map<TurnHandle, NodeJS.Timeout>();

  const clearGrace = (turn: TurnHandle) => {
    const t = graceTimers.get(turn);
    if (t) clearTimeout(t);
    graceTimers.delete(turn);
  };

  const readerLeft = (turn: TurnHandle, disconnected: boolean) => {
    const n = (readers.get(turn) ?? 1) - 1;
    if (n > 0) {
      readers.set(turn, n);
      return;
    }
    readers.delete(turn);
    if (!disconnected || !graceOwned.has(turn) || turn.isOpen === false) return;
    clearGrace(turn);
    const timer = setTimeout(() => {
      graceTimers.delete(turn);
      if (!readers.has(turn)) turn.cancel();
    }, deps.resumeGraceMs);
    timer.unref();
    graceTimers.set(turn, timer);
  };

  async function stream(res: ServerResponse, turn: TurnHandle, afterId: number, mode: Mode): Promise<void> {
    // May throw replay_gap: before any header is written, so the client gets a 410.
    const events = turn.events(afterId);
    const sse = new SseStream(res, {
      heartbeatMs: deps.heartbeatMs,
      maxBufferedBytes: deps.maxSseBufferedBytes,
      onStalled: () => deps.logger.warn(`dropped a stalled event-stream reader of session ${turn.sessionId}`),
    });
    let disconnected = res.destroyed;
    if (disconnected && mode === 'owner') turn.cancel();
    res.on('close', () => {
      if (res.writableEnded) return;
      disconnected = true;
      if (mode === 'owner') turn.cancel();
    });
    if (mode === 'reader') {
      readers.set(turn, (readers.get(turn) ?? 0) + 1);
      clearGrace(turn);
    }
    try {
      sse.start();
      for await (const se of events) {
        if (!sse.send(se)) break;
      }
      sse.end();
    } finally {
      if (mode === 'reader') readerLeft(turn, disconnected || !sse.open);
    }
  }

  router.add('POST', '/chat/stream', async ({ req, res }) => {
    const body = await readJsonBody(req, chatBodySchema);
    const turn = await deps.chatService.send(await sendInput(deps, body, abortOnClose(res).signal));
    await stream(res, turn, 0, 'owner');
  });

  router.add('POST', '/chat/message', async ({ req, res }) => {
    const body = await readJsonBody(req, chatBodySchema);
    const r = await deps.chatService.storeUserMessage(await sendInput(deps, body, abortOnClose(res).signal));
    sendJson(res, 201, { session_id: r.sessionId, message_id: r.messageId });
  });

  router.add('GET', '/chat/stream/:id', async ({ req, res, params, url }) => {
    const id = sessionIdParam(params.id);
    const after = parseLastEventId(req.headers['last-event-id']);
    const existing = deps.chatService.turn(id);
    if (after !== undefined) {
      if (!existing) {
        if (!(await deps.store.get(id))) throw new HttpError(404, 'not_found', 'session not found');
        // Nothing to resume (finished long ago): 204 also tells an EventSource to stop reconnecting.
        sendEmpty(res, 204);
        return;
      }
      if (existing.isOpen === false && after >= (existing.lastEventId ?? 0)) {
        sendEmpty(res, 204);
        return;
      }
      await stream(res, existing, after, 'reader');
      return;
    }
    if (existing && existing.isOpen !== false) {
      await stream(res, existing, 0, 'reader');
      return;
    }
    const model = url.searchParams.get('model')?.trim() || undefined;
    const turn = await deps.chatService.startReply(id, model);
    graceOwned.add(turn);
    await stream(res, turn, 0, 'reader');
  });

  // For the browser UI: replace the last reply / the last question, streamed like POST /chat/stream.
  router.add('POST', '/chat/:id/regenerate', async ({ req, res, params }) => {
    const id = sessionIdParam(params.id);
    const body = await readJsonBody(req, regenerateBodySchema);
    await stream(res, await deps.chatService.regenerate(id, body.model), 0, 'owner');
  });

  router.add('POST', '/chat/:id/edit', async ({ req, res, params }) => {
    const id = sessionIdParam(params.id);
    const body = await readJsonBody(req, editBodySchema);
    await stream(res, await deps.chatService.editLast(id, body.content, body.model, attachmentsOf(body)), 0, 'owner');
  });

  router.add('POST', '/chat/:id/cancel', async ({ res, params }) => {
    const id = sessionIdParam(params.id);
    const turn = deps.chatService.turn(id);
    const cancelled = deps.chatService.cancel(id);
    if (cancelled && turn) await turn.finished;
    else if (!turn && !(await deps.store.get(id))) throw new HttpError(404, 'not_found', 'session not found');
    sendJson(res, 200, { session_id: id, cancelled });
  });

  return {
    dispose() {
      for (const t of graceTimers.values()) clearTimeout(t);
      graceTimers.clear();
    },
  };
}
