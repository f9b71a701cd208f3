/**
 * Whole transcripts of the sessions being changed, least recently used first,
 * bounded in bytes (the most recently used one is always kept). Listing and
 * reading put nothing here, so browsing history does not fill memory.
 */
import type { Loaded } from './sideRecord';

export class TranscriptCache {
  private readonly items = new Map<string, Loaded>();
  private bytes = 0;

  constructor(private readonly budget: number) {}

  get(id: string): Loaded | undefined {
    return this.items.get(id);
  }

  /** Adds (or refreshes) a transcript as the most recently used, dropping the oldest beyond the budget. */
  put(id: string, loaded: Loaded): void {
    this.drop(id);
    this.items.set(id, loaded);
    this.bytes += loaded.bytes;
    for (const [oldId] of this.items) {
      if (this.bytes <= this.budget || this.items.size <= 1) break;
      this.drop(oldId);
    }
  }

  drop(id: string): void {
    const hit = this.items.get(id);
    if (!hit) return;
    this.items.delete(id);
    this.bytes -= hit.bytes;
  }
}
