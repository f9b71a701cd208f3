import type { HostToWebview } from '../../shared/protocol';
import type { SessionStore } from '../../shared/session';
import type { ChatService } from '../chat/types';
import type { ChatEngine, ProviderConfig } from '../engine/types';
import type { CompletionService } from '../completion/completionService';
import type { CodebaseSearch } from './codebaseRoutes';

export interface Logger {
  info(message: string): void;
  warn(message: string, error?: unknown): void;
  error(message: string, error?: unknown): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** One page's open event stream. */
export interface UiStream {
  /** False once the stream is gone. */
  send(m: HostToWebview): boolean;
  /** Ends the stream (the page's conversation was closed). */
  close(): void;
}

/**
 * The conversation core as the browser UI reaches it (/ui/events, /ui/messages).
 * The server is only the transport: it never reads a WebviewToHost message.
 */
export interface UiHost {
  /**
   * A page's event stream opened (with the id it had, to come back to its
   * conversation); returns its id. Throws an HttpError (503, Retry-After) when
   * no room can be made for a new page; nothing has been written then.
   */
  attach(id: string | undefined, stream: UiStream): string;
  /** That stream closed. */
  detach(id: string, stream: UiStream): void;
  /**
   * A message from the page; resolves once the page's conversation has handled it
   * (a request: once its reply is posted; an Apply: at once, its review may stay
   * open). False when no page has that id (its stream must reconnect).
   */
  receive(id: string, raw: unknown): Promise<unknown> | false;
}

/** The model server behind the engine, as /health names it (the URL is redacted before it is shown). */
export interface ProviderInfo {
  kind: ProviderConfig['provider'];
  url: string;
}

/** What route handlers need. */
export interface ServerDeps {
  engine: ChatEngine;
  chatService: ChatService;
  /** POST /complete. */
  completion: CompletionService;
  store: SessionStore;
  heartbeatMs: number;
  maxSseBufferedBytes: number;
  /** How long a turn started by GET /chat/stream/{id} survives with no reader, so the client can resume. */
  resumeGraceMs: number;
  provider: () => ProviderInfo;
  logger: Logger;
  /** The browser UI's conversations; without it the /ui routes answer 503. */
  ui?: UiHost;
  /** The workspace's codebase index; without it GET /index says `off` and GET /search answers 409. */
  codebase?: CodebaseSearch;
}
