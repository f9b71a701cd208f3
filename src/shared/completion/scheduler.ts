/**
 * The latency discipline of inline completion, as a state machine with no editor
 * and no network in it (the extension and the benchmark drive it):
 * - a short debounce, restarted by each keystroke;
 * - at most one request in flight per editor; a newer request aborts the older
 *   one at once (its AbortSignal closes the HTTP request upstream);
 * - an LRU cache of recent results, by the text around the cursor;
 * - typing the characters a shown suggestion predicts consumes it, no request;
 * - a result for a position the user has left is dropped, never returned.
 * Pure: timers come from `delay`, the model from `fetch`.
 */
import { abortableDelay } from '../abortableDelay';

export interface CompletionQuery {
  /** One editor (document) — requests of different editors do not supersede each other. */
  editor: string;
  prefix: string;
  suffix: string;
}

export type Outcome =
  | { kind: 'show'; text: string; source: 'model' | 'cache' | 'typed-ahead' }
  | { kind: 'none'; reason: 'superseded' | 'cancelled' | 'empty' | 'failed' | 'stale' };

export interface SchedulerStats {
  /** Requests sent to the model. */
  started: number;
  /** Requests aborted before their answer (superseded or cancelled): closed upstream. */
  cancelledUpstream: number;
  cacheHits: number;
  /** Suggestions continued from one already shown, as the user typed into it. */
  typedAhead: number;
  /** Answers that came back for a position the user had left (dropped). */
  staleDropped: number;
}

export interface SchedulerDeps<Q extends CompletionQuery> {
  /** Debounce before a request leaves, ms (read per request: the setting may change). */
  debounceMs(): number;
  /** The model's cleaned answer for q ('' for nothing); must stop when `signal` aborts. */
  fetch(q: Q, signal: AbortSignal): Promise<string>;
  /** Resolves true after ms, false at once when the signal aborts. */
  delay?(ms: number, signal: AbortSignal): Promise<boolean>;
  /** Cache entries kept. */
  cacheSize?: number;
}

/** How much of the text around the cursor keys the cache (enough to tell positions apart). */
const KEY_PREFIX_CHARS = 2000;
const KEY_SUFFIX_CHARS = 500;

interface EditorState {
  generation: number;
  /** The request waiting out its debounce or in flight. */
  current?: { generation: number; ctl: AbortController; sent: boolean; settled: boolean };
  /** What is shown now, to continue it as the user types it. */
  shown?: { prefix: string; suffix: string; text: string };
}

export class CompletionScheduler<Q extends CompletionQuery> {
  readonly stats: SchedulerStats = { started: 0, cancelledUpstream: 0, cacheHits: 0, typedAhead: 0, staleDropped: 0 };
  private readonly editors = new Map<string, EditorState>();
  private readonly cache = new Map<string, string>();
  private readonly delay: (ms: number, signal: AbortSignal) => Promise<boolean>;

  constructor(private readonly deps: SchedulerDeps<Q>) {
    this.delay = deps.delay ?? abortableDelay;
  }

  /**
   * The suggestion for q. `cancel` is the caller's (VS Code's token): when it
   * aborts the request is dropped and closed upstream.
   */
  async request(q: Q, cancel?: AbortSignal): Promise<Outcome> {
    const state = this.state(q.editor);
    const generation = ++state.generation;
    // A newer keystroke: the older request, waiting or in flight, stops now.
    this.abortCurrent(state);

    const ahead = typedAhead(state.shown, q);
    if (ahead !== undefined) {
      this.stats.typedAhead++;
      return { kind: 'show', text: ahead, source: 'typed-ahead' };
    }
    const key = cacheKey(q);
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      this.stats.cacheHits++;
      if (!hit) return { kind: 'none', reason: 'empty' };
      state.shown = { prefix: q.prefix, suffix: q.suffix, text: hit };
      return { kind: 'show', text: hit, source: 'cache' };
    }
    if (cancel?.aborted) return { kind: 'none', reason: 'cancelled' };

    const ctl = new AbortController();
    const current = { generation, ctl, sent: false, settled: false };
    state.current = current;
    const onCancel = () => this.abort(current);
    cancel?.addEventListener('abort', onCancel, { once: true });
    try {
      if (!(await this.delay(this.deps.debounceMs(), ctl.signal)) || generation !== state.generation) {
        return { kind: 'none', reason: cancel?.aborted ? 'cancelled' : 'superseded' };
      }
      current.sent = true;
      this.stats.started++;
      let text: string;
      try {
        text = await this.deps.fetch(q, ctl.signal);
      } catch {
        if (ctl.signal.aborted) return { kind: 'none', reason: cancel?.aborted ? 'cancelled' : 'superseded' };
        return { kind: 'none', reason: 'failed' };
      } finally {
        current.settled = true;
      }
      // Kept even when late: the user may come back to this position.
      this.remember(key, text);
      if (generation !== state.generation || ctl.signal.aborted || cancel?.aborted) {
        this.stats.staleDropped++;
        return { kind: 'none', reason: 'stale' };
      }
      if (!text) return { kind: 'none', reason: 'empty' };
      state.shown = { prefix: q.prefix, suffix: q.suffix, text };
      return { kind: 'show', text, source: 'model' };
    } finally {
      cancel?.removeEventListener('abort', onCancel);
      if (state.current === current) state.current = undefined;
    }
  }

  /**
   * The editor's text or cursor moved away from where the request was made: stop
   * its request now (closed upstream), before the next request even exists.
   */
  supersede(editor: string): void {
    const s = this.editors.get(editor);
    if (!s?.current) return;
    s.generation++;
    this.abortCurrent(s);
  }

  /** The suggestion was accepted, rejected or the editor moved elsewhere: nothing to type into any more. */
  forgetShown(editor: string): void {
    const s = this.editors.get(editor);
    if (s) s.shown = undefined;
  }

  /** The editor closed: stop its request and forget it. */
  closeEditor(editor: string): void {
    const s = this.editors.get(editor);
    if (!s) return;
    s.generation++;
    this.abortCurrent(s);
    this.editors.delete(editor);
  }

  /** Stops every request (disable, snooze, shutdown). */
  cancelAll(): void {
    for (const s of this.editors.values()) {
      s.generation++;
      this.abortCurrent(s);
      s.shown = undefined;
    }
  }

  clearCache(): void {
    this.cache.clear();
  }

  /** Whether a request is waiting or in flight for the editor (tests, status). */
  busy(editor: string): boolean {
    return this.editors.get(editor)?.current !== undefined;
  }

  private state(editor: string): EditorState {
    let s = this.editors.get(editor);
    if (!s) this.editors.set(editor, (s = { generation: 0 }));
    return s;
  }

  private abortCurrent(state: EditorState): void {
    if (state.current) this.abort(state.current);
    state.current = undefined;
  }

  private abort(c: NonNullable<EditorState['current']>): void {
    if (c.ctl.signal.aborted) return;
    if (c.sent && !c.settled) this.stats.cancelledUpstream++;
    c.ctl.abort(new DOMException('superseded', 'AbortError'));
  }

  private remember(key: string, text: string): void {
    this.cache.delete(key);
    this.cache.set(key, text);
    const max = this.deps.cacheSize ?? 100;
    while (this.cache.size > max) this.cache.delete(this.cache.keys().next().value!);
  }
}

/** The rest of a shown suggestion after the user typed its first characters, if that is what happened. */
function typedAhead(shown: EditorState['shown'], q: CompletionQuery): string | undefined {
  if (!shown || q.suffix !== shown.suffix || !q.prefix.startsWith(shown.prefix)) return undefined;
  const typed = q.prefix.slice(shown.prefix.length);
  if (!typed || !shown.text.startsWith(typed) || typed.length >= shown.text.length) return undefined;
  return shown.text.slice(typed.length);
}

function cacheKey(q: CompletionQuery): string {
  return `${q.editor.length}:${q.editor}\u0000${q.prefix.slice(-KEY_PREFIX_CHARS)}\u0000${q.suffix.slice(0, KEY_SUFFIX_CHARS)}`;
}
