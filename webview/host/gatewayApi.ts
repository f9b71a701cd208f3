import * as z from 'zod';
import type { GatewayEvent } from '../../src/shared/events';
import type { ModelInfo } from '../../src/shared/models';
import { gatewayEventSchema, modelInfoSchema, sessionSchema, sessionSummarySchema } from '../../src/shared/schemas';
import type { Session, SessionSummary } from '../../src/shared/session';
import { SseParser, type SseMessage } from './sseParser';

/**
 * The standalone gateway's HTTP API, as the browser sees it. Every response is
 * validated; the token goes only into the Authorization header.
 */
export class GatewayHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'GatewayHttpError';
  }
}

const healthSchema = z.object({
  status: z.string(),
  ollama: z.object({
    reachable: z.boolean(),
    version: z.string().nullable().optional(),
    error: z.string().optional(),
    url: z.string().optional(),
  }),
});
export type Health = z.infer<typeof healthSchema>;

const errorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** The wire names sessions' id `session_id`. */
const wireSummary = z.looseObject({ session_id: z.string() }).transform(({ session_id, ...rest }) => ({ ...rest, id: session_id }));

export interface SequencedGatewayEvent {
  id?: number;
  event: GatewayEvent;
}

export class GatewayApi {
  constructor(
    private readonly token: string,
    private readonly fetchFn: typeof fetch,
    private readonly base = '',
  ) {}

  private async request(method: string, path: string, body?: unknown, init: { signal?: AbortSignal; accept?: string; headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}`, Accept: init.accept ?? 'application/json', ...init.headers };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await this.fetchFn(`${this.base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: init.signal,
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
    if (!res.ok) {
      let code = 'http_error';
      let message = `${method} ${path} failed with HTTP ${res.status}`;
      try {
        const parsed = errorBodySchema.safeParse(await res.json());
        if (parsed.success) ({ code, message } = parsed.data.error);
      } catch {
        // not JSON: keep the generic message
      }
      throw new GatewayHttpError(res.status, code, message);
    }
    return res;
  }

  private async json<T>(schema: z.ZodType<T>, method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request(method, path, body);
    const parsed = schema.safeParse(await res.json());
    if (!parsed.success) throw new GatewayHttpError(502, 'bad_response', `unexpected response from ${method} ${path}`);
    return parsed.data;
  }

  /** With the token: without it the gateway answers only `{status}`, no details. */
  async health(): Promise<Health> {
    return this.json(healthSchema, 'GET', '/health');
  }

  async models(): Promise<ModelInfo[]> {
    return (await this.json(z.object({ models: z.array(modelInfoSchema) }), 'GET', '/models')).models;
  }

  async sessions(): Promise<SessionSummary[]> {
    const body = await this.json(z.object({ sessions: z.array(z.unknown()) }), 'GET', '/sessions');
    // One bad entry must not hide the others.
    const out: SessionSummary[] = [];
    for (const raw of body.sessions) {
      const w = wireSummary.safeParse(raw);
      const s = w.success ? sessionSummarySchema.safeParse(w.data) : undefined;
      if (s?.success) out.push(s.data);
    }
    return out;
  }

  async session(id: string): Promise<Session> {
    return this.json(wireSummary.pipe(sessionSchema), 'GET', `/sessions/${encodeURIComponent(id)}`);
  }

  async rename(id: string, title: string): Promise<void> {
    await this.request('PATCH', `/sessions/${encodeURIComponent(id)}`, { title });
  }

  async remove(id: string): Promise<void> {
    await this.request('DELETE', `/sessions/${encodeURIComponent(id)}`);
  }

  async cancel(sessionId: string): Promise<void> {
    await this.request('POST', `/chat/${encodeURIComponent(sessionId)}/cancel`, {});
  }

  /** Opens an event stream (POST /chat/stream, or a GET resume) and yields validated events. */
  async *stream(method: 'GET' | 'POST', path: string, body: unknown, opts: { signal?: AbortSignal; lastEventId?: number; onInvalid?: (why: string) => void } = {}): AsyncGenerator<SequencedGatewayEvent> {
    const headers: Record<string, string> = {};
    if (opts.lastEventId !== undefined) headers['Last-Event-ID'] = String(opts.lastEventId);
    const res = await this.request(method, path, body, { signal: opts.signal, accept: 'text/event-stream', headers });
    if (res.status === 204 || !res.body) return;
    yield* readEvents(res.body, opts.onInvalid);
  }

  async *pull(model: string, signal: AbortSignal): AsyncGenerator<{ event: string; data: unknown }> {
    const res = await this.request('POST', '/models/pull', { model }, { signal, accept: 'text/event-stream' });
    if (!res.body) return;
    for await (const m of readSse(res.body)) {
      try {
        yield { event: m.event, data: JSON.parse(m.data) as unknown };
      } catch {
        // not JSON: skip
      }
    }
  }
}

/**
 * An SSE body as parsed messages. An event not ended by a blank line at EOF is
 * discarded, as the SSE spec says. A consumer that stops early cancels the
 * response, so the request ends too.
 */
async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      yield* parser.push(done ? decoder.decode() : decoder.decode(value, { stream: true }));
      if (done) {
        finished = true;
        return;
      }
    }
  } finally {
    if (!finished) void reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** SSE body → validated gateway events (`event:` is the type, `data:` the rest). Invalid ones are skipped. */
export async function* readEvents(body: ReadableStream<Uint8Array>, onInvalid?: (why: string) => void): AsyncGenerator<SequencedGatewayEvent> {
  for await (const m of readSse(body)) {
    let data: unknown;
    try {
      data = JSON.parse(m.data);
    } catch {
      onInvalid?.(`event ${m.event}: data is not JSON`);
      continue;
    }
    const parsed = gatewayEventSchema.safeParse(typeof data === 'object' && data !== null ? { ...data, type: m.event } : data);
    if (!parsed.success) {
      onInvalid?.(`event ${m.event}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      continue;
    }
    const id = m.id !== undefined && /^\d+$/.test(m.id) ? Number(m.id) : undefined;
    yield id === undefined ? { event: parsed.data } : { id, event: parsed.data };
  }
}
