/**
 * One undici Pool per server base URL. Timeouts are deliberate: a cold model sends
 * no headers for minutes, so undici's header/body timeouts are set per request
 * (to the caller's bound) rather than left at their 300 s defaults, and the whole
 * request is bounded by the caller's AbortSignal.
 */
import { Pool, type Dispatcher } from 'undici';
import { redactUrl } from './redact';

export interface HttpClientOptions {
  baseUrl: string;
  /** Extra headers for every request (e.g. an authenticating proxy's). */
  headers?: Record<string, string>;
  connectTimeoutMs: number;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path under the base URL, starting with '/'. */
  path: string;
  /** Sent as JSON. */
  body?: unknown;
  signal: AbortSignal;
  /** Longest wait for the status line and headers (0 = none). */
  headersTimeoutMs: number;
  /** Longest silence between two body chunks (0 = none). */
  bodyTimeoutMs: number;
}

export interface HttpResponse {
  status: number;
  contentType: string;
  body: Dispatcher.ResponseData['body'];
}

export class HttpClient {
  /** For display only (every error message names it): user-info redacted. Requests use the pool's origin + prefix. */
  readonly baseUrl: string;
  private readonly pool: Pool;
  private readonly prefix: string;
  private readonly headers: Record<string, string>;

  constructor(opts: HttpClientOptions) {
    const url = new URL(opts.baseUrl);
    this.baseUrl = redactUrl(opts.baseUrl.replace(/\/+$/, ''));
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.headers = { accept: 'application/json, application/x-ndjson, text/event-stream', 'user-agent': 'hearth' };
    if (url.username) {
      const cred = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      this.headers.authorization = `Basic ${Buffer.from(cred).toString('base64')}`;
    }
    for (const [k, v] of Object.entries(opts.headers ?? {})) this.headers[k.toLowerCase()] = v;
    this.pool = new Pool(url.origin, {
      connect: { timeout: opts.connectTimeoutMs },
      keepAliveTimeout: 4_000,
      // Streams are long-lived; several turns and list calls may overlap.
      connections: 8,
    });
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const headers = { ...this.headers };
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] = 'application/json';
    }
    const res = await this.pool.request({
      path: this.prefix + req.path,
      method: req.method,
      headers,
      body,
      signal: req.signal,
      headersTimeout: req.headersTimeoutMs,
      bodyTimeout: req.bodyTimeoutMs,
    });
    const ct = res.headers['content-type'];
    return { status: res.statusCode, contentType: Array.isArray(ct) ? (ct[0] ?? '') : (ct ?? ''), body: res.body };
  }

  /** Drops every connection at once (open requests fail). */
  async close(): Promise<void> {
    if (!this.pool.destroyed) await this.pool.destroy().catch(() => undefined);
  }
}

/** Reads a (small) body as text, at most maxChars; the rest is discarded. */
export async function readText(body: HttpResponse['body'], maxChars = 1024 * 1024): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of body) {
    text += decoder.decode(chunk as Uint8Array, { stream: true });
    if (text.length > maxChars) {
      body.destroy();
      break;
    }
  }
  return text + decoder.decode();
}
