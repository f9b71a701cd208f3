/**
 * Serves the browser chat UI built into webviewDir (dist/webview): `/` is an
 * index.html generated from manifest.json ({js, css}), never cached, under a
 * strict CSP; content-hashed files under /assets/ are cached forever.
 */
import { promises as fs } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { BASE_HEADERS } from './httpError';

export const UI_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,200}$/;
/** esbuild's [name]-[hash] file names. */
const HASHED = /-[A-Za-z0-9]{8}\.[A-Za-z0-9]+$/;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

async function readManifest(webviewDir: string): Promise<{ js: string; css?: string } | undefined> {
  try {
    const m = JSON.parse(await fs.readFile(path.join(webviewDir, 'manifest.json'), 'utf8')) as unknown;
    if (typeof m !== 'object' || m === null) return undefined;
    const { js, css } = m as { js?: unknown; css?: unknown };
    if (typeof js !== 'string' || !SAFE_NAME.test(js)) return undefined;
    if (css !== undefined && (typeof css !== 'string' || !SAFE_NAME.test(css))) return undefined;
    return { js, ...(css ? { css } : {}) };
  } catch {
    return undefined;
  }
}

export function indexHtml(m: { js: string; css?: string }): string {
  const css = m.css ? `<link rel="stylesheet" href="/assets/${escapeAttr(m.css)}">` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hearth</title>
${css}
</head>
<body>
<div id="root"></div>
<script src="/assets/${escapeAttr(m.js)}"></script>
</body>
</html>
`;
}

export async function serveIndex(res: ServerResponse, webviewDir: string | undefined): Promise<void> {
  const manifest = webviewDir ? await readManifest(webviewDir) : undefined;
  if (!manifest) {
    const text = 'The Hearth chat UI is not built. Run `npm run build` (or `npm start`, which builds it) and reload.\n';
    res.writeHead(503, { ...BASE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(text);
    return;
  }
  const html = indexHtml(manifest);
  res.writeHead(200, {
    ...BASE_HEADERS,
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(html)),
    'Cache-Control': 'no-cache',
    'Content-Security-Policy': UI_CSP,
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
  });
  res.end(html);
}

/** Serves one file of webviewDir by plain name, never one outside it; false if there is no such file (the caller 404s). */
export async function serveAsset(res: ServerResponse, webviewDir: string | undefined, name: string): Promise<boolean> {
  if (!webviewDir || !SAFE_NAME.test(name) || name === 'manifest.json') return false;
  const type = TYPES[path.extname(name).toLowerCase()];
  if (!type) return false;
  let data: Buffer;
  try {
    // The name is a plain name, but the entry may be a symlink: serve it only if it resolves
    // to a file inside the UI folder (itself possibly reached through a symlink).
    const [root, real] = await Promise.all([fs.realpath(webviewDir), fs.realpath(path.join(webviewDir, name))]);
    if (path.dirname(real) !== root && !real.startsWith(root + path.sep)) return false;
    data = await fs.readFile(real);
  } catch {
    return false;
  }
  res.writeHead(200, {
    ...BASE_HEADERS,
    'Content-Type': type,
    'Content-Length': String(data.length),
    'Cache-Control': HASHED.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
  res.end(data);
  return true;
}
