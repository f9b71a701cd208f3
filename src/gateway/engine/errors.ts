/**
 * The gateway's one error type. Every failure a user can meet becomes one of these,
 * with a stable code (UIs branch on it) and a message that says what to do.
 */
import type { ErrorCode, ErrorEvent } from '../../shared/events';

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryable: boolean,
    /** The upstream HTTP status, when there was one. */
    readonly status?: number,
  ) {
    super(message);
  }

  toEvent(): ErrorEvent {
    return { type: 'error', code: this.code, message: this.message, retryable: this.retryable };
  }
}

export function isGatewayError(e: unknown): e is GatewayError {
  return e instanceof GatewayError;
}

/**
 * Who a message is about: every provider names its server and says what to do in
 * its own words, so no message branches on a display string.
 */
export interface ServerIdentity {
  /** How messages name the server, at the start of a sentence: "Ollama", "The model server". */
  name: string;
  /** The URL requests go to (as configured, without a trailing slash). */
  baseUrl: string;
  hints: {
    /** What to do when nothing answers at the URL, e.g. "start it with `ollama serve`". */
    start: string;
    /** What to do about a model the server does not have, e.g. "run `ollama pull m`, or pick another model". */
    missingModel(model: string): string;
    /** What to check when the server refuses the request (401/403). */
    refused: string;
  };
}

/** Network error codes that mean "nothing is listening there". */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'EADDRNOTAVAIL']);

/** Network error codes of a connection that died under us (a reset, a closed keep-alive socket). */
const RESET_CODES = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);

/** The code of a Node/undici error, looking through `cause` chains and AggregateErrors. */
export function errorCodeOf(err: unknown): string | undefined {
  for (let e: any = err, depth = 0; e && depth < 5; e = e.cause, depth++) {
    if (typeof e.code === 'string') return e.code;
    if (Array.isArray(e.errors)) {
      const inner = e.errors.map(errorCodeOf).find(Boolean);
      if (inner) return inner;
    }
  }
  return undefined;
}

export function isUnreachable(err: unknown): boolean {
  const code = errorCodeOf(err);
  return code !== undefined && UNREACHABLE_CODES.has(code);
}

export function isConnectionReset(err: unknown): boolean {
  const code = errorCodeOf(err);
  return code !== undefined && RESET_CODES.has(code);
}

const detailOf = (detail?: string) => (detail ? ` (${detail})` : '');

export const errors = {
  unreachable: (server: ServerIdentity, detail?: string) =>
    new GatewayError('unreachable', `${server.name} is not running at ${server.baseUrl}: ${server.hints.start} (or fix the server URL in settings).${detailOf(detail)}`, true),
  modelNotFound: (server: ServerIdentity, model: string) =>
    new GatewayError('model_not_found', `${server.name} has no model '${model}': ${server.hints.missingModel(model)}.`, false, 404),
  busy: (server: ServerIdentity) => new GatewayError('busy', `${server.name} is busy with other requests; try again in a moment.`, true, 503),
  timeout: (server: ServerIdentity, ms: number) =>
    new GatewayError(
      'timeout',
      `No complete reply from ${server.baseUrl} within ${Math.round(ms / 1000)} s. A model that is still loading can take minutes: try again, or raise the request timeout in settings.`,
      true,
    ),
  badRequest: (server: ServerIdentity, detail: string, status?: number) =>
    new GatewayError('bad_request', `${server.name} rejected the request: ${detail}. Check the model options in settings.`, false, status),
  capability: (model: string, detail: string) => new GatewayError('capability', `Model '${model}' cannot do this: ${detail}.`, false, 400),
  refused: (server: ServerIdentity, status: number, detail: string) =>
    new GatewayError('upstream_error', `${server.name} at ${server.baseUrl} refused the request (HTTP ${status}${detail ? `: ${detail}` : ''}): ${server.hints.refused}.`, false, status),
  upstream: (server: ServerIdentity, detail: string, status?: number) =>
    new GatewayError('upstream_error', `${server.name} reported an error: ${detail}`, true, status),
  connectionLost: (server: ServerIdentity, code: string) =>
    errors.upstream(server, `the connection to ${server.baseUrl} was closed unexpectedly (${code}). If the server restarted, try again.`),
  truncated: (server: ServerIdentity) =>
    new GatewayError('truncated', `The reply from ${server.name} ended before it was complete; the text so far is kept. Try again.`, true),
  internal: (detail: string) => new GatewayError('internal', `Internal error in Hearth: ${detail}`, false),
};
