/**
 * The gateway's HTTP/SSE server, reusable: the standalone entry (main.ts) and
 * the VS Code extension both start it with their own engine, store and chat
 * service. No process-global side effects: no signals, no printing, no env.
 * Binds 127.0.0.1 only; every request passes the Host, Origin and token checks.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { SessionStore } from '../../shared/session';
import type { ChatService } from '../chat/types';
import type { ChatEngine } from '../engine/types';
import { isClientAbort } from './body';
import { addChatRoutes } from './chatRoutes';
import { addCompletionRoutes } from './completionRoutes';
import { CompletionService, DEFAULT_COMPLETION_SETTINGS } from '../completion/completionService';
import { addCodebaseRoutes, type CodebaseSearch } from './codebaseRoutes';
import { silentLogger, type Logger, type ProviderInfo, type ServerDeps, type UiHost } from './deps';
import { HttpError, sendEmpty, sendError, toHttpError } from './httpError';
import { addModelRoutes } from './modelRoutes';
import { Router } from './router';
import { hostAllowed, originAllowed, tokenMatches } from './security';
import { addSessionRoutes } from './sessionRoutes';
import { serveAsset, serveIndex } from './staticUi';
import { addUiRoutes } from './uiRoutes';

/** Longest a refused connection (timeout, garbage) may take to receive its 408/400 before it is destroyed. */
const CLIENT_ERROR_GRACE_MS = 1000;

export interface GatewayServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Only loopback is supported; the option exists to make that explicit. */
  host?: '127.0.0.1';
  token: string;
  /** Which model server the engine talks to, for /health's details; read per call (the extension's setting can change). */
  provider: () => ProviderInfo;
  engine: ChatEngine;
  chatService: ChatService;
  /** Inline completion (POST /complete); default: one on `engine` with the default completion settings. */
  completion?: CompletionService;
  store: SessionStore;
  /** `: keep-alive` interval on open event streams (default 15 000). */
  heartbeatMs?: number;
  /** Folder with the built browser UI (manifest.json + hashed assets); without it `/` answers 503. */
  webviewDir?: string;
  logger?: Logger;
  /** A stalled event-stream reader is dropped past this many buffered bytes (default 1 MiB). */
  maxSseBufferedBytes?: number;
  /** Time allowed to receive request headers (default 10 000) and the whole request (default 30 000). */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** See chatRoutes: how long a GET-started turn waits for a reader to come back (default 30 000). */
  resumeGraceMs?: number;
  maxConnections?: number;
  /** The browser UI's conversation core (the /ui routes). */
  ui?: UiHost;
  /** The workspace's codebase index (GET /index, GET /search, `"codebase": true` in a chat body). */
  codebase?: CodebaseSearch;
}

export interface GatewayServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(
      `Port ${port} on 127.0.0.1 is already in use (another Hearth gateway?). ` +
        `Stop the other process, or choose another port with HEARTH_GATEWAY_PORT=<port>.`,
    );
    this.name = 'PortInUseError';
  }
}

export async function startGatewayServer(opts: GatewayServerOptions): Promise<GatewayServer> {
  if (opts.host !== undefined && opts.host !== '127.0.0.1') throw new Error('the gateway binds 127.0.0.1 only');
  if (!opts.token) throw new Error('a token is required');
  const logger = opts.logger ?? silentLogger;
  const deps: ServerDeps = {
    engine: opts.engine,
    chatService: opts.chatService,
    completion: opts.completion ?? new CompletionService(opts.engine, () => DEFAULT_COMPLETION_SETTINGS),
    store: opts.store,
    heartbeatMs: opts.heartbeatMs ?? 15_000,
    maxSseBufferedBytes: opts.maxSseBufferedBytes ?? 1024 * 1024,
    resumeGraceMs: opts.resumeGraceMs ?? 30_000,
    provider: opts.provider,
    logger,
    ...(opts.ui ? { ui: opts.ui } : {}),
    ...(opts.codebase ? { codebase: opts.codebase } : {}),
  };

  const router = new Router();
  addModelRoutes(router, deps);
  const chat = addChatRoutes(router, deps);
  addCompletionRoutes(router, deps);
  addSessionRoutes(router, deps);
  addUiRoutes(router, deps);
  addCodebaseRoutes(router, deps);
  router.add('GET', '/', ({ res }) => serveIndex(res, opts.webviewDir), { auth: false });
  // Browsers ask for it unprompted; an empty answer keeps their consoles clean of a 401.
  router.add('GET', '/favicon.ico', ({ res }) => sendEmpty(res, 204), { auth: false });
  router.add(
    'GET',
    '/assets/:name',
    async ({ res, params }) => {
      if (!(await serveAsset(res, opts.webviewDir, params.name ?? ''))) throw new HttpError(404, 'not_found', 'no such file');
    },
    { auth: false },
  );

  let port = opts.port;
  const headersTimeout = opts.headersTimeoutMs ?? 10_000;
  const server = http.createServer({
    // A missing Host gets our 403 like any other wrong Host, not Node's bare 400.
    requireHostHeader: false,
    headersTimeout,
    requestTimeout: Math.max(opts.requestTimeoutMs ?? 30_000, headersTimeout),
    // How often those timeouts are checked; Node's default (30 s) would make them lax.
    connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(headersTimeout / 2))),
  });
  server.maxConnections = opts.maxConnections ?? 1000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = req.headers.host;
    if (!hostAllowed(host, port)) throw new HttpError(403, 'forbidden_host', 'Host must be 127.0.0.1, localhost or [::1] with the gateway port');
    if (!originAllowed(req.headers.origin, host!)) throw new HttpError(403, 'forbidden_origin', 'cross-origin requests are not allowed');
    const rawUrl = req.url ?? '/';
    if (!rawUrl.startsWith('/')) throw new HttpError(400, 'bad_request', 'bad request target');
    // Route on the raw path: WHATWG URL parsing would turn '/sessions/%2e%2e' into '/'.
    const q = rawUrl.indexOf('?');
    const pathname = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
    const url = new URL(`http://${host}${rawUrl}`);
    const match = router.match(req.method ?? 'GET', pathname);
    const authed = tokenMatches(req.headers.authorization, opts.token);
    const unauthorized = () => new HttpError(401, 'unauthorized', 'missing or wrong token (Authorization: Bearer <token>)', { 'WWW-Authenticate': 'Bearer' });
    switch (match.kind) {
      case 'not_found':
        throw authed ? new HttpError(404, 'not_found', 'no such route') : unauthorized();
      case 'method_not_allowed':
        if (match.auth && !authed) throw unauthorized();
        throw new HttpError(405, 'method_not_allowed', 'method not allowed', { Allow: match.allow.join(', ') });
      case 'found':
        if (match.auth && !authed) throw unauthorized();
        await match.handler({ req, res, params: match.params, url, authed });
    }
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((e: unknown) => {
      // A client that hung up mid-upload is routine, not a failure of ours: no error line, no stack, no answer.
      if (isClientAbort(e, req)) {
        res.destroy();
        return;
      }
      const h = toHttpError(e);
      if (h.status >= 500 && !(e instanceof HttpError)) logger.error(`${req.method} ${(req.url ?? '').split('?')[0]} failed`, e);
      sendError(res, h);
      // Unread request bytes (a refused large body) would otherwise keep the socket busy.
      if (!req.complete) req.resume();
    });
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    // Always destroyed, never only ended: end() half-closes, and a peer that never closes its
    // side keeps the socket counted against maxConnections for good (1,000 of them lock everyone out).
    if (socket.writable && err.code !== 'ECONNRESET') {
      const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
      // Destroyed once the answer is handed to the kernel (it still delivers it), or after a
      // short grace if a peer that reads nothing keeps our write pending.
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
      setTimeout(() => socket.destroy(), CLIENT_ERROR_GRACE_MS).unref();
    } else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(e.code === 'EADDRINUSE' ? new PortInUseError(opts.port) : e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(opts.port, '127.0.0.1');
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : opts.port;
  server.on('error', (e) => logger.error('gateway server error', e));

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        chat.dispose();
        server.close(() => resolve());
        // Event streams never end on their own; their owners' turns are cancelled by the disconnect.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
