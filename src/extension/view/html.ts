/**
 * The webview's HTML: strict CSP with a fresh nonce, the hashed bundle names
 * from dist/webview/manifest.json. Pure: URIs come in as strings.
 */
import { randomBytes } from 'node:crypto';

export interface WebviewAssets {
  /** File names inside dist/webview (from manifest.json). */
  js: string;
  css?: string;
}

/** A fresh nonce per resolve (128 bits, base64 without padding issues in a CSP). */
export function makeNonce(): string {
  return randomBytes(16).toString('base64').replace(/[+/=]/g, (c) => (c === '+' ? '-' : c === '/' ? '_' : ''));
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "connect-src 'none'",
    // Injected markup could otherwise re-point relative URLs or submit a form somewhere.
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderHtml(p: { cspSource: string; nonce: string; scriptUri: string; styleUri?: string; title?: string }): string {
  const csp = contentSecurityPolicy(p.cspSource, p.nonce);
  const style = p.styleUri ? `\n  <link rel="stylesheet" href="${escapeAttr(p.styleUri)}">` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">${style}
  <title>${escapeAttr(p.title ?? 'Hearth')}</title>
</head>
<body>
  <div id="root"></div>
  <script nonce="${escapeAttr(p.nonce)}" src="${escapeAttr(p.scriptUri)}"></script>
</body>
</html>`;
}

const FILE_NAME_RE = /^[A-Za-z0-9._-]+\.(js|css)$/;

/** Validates manifest.json's content: plain file names only (no paths), a script required. */
export function parseAssetManifest(raw: unknown): WebviewAssets {
  if (!raw || typeof raw !== 'object') throw new Error('manifest.json is not an object');
  const { js, css } = raw as { js?: unknown; css?: unknown };
  if (typeof js !== 'string' || !FILE_NAME_RE.test(js) || !js.endsWith('.js')) throw new Error('manifest.json has no valid "js" entry');
  if (css !== undefined && (typeof css !== 'string' || !FILE_NAME_RE.test(css) || !css.endsWith('.css'))) throw new Error('manifest.json has an invalid "css" entry');
  return css ? { js, css } : { js };
}
