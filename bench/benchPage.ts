/**
 * A benchmark's page for Chromium: the real UI code from an entry module,
 * bundled in memory as for production, inlined into one HTML document.
 */
import * as esbuild from 'esbuild';
import path from 'node:path';

const root = path.resolve(__dirname, '..');

/** `dir`: build from another checkout of the project (an A/B of two versions of the code). */
export async function benchPage(o: { entry: string; name: string; minify?: boolean; htmlClass?: string; extraCss?: string; rootStyle: string; dir?: string }): Promise<string> {
  const out = await esbuild.build({
    stdin: { contents: o.entry, resolveDir: o.dir ?? root, loader: 'tsx', sourcefile: `${o.name}-entry.tsx` },
    bundle: true,
    minify: o.minify ?? true,
    write: false,
    outdir: path.join(root, 'dist', o.name),
    platform: 'browser',
    target: ['chrome120'],
    format: 'iife',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  });
  const js = out.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
  const css = out.outputFiles.find((f) => f.path.endsWith('.css'))?.text ?? '';
  const cls = o.htmlClass ? ` class="${o.htmlClass}"` : '';
  return `<!doctype html><html${cls}><head><meta charset="utf-8"><style>${css}${o.extraCss ?? ''}</style></head><body><div id="root" style="${o.rootStyle}"></div><script>${js.replace(/<\/script/gi, '<\\/script')}</script></body></html>`;
}
