/** Maps what undici/Node throw while talking to a server to a GatewayError. */
import { errorCodeOf, errors, isGatewayError, isUnreachable, type GatewayError } from '../engine/errors';
import { NdjsonError } from './ndjson';

export function networkError(err: unknown, server: string, baseUrl: string, timeoutMs: number): GatewayError {
  if (isGatewayError(err)) return err;
  if (err instanceof NdjsonError) return err.kind === 'incomplete' ? errors.truncated(server) : errors.upstream(server, `it sent ${err.message}`);
  if (isUnreachable(err)) return errors.unreachable(server, baseUrl, errorCodeOf(err));
  const code = errorCodeOf(err);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return errors.timeout(baseUrl, timeoutMs);
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') {
    return errors.upstream(server, `the connection to ${baseUrl} was closed unexpectedly (${code}). If the server restarted, try again.`);
  }
  const message = err instanceof Error ? err.message : String(err);
  return errors.upstream(server, `${message}${code ? ` (${code})` : ''}`);
}
