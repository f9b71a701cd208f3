/** Which links from model output may be opened (through VS Code's opener, which shows the full URL first). Pure. */
export function allowedExternalUrl(raw: string): URL | undefined {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (u.protocol === 'http:' || u.protocol === 'https:') return u.hostname ? u : undefined;
  if (u.protocol === 'mailto:') return u.pathname ? u : undefined;
  return undefined;
}
