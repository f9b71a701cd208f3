/**
 * Which chat was open last, per workspace, so a page opening for the first time
 * in a process reopens where the user was. A small bounded map in the prefs.
 */
import type { KeyValueStore } from './platform';

/** Where the last open session of a workspace is remembered (one key per workspace; '' = none). */
export const LAST_SESSION_KEY = 'hearth.lastSession';
const MAX_REMEMBERED_WORKSPACES = 50;

export class LastSessionMemory {
  constructor(
    private readonly prefs: KeyValueStore,
    /** The workspace of the page ('' when it has none). */
    private readonly workspace: string,
    private readonly log: (line: string) => void,
  ) {}

  /** The session last open in this workspace, if any. */
  recall(): string | undefined {
    const id = this.all()[this.workspace];
    return typeof id === 'string' ? id : undefined;
  }

  /** Remembers the open session (undefined: a new chat, nothing to reopen). Never throws. */
  async remember(id: string | undefined): Promise<void> {
    const all = this.all();
    if (all[this.workspace] === id) return;
    delete all[this.workspace];
    if (id) all[this.workspace] = id;
    // Most recent last; a bounded map, so the preference stays tiny.
    const entries = Object.entries(all).slice(-MAX_REMEMBERED_WORKSPACES);
    try {
      await this.prefs.update(LAST_SESSION_KEY, Object.fromEntries(entries));
    } catch (e) {
      this.log(`could not remember the open chat: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private all(): Record<string, string> {
    const v = this.prefs.get<unknown>(LAST_SESSION_KEY);
    return v && typeof v === 'object' && !Array.isArray(v) ? { ...(v as Record<string, string>) } : {};
  }
}
