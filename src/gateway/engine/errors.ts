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

/** Network error codes that mean "nothing is listening there". */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'EADDRNOTAVAIL']);

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

export const errors = {
  unreachable: (server: string, baseUrl: string, detail?: string) =>
    new GatewayError(
      'unreachable',
      server === 'Ollama'
        ? `Ollama is not running at ${baseUrl}: start it with \`ollama serve\` (or fix the server URL in settings).${detail ? ` (${detail})` : ''}`
        : `The model server at ${baseUrl} is not reachable: start it or fix the server URL in settings.${detail ? ` (${detail})` : ''}`,
      true,
    ),
  modelNotFound: (model: string, server: string) =>
    new GatewayError(
      'model_not_found',
      server === 'Ollama' ? `Model '${model}' is not installed: run \`ollama pull ${model}\`, or pick another model.` : `The server has no model '${model}': pick another model.`,
      false,
      404,
    ),
  busy: (server: string) => new GatewayError('busy', `${server} is busy with other requests; try again in a moment.`, true, 503),
  timeout: (baseUrl: string, ms: number) =>
    new GatewayError(
      'timeout',
      `No complete reply from ${baseUrl} within ${Math.round(ms / 1000)} s. A model that is still loading can take minutes: try again, or raise the request timeout in settings.`,
      true,
    ),
  badRequest: (server: string, detail: string, status?: number) =>
    new GatewayError('bad_request', `${server} rejected the request: ${detail}. Check the model options in settings.`, false, status),
  capability: (model: string, detail: string) => new GatewayError('capability', `Model '${model}' cannot do this: ${detail}.`, false, 400),
  upstream: (server: string, detail: string, status?: number) =>
    new GatewayError('upstream_error', `${server} reported an error: ${detail}`, true, status),
  truncated: (server: string) =>
    new GatewayError('truncated', `The reply from ${server} ended before it was complete; the text so far is kept. Try again.`, true),
  internal: (detail: string) => new GatewayError('internal', `Internal error in Hearth: ${detail}`, false),
};
