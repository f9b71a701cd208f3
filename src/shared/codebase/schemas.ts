/**
 * What crosses a boundary: the index's status and search results (the
 * gateway's GET /index and GET /search, the extension's panel line and quick
 * pick). Types derive from these schemas.
 */
import { z } from 'zod';

export const INDEX_STATES = ['off', 'indexing', 'ready'] as const;
export type IndexState = (typeof INDEX_STATES)[number];

export const embeddingStatusSchema = z.object({ model: z.string(), done: z.number().int().nonnegative(), total: z.number().int().nonnegative() });

/** GET /index. `files` is what the walk found (after exclusions, up to the cap); `indexed_files` how many are in the index now. */
export const indexStatusSchema = z.object({
  state: z.enum(INDEX_STATES),
  files: z.number().int().nonnegative(),
  indexed_files: z.number().int().nonnegative(),
  chunks: z.number().int().nonnegative(),
  embeddings: embeddingStatusSchema.nullable(),
  /** More files than the cap: the rest are not indexed (said, not silent). */
  capped: z.boolean(),
  /** Files left out, by reason. */
  skipped: z.object({ binary: z.number().int(), too_large: z.number().int(), unreadable: z.number().int(), outside: z.number().int() }),
  /** A sentence for the user when something needs saying (the cap, a failed storage). */
  message: z.string().nullable(),
});
export type IndexStatus = z.infer<typeof indexStatusSchema>;

export const searchResultSchema = z.object({
  /** Workspace-relative, forward slashes. */
  path: z.string(),
  start_line: z.number().int().positive(),
  end_line: z.number().int().positive(),
  symbol: z.string().nullable(),
  score: z.number(),
  text: z.string(),
});
export type SearchResult = z.infer<typeof searchResultSchema>;

export const searchResponseSchema = z.object({ results: z.array(searchResultSchema) });

/** Limits of GET /search's `limit`. */
export const SEARCH_LIMIT = { min: 1, max: 50, default: 10 } as const;

// The stored index is binary: its header schema and layout are in storedIndex.ts.
