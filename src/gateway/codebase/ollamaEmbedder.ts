/**
 * The codebase index's embedder over Ollama's POST /api/embed, through the same
 * HTTP client as chat (one undici pool of its own; abort closes the socket).
 */
import type { Embed } from '../../shared/codebase/embeddingIndex';
import { DEFAULT_TUNING, type EngineTuning } from '../engine/tuning';
import type { ProviderConfig } from '../engine/types';
import { OllamaClient } from '../ollama/client';

export interface OllamaEmbedder {
  embed: Embed;
  /** Whether the model says it can embed (`/api/show` capabilities include `embedding`). */
  canEmbed(model: string, signal?: AbortSignal): Promise<boolean>;
  close(): Promise<void>;
}

export function createOllamaEmbedder(model: string, config: ProviderConfig, tuning: Partial<EngineTuning> = {}): OllamaEmbedder {
  const client = new OllamaClient(config, { ...DEFAULT_TUNING, ...tuning });
  return {
    embed: (texts, signal) => client.embed(model, texts, signal),
    canEmbed: async (name, signal) => ((await client.show(name, signal)).capabilities ?? []).includes('embedding'),
    close: () => client.close(),
  };
}
