/**
 * The tree-sitter chunker on Node (the standalone gateway, benches, tests):
 * the runtime from `@vscode/tree-sitter-wasm`, its .wasm files read with fs
 * from dist/tree-sitter beside the bundle (esbuild.mjs copies them there), or
 * from the package itself when running from sources (tsx).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as TreeSitter from '@vscode/tree-sitter-wasm';
import { SyntaxChunker, type SyntaxChunkerOptions, type TreeSitterRuntime } from '../../shared/codebase/syntaxChunker';

/** The folder holding tree-sitter.wasm and the grammars, or undefined when there is none (then files are chunked by definition lines). */
export function treeSitterDir(): string | undefined {
  const beside = path.join(__dirname, 'tree-sitter'); // dist/gateway.js → dist/tree-sitter
  if (existsSync(path.join(beside, 'tree-sitter.wasm'))) return beside;
  // A bundle finds its grammars beside it or not at all (never in a node_modules that happens to be around).
  if (!__filename.endsWith('.ts')) return undefined;
  try {
    const pkg = path.join(path.dirname(require.resolve('@vscode/tree-sitter-wasm/package.json')), 'wasm');
    return existsSync(path.join(pkg, 'tree-sitter.wasm')) ? pkg : undefined;
  } catch {
    return undefined; // a bundle without its grammars and no package to fall back on
  }
}

export const treeSitterRuntime: TreeSitterRuntime = TreeSitter as unknown as TreeSitterRuntime;

/** A chunker reading its grammars from `dir`; without one, every file goes to the regex chunker (said once in the log). */
export function createNodeSyntaxChunker(options: { dir?: string } & Omit<SyntaxChunkerOptions, 'runtime' | 'loadWasm'> = {}): SyntaxChunker {
  const { dir: given, ...rest } = options;
  const dir = given ?? treeSitterDir();
  return new SyntaxChunker({
    runtime: treeSitterRuntime,
    loadWasm: (file) => (dir ? readFile(path.join(dir, file)) : Promise.reject(new Error('no tree-sitter folder beside the bundle'))),
    ...rest,
  });
}

let shared: SyntaxChunker | undefined;
/**
 * The process's chunker, made on first use: tree-sitter's wasm runtime is one per process anyway, and the
 * grammars it has loaded serve every index, so it lives as long as the process (nothing to dispose before exit).
 */
export function nodeSyntaxChunker(log?: (m: string) => void): SyntaxChunker {
  shared ??= createNodeSyntaxChunker(log ? { log } : {});
  return shared;
}
