/**
 * The one way a model-server URL becomes display text (errors, logs, /health,
 * the start-up line): its user-info (`user:pass@`) is replaced, since OLLAMA_HOST
 * may carry a proxy's credentials. The rest is kept as written, so users still
 * recognise what they configured. Works on full URLs and on OLLAMA_HOST's short
 * forms (`user:pass@host:port`).
 */
export const REDACTED_USERINFO = '***';

export function redactUrl(url: string): string {
  const sep = url.indexOf('://');
  const start = sep >= 0 ? sep + 3 : 0;
  let end = url.length;
  for (const c of ['/', '?', '#']) {
    const i = url.indexOf(c, start);
    if (i >= 0 && i < end) end = i;
  }
  // The last '@' of the authority ends the user-info (a password may contain a raw '@').
  const at = url.lastIndexOf('@', end - 1);
  if (at < start) return url;
  return `${url.slice(0, start)}${REDACTED_USERINFO}@${url.slice(at + 1)}`;
}
