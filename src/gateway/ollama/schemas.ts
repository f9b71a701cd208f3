/**
 * Validation of what Ollama sends (a trust boundary). Chat chunks are checked by
 * hand because there are tens of thousands per reply; the rest use zod.
 */
import { z } from 'zod';

export interface ChatChunk {
  content: string;
  thinking: string;
  done: boolean;
  error?: string;
  done_reason?: string;
  load_duration?: number;
  prompt_eval_count?: number;
  eval_count?: number;
  eval_duration?: number;
}

/**
 * The line Ollama sends for nearly every answer token, matched exactly (any other
 * shape — thinking, the final chunk, extra fields — goes through JSON.parse). Only
 * the content's string literal is parsed, which also checks its escapes: about
 * twice as fast as parsing the whole line, on the hottest path of a reply.
 */
const TOKEN_LINE =
  /^\{"model":"(?:[^"\\]|\\.)*","created_at":"(?:[^"\\]|\\.)*","message":\{"role":"assistant","content":("(?:[^"\\]|\\.)*")\},"done":false\}$/;

/** A token line's value ({message:{content}, done:false}), or undefined to let JSON.parse decide. */
export function fastTokenLine(line: string): unknown {
  const m = TOKEN_LINE.exec(line);
  if (!m) return undefined;
  try {
    return { message: { role: 'assistant', content: JSON.parse(m[1]!) as string }, done: false };
  } catch {
    return undefined; // let the full parse report it
  }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

/**
 * A line of /api/chat (message.content) or /api/generate (response). Returns a
 * description of the problem instead of a chunk when the line does not fit.
 */
export function parseChatChunk(v: unknown): ChatChunk | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'a line that is not a JSON object';
  const o = v as Record<string, unknown>;
  if (typeof o.error === 'string' || (o.error !== undefined && o.error !== null)) {
    return { content: '', thinking: '', done: false, error: typeof o.error === 'string' ? o.error : JSON.stringify(o.error) };
  }
  const msg = o.message;
  let content: unknown = '';
  let thinking: unknown = '';
  if (msg !== undefined && msg !== null) {
    if (typeof msg !== 'object') return 'a line whose "message" is not an object';
    content = (msg as Record<string, unknown>).content ?? '';
    thinking = (msg as Record<string, unknown>).thinking ?? '';
  } else {
    content = o.response ?? '';
    thinking = o.thinking ?? '';
  }
  if (typeof content !== 'string' || typeof thinking !== 'string') return 'a line whose text is not a string';
  if (o.done !== undefined && typeof o.done !== 'boolean') return 'a line whose "done" is not a boolean';
  return {
    content,
    thinking,
    done: o.done === true,
    done_reason: typeof o.done_reason === 'string' ? o.done_reason : undefined,
    load_duration: num(o.load_duration),
    prompt_eval_count: num(o.prompt_eval_count),
    eval_count: num(o.eval_count),
    eval_duration: num(o.eval_duration),
  };
}

const details = z
  .object({
    family: z.string().optional(),
    parameter_size: z.string().optional(),
    quantization_level: z.string().optional(),
  })
  .partial()
  .optional()
  .nullable();

export const tagsSchema = z.object({
  models: z
    .array(
      z.object({
        name: z.string().min(1),
        model: z.string().optional(),
        size: z.number().optional(),
        digest: z.string().optional(),
        modified_at: z.string().optional(),
        details,
      }),
    )
    .nullable()
    .optional(),
});

export const psSchema = z.object({
  models: z
    .array(
      z.object({
        name: z.string().min(1),
        model: z.string().optional(),
        context_length: z.number().optional(),
        expires_at: z.string().optional(),
      }),
    )
    .nullable()
    .optional(),
});

export const showSchema = z.object({
  parameters: z.string().optional().nullable(),
  model_info: z.record(z.string(), z.unknown()).optional().nullable(),
  capabilities: z.array(z.string()).optional().nullable(),
  details,
});
export type ShowResponse = z.infer<typeof showSchema>;

export const versionSchema = z.object({ version: z.string() });

export const pullLineSchema = z.object({
  status: z.string().optional(),
  digest: z.string().optional(),
  total: z.number().optional(),
  completed: z.number().optional(),
  error: z.string().optional(),
});

/** POST /api/embed: one vector per input, in order. */
export const embedSchema = z.object({ embeddings: z.array(z.array(z.number())) });
