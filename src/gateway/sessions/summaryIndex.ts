/**
 * One summary per session file, keyed by the file's identity (inode + mtime +
 * size), kept in memory and saved as `.index.json`: a cache that spares reading
 * every transcript at start-up, never trusted for a file whose identity changed.
 * The store decides when a file is read; this keeps what it learnt.
 */
import * as z from 'zod';
import { isValidSessionId, sessionSummarySchema, summarize, type Session } from '../../shared/session';

export const summaryEntrySchema = z.object({ key: z.string(), summary: sessionSummarySchema, streaming: z.array(z.string()) });
export type SummaryEntry = z.infer<typeof summaryEntrySchema>;

export interface SummaryIndexIo {
  /** The saved index's text (throws when there is none or it cannot be read). */
  read(): Promise<string>;
  /** Replaces the saved index whole. */
  write(text: string): Promise<void>;
}

export class SummaryIndex {
  private readonly entries = new Map<string, SummaryEntry>();
  /** Entries differ from the saved index. */
  private dirty = false;
  private loaded: Promise<void> | undefined;

  constructor(private readonly io: SummaryIndexIo) {}

  get(id: string): SummaryEntry | undefined {
    return this.entries.get(id);
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  values(): SummaryEntry[] {
    return [...this.entries.values()];
  }

  delete(id: string): void {
    if (this.entries.delete(id)) this.dirty = true;
  }

  /** Records what a session read at file identity `key` says, unless that identity is known already. */
  remember(id: string, key: string, session: Session): void {
    if (this.entries.get(id)?.key === key) return;
    const streaming = session.messages.filter((m) => m.status === 'streaming').map((m) => m.id);
    this.entries.set(id, { key, summary: summarize(session), streaming });
    this.dirty = true;
  }

  /** Reads the saved index once; entries already learnt from the files win. */
  load(): Promise<void> {
    this.loaded ??= (async () => {
      let raw: unknown;
      try {
        raw = JSON.parse(await this.io.read());
      } catch {
        return; // none yet, or unreadable: it is only a cache
      }
      const list = raw && typeof raw === 'object' && (raw as { v?: unknown }).v === 1 ? (raw as { entries?: unknown }).entries : undefined;
      if (!Array.isArray(list)) return;
      for (const item of list) {
        const r = summaryEntrySchema.safeParse(item);
        if (r.success && isValidSessionId(r.data.summary.id) && !this.entries.has(r.data.summary.id)) this.entries.set(r.data.summary.id, r.data);
      }
    })();
    return this.loaded;
  }

  /** Saves the index if it changed; a failed save is tried again at the next change. */
  async saveIfChanged(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      await this.io.write(JSON.stringify({ v: 1, entries: [...this.entries.values()] }));
    } catch {
      this.dirty = true;
    }
  }
}
