/** A model as the server describes it (Ollama's /api/tags + /api/show + /api/ps). Names are never hard-coded. */
import * as z from 'zod'; // namespace import: lets esbuild drop zod's locales from the webview bundle

const nonNegInt = z.number().int().nonnegative();

export const modelInfoSchema = z.object({
  /** Exactly as the server gives it, e.g. the `name` field of /api/tags. */
  name: z.string().min(1),
  size: z.number().refine(Number.isFinite, 'must be finite'),
  family: z.string().optional(),
  parameter_size: z.string().optional(),
  quantization: z.string().optional(),
  modified_at: z.string().optional(),
  /** From /api/show when known: completion, tools, vision, thinking, embedding… */
  capabilities: z.array(z.string()).optional(),
  /** The model's maximum context (model_info["<arch>.context_length"]) when known. */
  context_length: nonNegInt.optional(),
  /**
   * The context window (num_ctx) the engine gives this model when hearth.contextLength
   * is 0 — the Modelfile's num_ctx, else the maximum, capped — when known. What the fit check counts with.
   */
  effective_context: nonNegInt.optional(),
  /** Loaded right now (from /api/ps), with the context it was loaded with. */
  loaded: z.boolean().optional(),
  loaded_context_length: nonNegInt.optional(),
});
export type ModelInfo = z.infer<typeof modelInfoSchema>;

export const pullProgressSchema = z.object({
  status: z.string(),
  digest: z.string().optional(),
  total: z.number().optional(),
  completed: z.number().optional(),
});
export type PullProgress = z.infer<typeof pullProgressSchema>;
