import type { SessionStore } from '../../shared/session';
import type { ChatService } from '../chat/types';
import type { ChatEngine } from '../engine/types';

export interface Logger {
  info(message: string): void;
  warn(message: string, error?: unknown): void;
  error(message: string, error?: unknown): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** What route handlers need. */
export interface ServerDeps {
  engine: ChatEngine;
  chatService: ChatService;
  store: SessionStore;
  heartbeatMs: number;
  maxSseBufferedBytes: number;
  /** How long a turn started by GET /chat/stream/{id} survives with no reader, so the client can resume. */
  resumeGraceMs: number;
  logger: Logger;
}
