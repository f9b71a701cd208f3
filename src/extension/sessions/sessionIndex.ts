/**
 * The session index kept in globalState: summaries only, in a compact shape.
 * VS Code rewrites an extension's whole global state on every update and warns
 * above 512 KB, so every entry is small (titles trimmed, workspaces interned)
 * and the transcripts live in files. Pure: no vscode, no I/O.
 */
import { isValidSessionId, MESSAGE_STATUSES, type SessionStatus, type SessionSummary } from '../../shared/session';

export const INDEX_KEY = 'hearth.sessionIndex.v1';
/** Titles longer than this are cut in the index (the transcript keeps the full one). */
export const INDEX_TITLE_MAX = 80;

/** One summary as a tuple: [id, title, created, updated, status, count, modelIdx, workspaceIdx] (-1 = none). */
type Entry = [string, string, number, number, SessionStatus, number, number, number];

export interface StoredIndex {
  v: 1;
  /** Interned model names and workspace URIs, referenced by position. */
  models: string[];
  workspaces: string[];
  entries: Entry[];
}

const STATUSES = new Set<string>([...MESSAGE_STATUSES, 'empty']);

export function trimTitle(title: string): string {
  const t = title.replace(/\s+/g, ' ').trim();
  return t.length > INDEX_TITLE_MAX ? t.slice(0, INDEX_TITLE_MAX - 1).trimEnd() + '…' : t;
}

export function encodeIndex(summaries: Iterable<SessionSummary>): StoredIndex {
  const models: string[] = [];
  const workspaces: string[] = [];
  const modelIdx = new Map<string, number>();
  const wsIdx = new Map<string, number>();
  const intern = (value: string | undefined, list: string[], map: Map<string, number>): number => {
    if (value === undefined) return -1;
    let i = map.get(value);
    if (i === undefined) {
      i = list.push(value) - 1;
      map.set(value, i);
    }
    return i;
  };
  const entries: Entry[] = [];
  for (const s of summaries) {
    entries.push([
      s.id,
      trimTitle(s.title),
      s.created_at,
      s.updated_at,
      s.status,
      s.message_count,
      intern(s.model, models, modelIdx),
      intern(s.workspace, workspaces, wsIdx),
    ]);
  }
  return { v: 1, models, workspaces, entries };
}

/** Decodes what globalState holds; anything malformed (another version, a bug, hand edits) is skipped, never thrown. */
export function decodeIndex(raw: unknown): Map<string, SessionSummary> {
  const out = new Map<string, SessionSummary>();
  if (!raw || typeof raw !== 'object') return out;
  const idx = raw as Partial<StoredIndex>;
  if (idx.v !== 1 || !Array.isArray(idx.entries)) return out;
  const models = Array.isArray(idx.models) ? idx.models : [];
  const workspaces = Array.isArray(idx.workspaces) ? idx.workspaces : [];
  for (const e of idx.entries) {
    if (!Array.isArray(e) || e.length < 8) continue;
    const [id, title, created, updated, status, count, m, w] = e as unknown[];
    if (!isValidSessionId(id) || typeof title !== 'string' || typeof created !== 'number' || typeof updated !== 'number') continue;
    if (typeof status !== 'string' || !STATUSES.has(status) || typeof count !== 'number') continue;
    const s: SessionSummary = { id, title, created_at: created, updated_at: updated, status: status as SessionStatus, message_count: count };
    const model = typeof m === 'number' ? models[m] : undefined;
    const ws = typeof w === 'number' ? workspaces[w] : undefined;
    if (typeof model === 'string') s.model = model;
    if (typeof ws === 'string') s.workspace = ws;
    out.set(id, s);
  }
  return out;
}

/** Newest first, with the current workspace's sessions ahead of the rest. */
export function orderSummaries(summaries: Iterable<SessionSummary>, workspace?: string): SessionSummary[] {
  return [...summaries].sort((a, b) => {
    if (workspace !== undefined) {
      const ah = a.workspace === workspace ? 0 : 1;
      const bh = b.workspace === workspace ? 0 : 1;
      if (ah !== bh) return ah - bh;
    }
    return b.updated_at - a.updated_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
}

/** Whether an index entry must be rewritten to match a transcript's summary. */
export function summaryDiffers(indexed: SessionSummary | undefined, actual: SessionSummary): boolean {
  if (!indexed) return true;
  return (
    indexed.title !== trimTitle(actual.title) ||
    indexed.status !== actual.status ||
    indexed.message_count !== actual.message_count ||
    indexed.model !== actual.model ||
    indexed.workspace !== actual.workspace ||
    indexed.created_at !== actual.created_at ||
    indexed.updated_at !== actual.updated_at
  );
}

/**
 * Reconciles the index with the transcript files actually present: files are
 * authoritative. Returns the ids whose files must be read to (re)build their
 * entries, and the ids to drop from the index.
 */
export function reconcilePlan(indexIds: Iterable<string>, fileIds: Iterable<string>): { missingFromIndex: string[]; orphanedEntries: string[] } {
  const files = new Set(fileIds);
  const index = new Set(indexIds);
  return {
    missingFromIndex: [...files].filter((id) => !index.has(id)),
    orphanedEntries: [...index].filter((id) => !files.has(id)),
  };
}
