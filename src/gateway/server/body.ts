import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { HttpError } from './httpError';

export const MAX_BODY_BYTES = 1024 * 1024;

/** The client closed the connection before its body was complete: nobody is left to answer, and nothing failed here. */
export class ClientAbortedError extends HttpError {
  constructor() {
    super(400, 'client_aborted', 'the client closed the connection before sending the whole body');
    this.name = 'ClientAbortedError';
  }
}

/**
 * What Node raises on a request stream whose client went away mid-body ('aborted' /
 * premature close) — only if this request's connection is really gone, so the same
 * codes from another stream (a bug of ours) are still reported.
 */
export function isClientAbort(e: unknown, req: IncomingMessage): boolean {
  if (e instanceof ClientAbortedError) return true;
  if (!req.destroyed) return false;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return (code === 'ECONNRESET' && (e as Error).message === 'aborted') || code === 'ERR_STREAM_PREMATURE_CLOSE';
}

/** Reads a JSON body of at most `limit` bytes and validates it; 413 / 400 otherwise. */
export async function readJsonBody<T>(req: IncomingMessage, schema: z.ZodType<T>, limit = MAX_BODY_BYTES): Promise<T> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new HttpError(413, 'too_large', `request body over ${limit} bytes`, { Connection: 'close' });
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw new HttpError(413, 'too_large', `request body over ${limit} bytes`, { Connection: 'close' });
      chunks.push(chunk);
    }
  } catch (e) {
    if (isClientAbort(e, req)) throw new ClientAbortedError();
    throw e;
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'bad_request', 'a JSON body is required');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'bad_request', 'the body is not valid JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') + ': ' : '';
    throw new HttpError(400, 'bad_request', `invalid body: ${where}${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
