/**
 * The registry of context sources behind a page's `@` picker and the re-reading
 * of chips at send: the one implementation of WorkspaceContext's `search`,
 * `resolve` and `refresh`, whichever sources a host has (VS Code: every kind,
 * src/extension/context/sources/; a browser tab: `@codebase`). The page names a
 * row by an id this registry gave, never by a path. A chip whose kind has no
 * source here (a file a browser tab read itself) goes as it came.
 */
import { attachmentKind, type AttachmentKind } from '../shared/attachmentKinds';
import type { ContextCandidate } from '../shared/protocol';
import type { Attachment } from '../shared/session';
import type { ContextSource } from './contextSource';
import type { ContextResult, WorkspaceContext } from './platform';

/** Offers kept: the page only ever names rows of its latest few searches. */
const MAX_OFFERS = 2000;

/** What a picker row (or the current file) offers: the source that reads it, and what it needs to. */
interface Offer {
  source: ContextSource;
  offer: unknown;
}

export class ContextRegistry {
  private readonly byKind = new Map<AttachmentKind, ContextSource>();
  private readonly offers = new Map<string, Offer>();
  private offerSeq = 0;

  constructor(
    /** In the picker's order for rows of the same standing. */
    readonly sources: readonly ContextSource[],
    private readonly log: (line: string) => void,
  ) {
    for (const s of sources) this.byKind.set(s.kind, s);
  }

  source(kind: AttachmentKind): ContextSource | undefined {
    return this.byKind.get(kind);
  }

  /** The `@` picker's rows: named kinds (`@problems`, `@codebase`) first once something is typed, files first for a bare `@`. */
  async search(query: string): Promise<ContextCandidate[]> {
    const q = query.trim();
    const answers = await Promise.all(
      this.sources.map(async (source) => {
        try {
          const rows = await source.search(q);
          return { named: attachmentKind(source.kind).mention !== undefined, rows: rows.map((r) => ({ id: this.offer(source, r.offer), ...r.candidate })) };
        } catch (e) {
          // One source failing (say, Git) must not empty the picker.
          this.log(`@ search: the ${source.kind} source failed: ${e instanceof Error ? e.message : String(e)}`);
          return { named: false, rows: [] };
        }
      }),
    );
    const named = answers.filter((a) => a.named).flatMap((a) => a.rows);
    const listed = answers.filter((a) => !a.named).flatMap((a) => a.rows);
    return q ? [...named, ...listed] : [...listed, ...named];
  }

  async resolve(id: string): Promise<ContextResult> {
    const o = this.offers.get(id);
    if (!o) return { error: 'That entry is no longer offered; type @ again.' };
    return o.source.resolve(o.offer);
  }

  /** The chips as they are now, with the chips a setting adds to every question, and chips that stand for a search of the question replaced by what it found. */
  async refresh(attachments: Attachment[], question: string): Promise<ContextResult> {
    const out: Attachment[] = [];
    const list = [...attachments];
    for (const s of this.sources) {
      const auto = s.autoChip?.();
      if (auto && !list.some((a) => a.kind === s.kind)) list.push(auto);
    }
    for (const a of list) {
      const source = this.byKind.get(a.kind);
      if (attachmentKind(a.kind).reread === 'asCaptured' || !source) {
        out.push(a);
        continue;
      }
      if (source.expand) {
        const r = await source.expand(a, question);
        if ('error' in r) return r;
        out.push(...r);
        continue;
      }
      const r = await source.reread(a);
      if ('error' in r) return r;
      out.push(r);
    }
    return { attachments: out };
  }

  /** An id the page may name to get what `source` reads from `offer`. */
  offer(source: ContextSource, offer: unknown): string {
    const id = `o${++this.offerSeq}`;
    this.offers.set(id, { source, offer });
    // Oldest first out.
    if (this.offers.size > MAX_OFFERS) this.offers.delete(this.offers.keys().next().value!);
    return id;
  }

  dispose(): void {
    this.offers.clear();
    for (const s of this.sources) s.dispose?.();
  }
}

/**
 * What both hosts' WorkspaceContext do alike (VS Code's, src/extension/context/workspaceContext.ts;
 * a browser tab's, browserContext.ts): the picker, adding and the re-reading at send go to
 * the registry, and listeners are told when the state changes. A host gives its state,
 * how a chip's file opens, and its registry.
 */
export abstract class RegistryWorkspaceContext implements WorkspaceContext {
  protected abstract readonly registry: ContextRegistry;
  private readonly listeners = new Set<() => void>();

  abstract state(): ReturnType<WorkspaceContext['state']>;
  abstract open(uri: string, range?: { startLine: number; endLine: number }): Promise<void>;

  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  search(query: string): Promise<ContextCandidate[]> {
    return this.registry.search(query);
  }

  resolve(id: string): Promise<ContextResult> {
    return this.registry.resolve(id);
  }

  refresh(attachments: Attachment[], question: string): Promise<ContextResult> {
    return this.registry.refresh(attachments, question);
  }

  /** Tells every listener that the state changed. */
  protected changed(): void {
    for (const l of [...this.listeners]) l();
  }

  dispose(): void {
    this.listeners.clear();
    this.registry.dispose();
  }
}
