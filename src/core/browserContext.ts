/**
 * A browser tab's context: the `@` picker offers `@codebase` over the gateway's
 * index (HEARTH_WORKSPACE / --workspace) through the same registry and source
 * as VS Code (src/core/contextRegistry.ts, src/core/codebaseSource.ts); without a
 * workspace the row says how to get one. The page attaches its own files
 * (`pageFiles`): they go as it read them. One per page (its offers are its own).
 */
import { CodebaseSource } from './codebaseSource';
import { ContextRegistry, RegistryWorkspaceContext } from './contextRegistry';
import { snippetAttachment } from '../shared/codebase/snippet';
import { codebaseStatusOf, progressLabel } from '../shared/codebase/status';
import type { IndexStatus, SearchResult } from '../shared/codebase/schemas';
import type { ContextState } from '../shared/protocol';

/** The gateway's index as a page sees it (CodebaseIndex, or the index with its embeddings). */
export interface BrowserCodebase {
  state(): IndexStatus;
  search(query: string, options: { limit?: number; signal?: AbortSignal }): Promise<SearchResult[]>;
  /** Progress of the build (the panel's "Indexing n / m files" follows it). */
  onProgress?(listener: () => void): { dispose(): void };
}

export interface BrowserContextOptions {
  /** Absent: the gateway has no workspace. */
  codebase?: BrowserCodebase;
  /** hearth.codebase.auto and maxSnippets as this gateway has them. */
  settings(): { auto: boolean; maxSnippets: number };
  log(line: string): void;
}

/** Longest question searched (as `"codebase": true` on /chat/stream): a search needs its words, not a page. */
const MAX_QUERY_CHARS = 2000;
/** The panel's progress line changes at most this often (a build reports every slice). */
const STATE_DEBOUNCE_MS = 500;

export const NO_WORKSPACE_ROW = 'Not available: this gateway has no workspace. Start it with --workspace <folder> (or HEARTH_WORKSPACE)';
export const NO_WORKSPACE =
  'This gateway has no workspace to search: start it with `npm start -- --workspace <folder>` (or HEARTH_WORKSPACE=<folder>) to use @codebase.';

export class BrowserContext extends RegistryWorkspaceContext {
  readonly pageFiles = true;
  protected readonly registry: ContextRegistry;
  private readonly sub: { dispose(): void } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly o: BrowserContextOptions) {
    super();
    const index = o.codebase;
    const codebase = new CodebaseSource({
      codebase: () =>
        index && {
          status: () => codebaseStatusOf(index.state()),
          search: async (q, limit) => (await index.search(q.slice(0, MAX_QUERY_CHARS), { limit })).map((r) => snippetAttachment(r)),
        },
      settings: () => o.settings(),
      unavailable: { off: 'The index is starting…', absent: NO_WORKSPACE_ROW, refusal: NO_WORKSPACE },
    });
    this.registry = new ContextRegistry([codebase], o.log);
    this.sub = index?.onProgress?.(() => {
      if (this.timer) return;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.changed();
      }, STATE_DEBOUNCE_MS);
    });
  }

  state(): Pick<ContextState, 'includeCurrentFile' | 'currentFile' | 'indexing' | 'mentions'> {
    const s = this.o.codebase?.state();
    return { includeCurrentFile: false, mentions: ['codebase'], ...(s?.state === 'indexing' ? { indexing: progressLabel(codebaseStatusOf(s)) } : {}) };
  }

  /** A browser tab has no editor: its chips never ask to open a file (capabilities.editor is false). */
  async open(): Promise<void> {}

  override dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.sub?.dispose();
    super.dispose();
  }
}
