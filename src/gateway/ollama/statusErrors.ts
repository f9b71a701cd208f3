/** Maps an HTTP error reply of Ollama to a GatewayError (by status first; words only to refine). */
import { errors, GatewayError, type ServerIdentity } from '../engine/errors';
import { readText, type HttpResponse } from '../net/http';

/** The `error` text of a JSON error body, else the raw text (trimmed), else ''. */
export function errorText(body: string): string {
  try {
    const o = JSON.parse(body) as unknown;
    if (o && typeof o === 'object' && typeof (o as { error?: unknown }).error === 'string') return (o as { error: string }).error;
  } catch {
    // not JSON: fall through to the text
  }
  return body.trim().slice(0, 300);
}

export function statusError(status: number, message: string, model: string | undefined, server: ServerIdentity, isJson: boolean): GatewayError {
  const detail = message || `HTTP ${status}`;
  switch (status) {
    case 400:
      if (model && /does not support/i.test(message)) return errors.capability(model, message);
      return errors.badRequest(server, detail, 400);
    case 401:
    case 403:
      return errors.refused(server, status, message);
    case 404:
      // A JSON 404 names the model; a text/plain 404 means the route does not exist there.
      if (model && isJson) return errors.modelNotFound(server, model);
      return new GatewayError('upstream_error', `${server.baseUrl} does not look like an Ollama server (HTTP 404: ${detail}); check the server URL in settings.`, false, 404);
    case 503:
      return errors.busy(server);
    case 500:
      if (/cannot unmarshal|must be of type|invalid option|invalid value/i.test(message)) return errors.badRequest(server, detail, 500);
      return errors.upstream(server, detail, 500);
    default:
      return errors.upstream(server, detail, status);
  }
}

/** Reads an error reply's body and maps it. */
export async function responseError(res: HttpResponse, model: string | undefined, server: ServerIdentity): Promise<GatewayError> {
  let text = '';
  try {
    text = await readText(res.body, 64 * 1024);
  } catch {
    // the body itself failed; the status still says enough
  }
  return statusError(res.status, errorText(text), model, server, res.contentType.includes('json'));
}
