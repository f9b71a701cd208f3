/** Maps an HTTP error reply of Ollama to a GatewayError (by status first; words only to refine). */
import { errors, GatewayError } from '../engine/errors';
import { readText, type HttpResponse } from '../net/http';

const SERVER = 'Ollama';

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

export function statusError(status: number, message: string, model: string | undefined, baseUrl: string, isJson: boolean): GatewayError {
  const detail = message || `HTTP ${status}`;
  switch (status) {
    case 400:
      if (model && /does not support/i.test(message)) return errors.capability(model, message);
      return errors.badRequest(SERVER, detail, 400);
    case 401:
    case 403:
      return new GatewayError(
        'upstream_error',
        `${SERVER} at ${baseUrl} refused the request (HTTP ${status}${message ? `: ${message}` : ''}): check the extra headers setting (authentication) or OLLAMA_ORIGINS.`,
        false,
        status,
      );
    case 404:
      // A JSON 404 names the model; a text/plain 404 means the route does not exist there.
      if (model && isJson) return errors.modelNotFound(model, SERVER);
      return new GatewayError('upstream_error', `${baseUrl} does not look like an Ollama server (HTTP 404: ${detail}); check the server URL in settings.`, false, 404);
    case 503:
      return errors.busy(SERVER);
    case 500:
      if (/cannot unmarshal|must be of type|invalid option|invalid value/i.test(message)) return errors.badRequest(SERVER, detail, 500);
      return errors.upstream(SERVER, detail, 500);
    default:
      return errors.upstream(SERVER, detail, status);
  }
}

/** Reads an error reply's body and maps it. */
export async function responseError(res: HttpResponse, model: string | undefined, baseUrl: string): Promise<GatewayError> {
  let text = '';
  try {
    text = await readText(res.body, 64 * 1024);
  } catch {
    // the body itself failed; the status still says enough
  }
  return statusError(res.status, errorText(text), model, baseUrl, res.contentType.includes('json'));
}
