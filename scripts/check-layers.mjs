#!/usr/bin/env node
// The layer rules, once. Layers (imports point down):
//   webview/ -> src/shared
//   src/extension, src/standalone -> src/core -> src/gateway -> src/shared
// src/core is the conversation core both transports run: it never imports
// `vscode` or a Node built-in (everything platform-shaped is an interface).
// src/gateway and webview/ never import `vscode`; src/shared and webview/ never
// import Node built-ins. The two composition roots never import each other.
//
// Two readers: eslint.config.mjs turns importViolation into the `hearth/layers`
// rule (a wrong import shows in the editor), and `npm run check:layers` runs
// checkLayers, which also follows imports from the layers without Node
// (src/core, src/shared, webview/) through every file they load, so a module
// that reaches `node:fs` through a gateway file fails too.
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

const IMPORT_RE = /(?:\b(import)\s+(type\s+)?(?:([^'"`;]*?)\s+from\s+)?|\b(export)\s+(type\s+)?[^'"`;]*?\s+from\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;

function stripComments(source) {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

/** Every module specifier a source file names (static, dynamic, require, re-export). */
export function importsOf(source) {
  return [...stripComments(source).matchAll(IMPORT_RE)].map((m) => m[6]);
}

/**
 * The specifiers a file loads when it runs: `import type`, `export type` and an
 * import whose every name is `type`-marked are erased by the compiler, so they load nothing.
 */
export function runtimeImportsOf(source) {
  const out = [];
  for (const m of stripComments(source).matchAll(IMPORT_RE)) {
    if (m[2] || m[5]) continue;
    const clause = m[3]?.trim();
    if (clause && /^\{[\s\S]*\}$/.test(clause)) {
      const names = clause.slice(1, -1).split(',').map((s) => s.trim()).filter(Boolean);
      if (names.length > 0 && names.every((n) => n.startsWith('type '))) continue;
    }
    out.push(m[6]);
  }
  return out;
}

const toPosix = (p) => p.split(path.sep).join('/');

/** The layer a path (relative to the repository, either separator) is in, or undefined. */
export function layerOf(relPath) {
  const p = toPosix(relPath);
  return Object.keys(RULES).find((layer) => p === layer || p.startsWith(layer + '/'));
}

function isNodeBuiltin(spec) {
  return NODE_BUILTINS.has(spec) || NODE_BUILTINS.has(spec.split('/')[0]);
}

/**
 * Why `spec`, imported by the file at `fileRel` (relative to the repository),
 * crosses a layer the wrong way; undefined when it may. Files outside every layer may import anything.
 */
export function importViolation(fileRel, spec) {
  const layer = layerOf(fileRel);
  if (!layer) return undefined;
  const rule = RULES[layer];
  if (spec === 'vscode') return rule.vscode ? undefined : `${layer} must not import vscode`;
  if (isNodeBuiltin(spec)) return rule.node ? undefined : `${layer} must not import Node built-in '${spec}'`;
  if (!spec.startsWith('.')) return undefined;
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(toPosix(fileRel)), spec));
  const targetLayer = layerOf(target);
  if (!targetLayer) return `${layer} imports '${spec}', outside every layer`;
  if (!rule.layers.includes(targetLayer)) return `${layer} must not import ${targetLayer} ('${spec}')`;
  return undefined;
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

const RESOLVE_SUFFIXES = ['', '.ts', '.tsx', '.mts', '.js', '.mjs', '/index.ts', '/index.tsx'];

/** The source file a relative specifier names, among `files` (relative posix paths), or undefined. */
function resolveIn(files, fromRel, spec) {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(fromRel), spec));
  const stem = base.replace(/\.(m?js)$/, '');
  for (const s of RESOLVE_SUFFIXES) {
    if (files.has(base + s)) return base + s;
    if (files.has(stem + s)) return stem + s;
  }
  return undefined;
}

/** Returns a list of violations ({file, specifier, reason}) under root. */
export async function checkLayers(root) {
  const violations = [];
  /** Relative posix path → its source, for every file in a layer. */
  const sources = new Map();
  for (const layer of Object.keys(RULES)) {
    for await (const file of sourceFiles(path.join(root, layer))) sources.set(toPosix(path.relative(root, file)), await readFile(file, 'utf8'));
  }
  for (const [rel, source] of sources) {
    for (const spec of importsOf(source)) {
      const reason = importViolation(rel, spec);
      if (reason) violations.push({ file: path.join(...rel.split('/')), specifier: spec, reason });
    }
  }

  // Indirectly: what a Node-free layer's file loads, and what that loads, must not load a Node built-in or vscode.
  const files = new Set(sources.keys());
  const edges = new Map();
  const runtimeEdges = (rel) => {
    let e = edges.get(rel);
    if (!e) {
      e = runtimeImportsOf(sources.get(rel) ?? '');
      edges.set(rel, e);
    }
    return e;
  };
  for (const start of files) {
    const layer = layerOf(start);
    if (RULES[layer].node) continue;
    const seen = new Set([start]);
    const queue = [[start]];
    let found;
    while (queue.length && !found) {
      const trail = queue.shift();
      const at = trail[trail.length - 1];
      for (const spec of runtimeEdges(at)) {
        if (isNodeBuiltin(spec) || spec === 'vscode') {
          // The file's own import is already reported above; only the indirect reach is new.
          if (at !== start) found = { spec, trail };
          if (found) break;
          continue;
        }
        if (!spec.startsWith('.')) continue;
        const next = resolveIn(files, at, spec);
        if (next && !seen.has(next)) {
          seen.add(next);
          queue.push([...trail, next]);
        }
      }
    }
    if (found) {
      violations.push({
        file: path.join(...start.split('/')),
        specifier: found.spec,
        reason: `${layer} must not reach '${found.spec}', even indirectly: ${found.trail.join(' → ')} imports it`,
      });
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
