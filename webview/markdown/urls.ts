/**
 * Which link targets may be offered to the user at all. Only absolute http(s)
 * and mailto URLs; everything else (javascript:, data:, vbscript:, file:,
 * relative and protocol-relative paths, garbage) is shown as inert text.
 * Returns the normalised URL, or null when it must stay inert.
 */
const ALLOWED = new Set(['http:', 'https:', 'mailto:']);

export function safeUrl(raw: string | null | undefined): string | null {
  if (!raw || raw.length > 8192) return null;
  const trimmed = raw.trim();
  // URL() strips tabs/newlines inside the scheme, so "java\tscript:" is caught too.
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return null;
  }
  if (!ALLOWED.has(url.protocol)) return null;
  if (url.protocol !== 'mailto:' && !url.host) return null;
  return url.href;
}
