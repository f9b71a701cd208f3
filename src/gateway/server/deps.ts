import type { SessionStore } from '../../shared/session';
import type { ChatService } from '../chat/types';
import type { ChatEngine, ProviderConfig } from '../engine/types';

export interface Logger {
  info(message: string): void;
  warn(message: string, error?: unknown): void;
  error(message: string, error?: unknown): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** The model server behind the engine, as /health names it (the URL is redacted before it is shown). */
export interface ProviderInfo {
  kind: ProviderConfig['provider'];
  url: string;
}

/** What route handlers need. */
export interface ServerDeps {
  engine: ChatEngine;
  chatService: ChatService;
  store: SessionStore;
  heartbeatMs: number;
  maxSseBufferedBytes: number;
  /** How long a turn started by GET /chat/stream/{id} survives with no reader, so the client can resume. */
  resumeGraceMs: number;
  provider: () => ProviderInfo;
  logger: Logger;
}
