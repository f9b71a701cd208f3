/** Maps what undici/Node throw while talking to a server to a GatewayError. */
import { errorCodeOf, errors, isConnectionReset, isGatewayError, isUnreachable, type GatewayError, type ServerIdentity } from '../engine/errors';
import { NdjsonError } from './ndjson';

export function networkError(err: unknown, server: ServerIdentity, timeoutMs: number): GatewayError {
  if (isGatewayError(err)) return err;
  if (err instanceof NdjsonError) return err.kind === 'incomplete' ? errors.truncated(server) : errors.upstream(server, `it sent ${err.message}`);
  const code = errorCodeOf(err);
  if (isUnreachable(err)) return errors.unreachable(server, code);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return errors.timeout(server, timeoutMs);
  if (isConnectionReset(err)) return errors.connectionLost(server, code!);
  const message = err instanceof Error ? err.message : String(err);
  return errors.upstream(server, `${message}${code ? ` (${code})` : ''}`);
}
