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

/**
 * Bytes of request bodies being read at once, across requests. The per-request
 * cap alone lets many large bodies arrive together (150 pages × 4 MB took the
 * gateway past 1 GB); beyond this budget a body is refused with 503 and
 * Retry-After before it is buffered, and the client sends it again shortly.
 */
export class BodyBudget {
  private used = 0;
  constructor(readonly limit: number) {}

  get inFlight(): number {
    return this.used;
  }

  /** Takes `n` bytes if they fit (a single body over the whole budget never does: the per-request cap is lower). */
  take(n: number): boolean {
    if (this.used + n > this.limit) return false;
    this.used += n;
    return true;
  }

  give(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}

/** Seconds a client refused for want of budget waits before sending again. */
export const BUSY_RETRY_AFTER_SECONDS = 1;

function busy(): HttpError {
  return new HttpError(503, 'busy', 'the gateway is receiving too much at once; send again in a moment', { 'Retry-After': String(BUSY_RETRY_AFTER_SECONDS), Connection: 'close' });
}

/**
 * Reads a JSON body of at most `limit` bytes and validates it; 413 / 400
 * otherwise. With a `budget`, the body's bytes are counted in it while they are
 * read and parsed (the declared length up front, else chunk by chunk); 503 when
 * it is spent.
 */
export async function readJsonBody<T>(req: IncomingMessage, schema: z.ZodType<T>, limit = MAX_BODY_BYTES, budget?: BodyBudget): Promise<T> {
  return readJsonBodyWhile(req, schema, limit, budget, async (value) => value);
}

/**
 * As readJsonBody, and the body's bytes stay counted in the budget until `use`
 * has finished with the value: a message is held in memory while it is handled,
 * not only while it is read, so handling that lags behind arrival cannot pile up
 * bodies past the budget.
 */
export async function readJsonBodyWhile<T, R>(req: IncomingMessage, schema: z.ZodType<T>, limit: number, budget: BodyBudget | undefined, use: (value: T) => Promise<R>): Promise<R> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new HttpError(413, 'too_large', `request body over ${limit} bytes`, { Connection: 'close' });
  const upFront = budget && Number.isFinite(declared) && declared > 0 ? declared : 0;
  if (upFront && !budget!.take(upFront)) {
    // Refused before a byte is read — but the client is sending it: take it and drop it,
    // then answer, so the 503 reaches a client still uploading (an answer sent first, with
    // the connection closed, cut it off mid-upload: EPIPE, or a browser's network error).
    await dropBody(req, limit);
    throw busy();
  }
  let held = upFront;
  const hold = (n: number) => {
    if (!budget || n <= 0) return;
    if (!budget.take(n)) throw busy();
    held += n;
  };
  try {
    return await use(await readAndParse(req, schema, limit, (size) => hold(size - held)));
  } finally {
    budget?.give(held);
  }
}

/** How long a refused body may take to arrive before the answer goes anyway. */
const DROP_BODY_MS = 10_000;

/** Reads a request's body to its end (at most `limit` bytes, at most DROP_BODY_MS) and keeps nothing of it. */
function dropBody(req: IncomingMessage, limit: number): Promise<void> {
  return new Promise((resolve) => {
    let size = 0;
    const done = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', done);
      req.off('close', done);
      req.off('error', done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) done();
    };
    const timer = setTimeout(done, DROP_BODY_MS);
    (timer as { unref?: () => void }).unref?.();
    req.on('data', onData);
    req.once('end', done);
    req.once('close', done);
    req.once('error', done);
    req.resume();
  });
}

async function readAndParse<T>(req: IncomingMessage, schema: z.ZodType<T>, limit: number, grew: (size: number) => void): Promise<T> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw new HttpError(413, 'too_large', `request body over ${limit} bytes`, { Connection: 'close' });
      grew(size);
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
