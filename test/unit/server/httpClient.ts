/**
 * Test clients over real sockets: plain requests with full control of Host /
 * Origin headers (fetch would not allow that), and an incremental SSE parser.
 */
import http from 'node:http';

export interface ReqOptions {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  /** Sent as is (string) or as JSON. */
  body?: unknown;
  token?: string;
  /** Host header: default 127.0.0.1:<port>; null sends none. */
  host?: string | null;
}

export interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

function requestOptions(port: number, o: ReqOptions): { opts: http.RequestOptions; payload?: string } {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
  let payload: string | undefined;
  if (o.body !== undefined) {
    payload = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    headers['content-type'] ??= 'application/json';
  }
  if (o.host !== null) headers.host = o.host ?? `127.0.0.1:${port}`;
  return {
    opts: { host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.path, headers, setHost: false, agent: false },
    ...(payload !== undefined ? { payload } : {}),
  };
}

export function request(port: number, o: ReqOptions): Promise<Res> {
  const { opts, payload } = requestOptions(port, o);
  return new Promise((resolve, reject) => {
    const req = http.request(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: any;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
  json: any;
}

/** Everything one SSE response delivered, in order. */
export class SseClient {
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  /** Events and comments interleaved as they arrived. */
  readonly order: ({ kind: 'event'; event: SseEvent } | { kind: 'comment'; text: string })[] = [];
  body = '';
  ended = false;
  private req: http.ClientRequest | undefined;
  private buf = '';
  private cur: { id?: string; event?: string; data: string[] } = { data: [] };
  private listeners: (() => void)[] = [];
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  readonly responded: Promise<void>;
  private resolveResponded!: () => void;

  constructor(port: number, o: ReqOptions) {
    this.finished = new Promise((r) => (this.resolveFinished = r));
    this.responded = new Promise((r) => (this.resolveResponded = r));
    const { opts, payload } = requestOptions(port, o);
    this.req = http.request(opts, (res) => {
      this.status = res.statusCode ?? 0;
      this.headers = res.headers;
      this.resolveResponded();
      res.setEncoding('utf8');
      res.on('data', (c: string) => this.feed(c));
      const end = () => {
        if (this.ended) return;
        this.ended = true;
        this.notify();
        this.resolveFinished();
      };
      res.on('end', end);
      res.on('close', end);
      res.on('error', end);
    });
    this.req.on('error', () => {
      this.ended = true;
      this.resolveResponded();
      this.notify();
      this.resolveFinished();
    });
    this.req.end(payload);
  }

  private feed(chunk: string): void {
    this.body += chunk;
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + (this.buf.startsWith('\r\n', nl) ? 2 : 1));
      this.line(line);
    }
    this.notify();
  }

  private line(line: string): void {
    if (line === '') {
      if (this.cur.data.length || this.cur.event) {
        const data = this.cur.data.join('\n');
        let json: any;
        try {
          json = JSON.parse(data);
        } catch {
          json = undefined;
        }
        const ev: SseEvent = { ...(this.cur.id !== undefined ? { id: this.cur.id } : {}), event: this.cur.event ?? 'message', data, json };
        this.events.push(ev);
        this.order.push({ kind: 'event', event: ev });
      }
      this.cur = { data: [] };
      return;
    }
    if (line.startsWith(':')) {
      const text = line.slice(1).trim();
      this.comments.push(text);
      this.order.push({ kind: 'comment', text });
      return;
    }
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    let value = i < 0 ? '' : line.slice(i + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.cur.data.push(value);
    else if (field === 'event') this.cur.event = value;
    else if (field === 'id') this.cur.id = value;
  }

  private notify(): void {
    const l = this.listeners;
    this.listeners = [];
    for (const f of l) f();
  }

  /** Resolves once check() is true (re-checked on every chunk); rejects if the stream ends first. */
  async waitFor(check: () => boolean, what = 'condition', timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (this.ended) throw new Error(`stream ended before ${what}; got ${JSON.stringify(this.events.map((e) => e.event))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.listeners.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  tokens(): string {
    return this.events.filter((e) => e.event === 'token').map((e) => e.json.content as string).join('');
  }

  /** Drops the connection, as a client that goes away. */
  close(): void {
    this.req?.destroy();
  }
}

export function sse(port: number, o: ReqOptions): SseClient {
  return new SseClient(port, o);
}
