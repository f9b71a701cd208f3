/** The shapes of request bodies, validated at the HTTP boundary. */
import * as z from 'zod';
import { SESSION_ID_RE } from '../../shared/session';

const id = z.string().regex(SESSION_ID_RE, 'must match ^[a-z0-9][a-z0-9-]{7,63}$');

export const chatBodySchema = z.object({
  session_id: id.optional(),
  message_id: id.optional(),
  model: z.string().trim().min(1, 'model is required').max(512),
  content: z.string().refine((s) => s.trim() !== '', 'content must not be empty'),
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
});
