/** Validation of an OpenAI-compatible server's replies (hand-checked stream chunks, zod for the rest). */
import { z } from 'zod';

export interface CompletionChunk {
  content: string;
  reasoning: string;
  finishReason?: string;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
  error?: string;
}

const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

/** One `data:` payload of /v1/chat/completions (delta.content) or /v1/completions (text); a string describes what is wrong with it. */
export function parseCompletionChunk(v: unknown): CompletionChunk | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'an event that is not a JSON object';
  const o = v as Record<string, unknown>;
  if (o.error !== undefined && o.error !== null) {
    const e = o.error as { message?: unknown } | string;
    return { content: '', reasoning: '', error: typeof e === 'string' ? e : typeof e.message === 'string' ? e.message : JSON.stringify(e) };
  }
  const out: CompletionChunk = { content: '', reasoning: '' };
  if (o.choices !== undefined && !Array.isArray(o.choices)) return 'an event whose "choices" is not a list';
  const choice = (o.choices as unknown[] | undefined)?.[0] as Record<string, unknown> | undefined;
  if (choice) {
    const delta = (choice.delta ?? {}) as Record<string, unknown>;
    const content = delta.content ?? choice.text ?? '';
    // vLLM / llama.cpp say reasoning_content; others say reasoning.
    const reasoning = delta.reasoning_content ?? delta.reasoning ?? '';
    if (typeof content !== 'string' || typeof reasoning !== 'string') return 'an event whose text is not a string';
    out.content = content;
    out.reasoning = reasoning;
    if (typeof choice.finish_reason === 'string') out.finishReason = choice.finish_reason;
  }
  if (o.usage && typeof o.usage === 'object') {
    const u = o.usage as Record<string, unknown>;
    out.usage = { prompt_tokens: count(u.prompt_tokens), completion_tokens: count(u.completion_tokens) };
  }
  return out;
}

export const modelsSchema = z.object({
  data: z.array(z.object({ id: z.string().min(1), owned_by: z.string().optional() })),
});
