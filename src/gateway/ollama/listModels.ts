/**
 * The live model list: /api/tags (the only source of names) merged with /api/ps
 * (loaded, and the context they were loaded with) and, when it comes quickly,
 * /api/show (capabilities, maximum context; cached per model and digest), and
 * the context window the engine will give each model (its num_ctx).
 */
import type { ModelInfo } from '../../shared/models';
import type { EngineTuning } from '../engine/tuning';
import type { OllamaClient } from './client';
import type { ModelFactsCache } from './modelFacts';

export async function listOllamaModels(client: OllamaClient, facts: ModelFactsCache, tuning: EngineTuning, signal?: AbortSignal): Promise<ModelInfo[]> {
  const [tags, ps] = await Promise.all([client.tags(signal), client.ps(signal).catch(() => undefined)]);
  const models = tags.models ?? [];
  const loaded = new Map((ps?.models ?? []).map((m) => [m.name, m.context_length] as const));

  // Details arrive in parallel; whatever is not back within the budget is left out
  // this time (and lands in the cache for the next call).
  const lookups = Promise.allSettled(models.map((m) => facts.get(m.name, m.digest, signal, tuning.metadataTimeoutMs)));
  let budget: NodeJS.Timeout | undefined;
  await Promise.race([lookups, new Promise<void>((r) => (budget = setTimeout(r, tuning.listShowBudgetMs)))]);
  clearTimeout(budget);

  return models.map((m) => {
    const info: ModelInfo = { name: m.name, size: m.size ?? 0 };
    if (m.details?.family) info.family = m.details.family;
    if (m.details?.parameter_size) info.parameter_size = m.details.parameter_size;
    if (m.details?.quantization_level) info.quantization = m.details.quantization_level;
    if (m.modified_at) info.modified_at = m.modified_at;
    const f = facts.peek(m.name, m.digest);
    if (f?.capabilities) info.capabilities = f.capabilities;
    if (f?.contextLength) info.context_length = f.contextLength;
    const window = facts.effectiveContext(m.name, f);
    if (window) info.effective_context = window;
    info.loaded = loaded.has(m.name);
    const ctx = loaded.get(m.name);
    if (ctx) info.loaded_context_length = ctx;
    return info;
  });
}
