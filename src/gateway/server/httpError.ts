import type { ServerResponse } from 'node:http';
import { isGatewayError } from '../engine/errors';
import { isChatError } from '../chat/errors';
import { isStoreError } from '../sessions/errors';

/** A refusal with an HTTP status; the body is {error: {code, message}}. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Headers every response carries. */
export const BASE_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...BASE_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { ...BASE_HEADERS, 'Cache-Control': 'no-store' });
  res.end();
}

/** Maps what the layers below throw to an HTTP status; anything unknown is a 500 without details. */
export function toHttpError(e: unknown): HttpError {
  if (e instanceof HttpError) return e;
  if (isChatError(e)) {
    switch (e.code) {
      case 'not_found':
        return new HttpError(404, 'not_found', e.message);
      case 'conflict':
        return new HttpError(409, 'conflict', e.message);
      case 'bad_request':
        return new HttpError(400, 'bad_request', e.message);
      case 'disposed':
        return new HttpError(503, 'shutting_down', e.message);
      case 'replay_gap':
        return new HttpError(410, 'replay_gap', e.message);
    }
  }
  if (isStoreError(e)) {
    switch (e.code) {
      case 'session_not_found':
      case 'message_not_found':
        return new HttpError(404, 'not_found', e.message);
      case 'duplicate_message':
      case 'session_exists':
        return new HttpError(409, 'conflict', e.message);
      case 'invalid_id':
        return new HttpError(400, 'bad_request', e.message);
    }
  }
  if (isGatewayError(e)) return new HttpError(502, e.code, e.message);
  return new HttpError(500, 'internal', 'internal error');
}

export function sendError(res: ServerResponse, e: unknown): void {
  const h = toHttpError(e);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, h.status, { error: { code: h.code, message: h.message } }, h.headers);
}
