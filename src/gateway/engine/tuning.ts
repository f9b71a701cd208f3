/** Knobs of the engine. Production uses the defaults; tests shrink the delays. */
export interface EngineTuning {
  /** Merge consecutive tokens arriving within this window into one event; 0 = one event per chunk. */
  coalesceMs: number;
  /** …but flush once this many characters are waiting. */
  coalesceMaxChars: number;
  /** With no reply headers after this long, report loading_model (or reading_prompt if the model is warm). */
  loadingHintMs: number;
  /** Waits before retrying a 503 busy; its length is the number of retries. */
  busyRetryDelaysMs: number[];
  /** TCP connect timeout. */
  connectTimeoutMs: number;
  /** Bound for the short metadata calls (/api/show, /api/tags, /api/ps, /api/version). */
  metadataTimeoutMs: number;
  /** Cached model facts (/api/show) this old or older are refreshed in the background, never in front of a turn (0: on every turn). */
  factsMaxAgeMs: number;
  /** How long listModels waits for /api/show details before answering without them. */
  listShowBudgetMs: number;
  /** Hard bound for one NDJSON/SSE line. */
  maxLineChars: number;
  /** num_ctx when neither the setting nor the model says: the model's own value is capped at this. */
  contextCap: number;
  /** num_ctx when /api/show gives nothing usable. */
  fallbackContext: number;
}

export const DEFAULT_TUNING: EngineTuning = {
  coalesceMs: 16,
  coalesceMaxChars: 16 * 1024,
  loadingHintMs: 1000,
  busyRetryDelaysMs: [250, 500, 1000],
  connectTimeoutMs: 5000,
  metadataTimeoutMs: 10_000,
  factsMaxAgeMs: 5 * 60_000,
  listShowBudgetMs: 1500,
  maxLineChars: 16 * 1024 * 1024,
  contextCap: 8192,
  fallbackContext: 4096,
};

export function resolveTuning(t?: Partial<EngineTuning>): EngineTuning {
  return { ...DEFAULT_TUNING, ...(t ?? {}) };
}
