/**
 * The standalone gateway's codebase index: the workspace folder read with
 * Node's fs, its .gitignore and the same exclusions and secret patterns as the
 * extension's defaults, stored in `<data folder>/codebase/<hash of the folder>.json`
 * (one file per workspace). Code is chunked by tree-sitter where a grammar
 * knows the language (dist/tree-sitter), by definition lines elsewhere.
 */
import { createHash } from 'node:crypto';
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { CodebaseIndex, type CodebaseIndexOptions } from '../../shared/codebase/codebaseIndex';
import { FileIndexStorage, NodeFileSource } from './nodeFileSource';
import { nodeSyntaxChunker } from './treeSitter';

/** A workspace folder that does not exist or is not a folder: said at start-up, before anything else runs. */
export class WorkspaceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkspaceError';
  }
}

/** The folder, resolved and checked; throws WorkspaceError. */
export function resolveWorkspace(folder: string): string {
  const abs = path.resolve(folder);
  let real: string;
  try {
    real = realpathSync(abs);
  } catch {
    throw new WorkspaceError(`the workspace folder ${abs} does not exist`);
  }
  if (!statSync(real).isDirectory()) throw new WorkspaceError(`the workspace ${abs} is not a folder`);
  return real;
}

/** Where the index of `workspace` is stored under the data folder. */
export function indexFileFor(dataDir: string, workspace: string): string {
  const id = createHash('sha256').update(workspace).digest('hex').slice(0, 16);
  return path.join(dataDir, 'codebase', `${id}.json`);
}

/** Where the embeddings of `workspace` are stored: beside its index, a blob of their own. */
export function embeddingsFileFor(dataDir: string, workspace: string): string {
  return indexFileFor(dataDir, workspace).replace(/\.json$/, '.embeddings.json');
}

export function createWorkspaceIndex(workspace: string, dataDir: string, options: Partial<CodebaseIndexOptions> = {}): CodebaseIndex {
  return new CodebaseIndex({
    source: new NodeFileSource(workspace, options.log),
    storage: new FileIndexStorage(indexFileFor(dataDir, workspace)),
    chunker: nodeSyntaxChunker(options.log),
    ...options,
  });
}
