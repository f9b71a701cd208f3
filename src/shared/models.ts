/** A model as Ollama's /api/tags (+ /api/show, /api/ps) describes it. Names are never hard-coded. */
export interface ModelInfo {
  /** Exactly as Ollama gives it, e.g. the `name` field of /api/tags. */
  name: string;
  size: number;
  family?: string;
  parameter_size?: string;
  quantization?: string;
  modified_at?: string;
  /** From /api/show when known: completion, tools, vision, thinking, embedding… */
  capabilities?: string[];
  /** The model's maximum context (model_info["<arch>.context_length"]) when known. */
  context_length?: number;
  /** Loaded right now (from /api/ps), with the context it was loaded with. */
  loaded?: boolean;
  loaded_context_length?: number;
}

export interface PullProgress {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}
