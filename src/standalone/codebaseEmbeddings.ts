/**
 * The standalone gateway's optional embeddings (HEARTH_EMBEDDING_MODEL): an
 * EmbeddingIndex beside the workspace's CodebaseIndex, stored next to it,
 * brought up to date whenever the index is ready again, and what the routes
 * see: the index's status with `embeddings: {model, done, total}`, and search
 * fused once the vectors are complete.
 */
import type { CodebaseSearch } from '../gateway/server/codebaseRoutes';
import { FileIndexStorage } from '../gateway/codebase/nodeFileSource';
import { embeddingsFileFor } from '../gateway/codebase/workspaceIndex';
import type { CodebaseIndex } from '../shared/codebase/codebaseIndex';
import { EmbeddingIndex, HybridSearch, type Embed } from '../shared/codebase/embeddingIndex';
import type { IndexStatus, SearchResult } from '../shared/codebase/schemas';

export interface WorkspaceEmbeddings {
  model: string;
  embed: Embed;
  /** Releases the embedder (its HTTP pool) when the gateway stops. */
  close?: () => Promise<void>;
  /** Options of the EmbeddingIndex (tests shorten the retry). */
  retryMs?: number;
  batchSize?: number;
}

export interface HybridCodebase extends CodebaseSearch {
  readonly embeddings: EmbeddingIndex;
  close(): Promise<void>;
}

/** A change burst is embedded once, this long after the index settles. */
const SYNC_DEBOUNCE_MS = 1_000;

export function attachEmbeddings(index: CodebaseIndex, folder: string, dataDir: string, o: WorkspaceEmbeddings, log: (line: string) => void): HybridCodebase {
  const embeddings = new EmbeddingIndex({
    model: o.model,
    embed: o.embed,
    source: index,
    storage: new FileIndexStorage(embeddingsFileFor(dataDir, folder)),
    log,
    ...(o.retryMs !== undefined ? { retryMs: o.retryMs } : {}),
    ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}),
  });
  const hybrid = new HybridSearch(index, embeddings, log);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const sub = index.onProgress((s) => {
    if (s.state !== 'ready' || closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void embeddings.sync();
    }, SYNC_DEBOUNCE_MS);
  });
  // The index may be ready already (a stored one loads before the first progress event reaches us).
  if (index.state().state === 'ready') void embeddings.sync();
  return {
    embeddings,
    state: (): IndexStatus => ({ ...index.state(), embeddings: embeddings.status() }),
    search: (query: string, options: { limit?: number; signal?: AbortSignal }): Promise<SearchResult[]> => hybrid.search(query, options),
    async close() {
      closed = true;
      sub.dispose();
      if (timer) clearTimeout(timer);
      await embeddings.close();
      await o.close?.();
    },
  };
}
