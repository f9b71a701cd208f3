/**
 * The side record `live/<id>.json` of a session (see fileStore.ts): its owner while
 * a reply streams, that reply's latest partial text, and the journal of messages
 * appended but not folded into `<id>.json` yet. Pure: how a record is shaped and
 * how readers merge it into the transcript it was written against.
 */
import * as z from 'zod';
import { chatMessageSchema, summarize, type ChatMessage, type Session, type SessionSummary } from '../../shared/session';

export const liveSchema = z.object({
  pid: z.number().int(),
  host: z.string(),
  /** The writing store instance: tells a live owner from an earlier process that had the same pid. */
  token: z.string().optional(),
  partial: z
    .object({
      message_id: z.string(),
      /** Identity of <id>.json this partial was written against. */
      base: z.string(),
      content: z.string().optional(),
      thinking: z.string().optional(),
    })
    .optional(),
  /** The journal: messages appended to <id>.json as it was at `base`, not folded into it yet. */
  appended: z
    .object({
      base: z.string(),
      /** The session's updated_at with them. */
      updated_at: z.number(),
      messages: z.array(chatMessageSchema),
    })
    .optional(),
});
export type LiveRecord = z.infer<typeof liveSchema>;
export type PartialReply = NonNullable<LiveRecord['partial']>;
export type Appended = NonNullable<LiveRecord['appended']>;

/** A transcript as read, with its file identity (inode + mtime + size) and size. */
export interface Loaded {
  key: string;
  session: Session;
  bytes: number;
}

/** A patch that only carries a streaming reply's text (the chat service's periodic save): its fields, else undefined. */
export function partialFields(patch: Partial<Omit<ChatMessage, 'id' | 'role'>>): Pick<PartialReply, 'content' | 'thinking'> | undefined {
  const out: Pick<PartialReply, 'content' | 'thinking'> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'status' && v === 'streaming') continue;
    if ((k !== 'content' && k !== 'thinking') || typeof v !== 'string') return undefined;
    out[k] = v;
  }
  return out.content !== undefined || out.thinking !== undefined ? out : undefined;
}

/** The appended messages of a side record that go after this exact version of <id>.json, if any. */
export function appendedTo(key: string, rec: LiveRecord | undefined): Appended | undefined {
  const a = rec?.appended;
  return a && a.base === key && a.messages.length > 0 ? a : undefined;
}

/**
 * The session as every reader sees it: <id>.json with what its side record adds
 * to that exact version, the streaming reply's latest text, then the appended
 * messages. A message whose id is there already is skipped (belt and braces: a
 * folded record no longer matches the file's identity).
 */
export function merge(base: Loaded, rec: LiveRecord | undefined): Loaded {
  let session = base.session;
  const p = rec?.partial;
  const i = p && p.base === base.key ? session.messages.findIndex((m) => m.id === p.message_id && m.status === 'streaming') : -1;
  if (p && i >= 0) {
    const messages = session.messages.slice();
    messages[i] = {
      ...messages[i]!,
      ...(p.content !== undefined ? { content: p.content } : {}),
      ...(p.thinking !== undefined ? { thinking: p.thinking } : {}),
    };
    session = { ...session, messages };
  }
  const a = appendedTo(base.key, rec);
  if (a) {
    const have = new Set(session.messages.map((m) => m.id));
    const added = a.messages.filter((m) => !have.has(m.id));
    session = { ...session, updated_at: Math.max(session.updated_at, a.updated_at), messages: [...session.messages, ...added] };
  }
  return session === base.session ? base : { ...base, session };
}

/** A summary with the appended messages of its side record counted, by summarize's rules, without reading the transcript. */
export function summaryWith(summary: SessionSummary, a: Appended | undefined): SessionSummary {
  if (!a) return { ...summary };
  const tail = summarize({ ...summary, messages: a.messages }).status;
  return {
    ...summary,
    updated_at: Math.max(summary.updated_at, a.updated_at),
    message_count: summary.message_count + a.messages.length,
    status: tail === 'empty' ? summary.status : tail,
  };
}
