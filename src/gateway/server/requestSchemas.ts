/** The shapes of request bodies, validated at the HTTP boundary. */
import * as z from 'zod';
import { MAX_ATTACHMENT_CHARS, MAX_ATTACHMENTS, SESSION_ID_RE, type Attachment } from '../../shared/session';

const id = z.string().regex(SESSION_ID_RE, 'must match ^[a-z0-9][a-z0-9-]{7,63}$');

/**
 * Files a client attaches to a question: stored with it as kind 'file' and sent
 * to the model in the shared format. The body cap (1 MB) bounds their total.
 */
const attachmentsBody = z
  .array(
    z.object({
      name: z.string().trim().min(1, 'name is required').max(500),
      content: z.string().max(MAX_ATTACHMENT_CHARS),
      language: z.string().max(100).optional(),
    }),
  )
  .max(MAX_ATTACHMENTS)
  .optional();

export function attachmentsOf(body: { attachments?: z.infer<typeof attachmentsBody> }): Attachment[] | undefined {
  return body.attachments?.map((a) => ({ kind: 'file', name: a.name, content: a.content, ...(a.language ? { language: a.language } : {}) }));
}

export const chatBodySchema = z.object({
  session_id: id.optional(),
  message_id: id.optional(),
  model: z.string().trim().min(1, 'model is required').max(512),
  content: z.string().refine((s) => s.trim() !== '', 'content must not be empty'),
  attachments: attachmentsBody,
  /** Search the codebase index for the question; the best snippets are stored and sent with it as attachments. */
  codebase: z.boolean().optional(),
  /** Accepted for seed compatibility; Hearth has one agent. */
  agent_id: z.string().max(200).optional(),
});
export type ChatBody = z.infer<typeof chatBodySchema>;

export const renameBodySchema = z.object({ title: z.string().max(500) });

export const pullBodySchema = z.object({ model: z.string().trim().min(1).max(512) });

export const regenerateBodySchema = z.object({ model: z.string().trim().min(1, 'model is required').max(512) });

export const editBodySchema = z.object({
  model: z.string().trim().min(1, 'model is required').max(512),
  content: z.string().refine((s) => s.trim() !== '', 'content must not be empty'),
  attachments: attachmentsBody,
});

/** POST /complete: the text around the cursor (the body cap bounds it; the service cuts it to the model's budget). */
export const completeBodySchema = z.object({
  model: z.string().trim().max(512).optional(),
  prefix: z.string(),
  suffix: z.string().default(''),
  language: z.string().max(100).optional(),
  path: z.string().max(1000).optional(),
  max_tokens: z.number().int().min(1).max(2048).optional(),
});
