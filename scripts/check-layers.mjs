#!/usr/bin/env node
// Fails when an import crosses a layer the wrong way. Layers (imports point down):
//   webview/ -> src/shared
//   src/extension, src/standalone -> src/core -> src/gateway -> src/shared
// src/core is the conversation core both transports run: it never imports
// `vscode` or a Node built-in (everything platform-shaped is an interface).
// src/gateway and webview/ never import `vscode`; src/shared and webview/ never
// import Node built-ins. The two composition roots never import each other.
import { readdir, readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Which of our layers each layer may import. */
export const RULES = {
  'src/shared': { layers: ['src/shared'], vscode: false, node: false },
  'src/gateway': { layers: ['src/shared', 'src/gateway'], vscode: false, node: true },
  'src/core': { layers: ['src/shared', 'src/gateway', 'src/core'], vscode: false, node: false },
  'src/extension': { layers: ['src/shared', 'src/gateway', 'src/core', 'src/extension'], vscode: true, node: true },
  'src/standalone': { layers: ['src/shared', 'src/gateway', 'src/core', 'src/standalone'], vscode: false, node: true },
  webview: { layers: ['src/shared', 'webview'], vscode: false, node: false },
};

const IMPORT_RE = /(?:\bimport\s+(?:type\s+)?(?:[^'"`;]*?\s+from\s+)?|\bexport\s+(?:type\s+)?[^'"`;]*?\s+from\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;

export function importsOf(source) {
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  return [...withoutComments.matchAll(IMPORT_RE)].map((m) => m[1]);
}

function layerOf(relPath) {
  const p = relPath.split(path.sep).join('/');
  return Object.keys(RULES).find((layer) => p === layer || p.startsWith(layer + '/'));
}

async function* sourceFiles(dir) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) yield* sourceFiles(full);
    else if (/\.(ts|tsx|mts|cts|js|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) yield full;
  }
}

/** Returns a list of violations ({file, specifier, reason}) under root. */
export async function checkLayers(root) {
  const violations = [];
  for (const layer of Object.keys(RULES)) {
    for await (const file of sourceFiles(path.join(root, layer))) {
      const rel = path.relative(root, file);
      const rule = RULES[layer];
      for (const spec of importsOf(await readFile(file, 'utf8'))) {
        let reason;
        if (spec === 'vscode') {
          if (!rule.vscode) reason = `${layer} must not import vscode`;
        } else if (NODE_BUILTINS.has(spec) || NODE_BUILTINS.has(spec.split('/')[0])) {
          if (!rule.node) reason = `${layer} must not import Node built-in '${spec}'`;
        } else if (spec.startsWith('.')) {
          const target = path.relative(root, path.resolve(path.dirname(file), spec));
          const targetLayer = layerOf(target);
          if (!targetLayer) reason = `${layer} imports '${spec}', outside every layer`;
          else if (!rule.layers.includes(targetLayer)) reason = `${layer} must not import ${targetLayer} ('${spec}')`;
        }
        if (reason) violations.push({ file: rel, specifier: spec, reason });
      }
    }
  }
  return violations;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  const violations = await checkLayers(root);
  for (const v of violations) console.error(`layering: ${v.file}: ${v.reason}`);
  if (violations.length) {
    console.error(`layering: ${violations.length} violation(s)`);
    process.exit(1);
  }
  console.log('layering: ok');
}
