// Builds the three bundles from one base config:
//   dist/extension.js  (Node, CommonJS, `vscode` external) — what activation loads
//   dist/heavy.js      (the extension's heavy half, loaded on first use)
//   dist/gateway.js    (Node, the standalone gateway: `npm start`)
//   dist/webview/      (browser: Preact app + CSS, content-hashed file names
//                       listed in dist/webview/manifest.json, so an update can
//                       never be served stale)
//   dist/tree-sitter/  (tree-sitter's runtime and grammars as .wasm, with their
//                       licence: read at run time by the codebase chunker)
// Flags: --production (minify; maps without source contents), --watch,
//        --only=extension,heavy,gateway,webview
import * as esbuild from 'esbuild';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const args = process.argv.slice(2);
const production = args.includes('--production');
const watch = args.includes('--watch');
const onlyArg = args.find((a) => a.startsWith('--only='));
const only = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : null;

/** @type {esbuild.BuildOptions} */
const base = {
  bundle: true,
  minify: production,
  sourcemap: production ? 'linked' : 'inline',
  sourcesContent: !production,
  logLevel: 'info',
  legalComments: production ? 'linked' : 'inline',
  define: { 'process.env.NODE_ENV': JSON.stringify(production ? 'production' : 'development') },
};

const nodeBase = { ...base, platform: 'node', target: 'node20', format: 'cjs' };

export const targets = {
  extension: {
    ...nodeBase,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    plugins: [lazyHeavyPlugin()],
  },
  heavy: {
    ...nodeBase,
    entryPoints: ['src/extension/heavy.ts'],
    outfile: 'dist/heavy.js',
    external: ['vscode'],
  },
  gateway: {
    ...nodeBase,
    entryPoints: ['src/standalone/main.ts'],
    outfile: 'dist/gateway.js',
  },
  webview: {
    ...base,
    platform: 'browser',
    target: ['chrome120'],
    format: 'iife',
    entryPoints: { main: 'webview/main.tsx' },
    outdir: 'dist/webview',
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file' },
    metafile: true,
    sourcemap: production ? false : 'inline',
    plugins: [manifestPlugin()],
  },
};

/**
 * Keeps the extension's heavy half out of dist/extension.js: loadHeavy.ts's
 * require('./heavy') becomes a require of the separate dist/heavy.js at run time.
 */
function lazyHeavyPlugin() {
  return {
    name: 'hearth-lazy-heavy',
    setup(build) {
      build.onResolve({ filter: /^\.\/heavy$/ }, (args) =>
        args.importer.endsWith(path.join('src', 'extension', 'loadHeavy.ts')) ? { path: './heavy.js', external: true } : undefined,
      );
    },
  };
}

/** Writes dist/webview/manifest.json: {"js": "main-HASH.js", "css": "main-HASH.css"}. */
function manifestPlugin() {
  return {
    name: 'hearth-manifest',
    setup(build) {
      build.onStart(async () => {
        // Old hashed files must not linger next to new ones.
        await rm('dist/webview', { recursive: true, force: true });
      });
      build.onEnd(async (result) => {
        if (!result.metafile) return;
        const manifest = {};
        for (const [out, meta] of Object.entries(result.metafile.outputs)) {
          if (meta.entryPoint && out.endsWith('.js')) manifest.js = path.basename(out);
          if (out.endsWith('.css') && meta.entryPoint === undefined && path.basename(out).startsWith('main-')) manifest.css = path.basename(out);
        }
        await mkdir('dist/webview', { recursive: true });
        await writeFile('dist/webview/manifest.json', JSON.stringify(manifest, null, 2) + '\n');
      });
    },
  };
}

/**
 * The .wasm files the codebase chunker loads (src/shared/codebase/syntaxChunker.ts TREE_SITTER_FILES; a unit
 * test keeps the two lists equal), copied from @vscode/tree-sitter-wasm. Sizes and why these: that folder's README.
 */
export const TREE_SITTER_FILES = ['tree-sitter.wasm', 'tree-sitter-c-sharp.wasm', 'tree-sitter-cpp.wasm', 'tree-sitter-go.wasm', 'tree-sitter-java.wasm', 'tree-sitter-javascript.wasm', 'tree-sitter-php.wasm', 'tree-sitter-python.wasm', 'tree-sitter-ruby.wasm', 'tree-sitter-rust.wasm', 'tree-sitter-tsx.wasm', 'tree-sitter-typescript.wasm'];

async function copyTreeSitter() {
  const from = path.join('node_modules', '@vscode', 'tree-sitter-wasm');
  await rm('dist/tree-sitter', { recursive: true, force: true });
  await mkdir('dist/tree-sitter', { recursive: true });
  for (const f of TREE_SITTER_FILES) await copyFile(path.join(from, 'wasm', f), path.join('dist', 'tree-sitter', f));
  await copyFile(path.join(from, 'LICENSE'), path.join('dist', 'tree-sitter', 'LICENSE'));
}

async function main() {
  const selected = Object.entries(targets).filter(([name]) => !only || only.has(name));
  if (watch) {
    if (selected.some(([name]) => name !== 'webview')) await copyTreeSitter();
    for (const [, options] of selected) {
      const ctx = await esbuild.context(options);
      await ctx.watch();
    }
    console.log('[esbuild] watching…');
    return;
  }
  await Promise.all(selected.map(([, options]) => esbuild.build(options)));
  // The Node bundles read the grammars beside them.
  if (selected.some(([name]) => name !== 'webview')) await copyTreeSitter();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
