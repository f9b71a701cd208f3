/**
 * Inline completions in VS Code: the provider VS Code asks on each keystroke,
 * the status-bar item, and the commands. This half is light (activation loads
 * it): the latency discipline is the shared CompletionScheduler, and the model
 * call (engine, undici, zod) comes from the heavy half on the first request.
 *
 * A document is completed only when it is an untitled editor or a file the `@`
 * picker would offer (workspace, hearth.context.exclude, files/search.exclude,
 * .gitignore), and snippets of other files follow the same rule.
 */
import * as vscode from 'vscode';
import { CompletionScheduler, type CompletionQuery } from '../../shared/completion/scheduler';
import { codebaseQuery, looksBinary, MAX_SNIPPETS } from '../../shared/completion/context';
import type { FimSnippet } from '../../shared/completion/fimFormats';
import type { ModelInfo } from '../../shared/models';
import { displayPath, isFileLike } from '../context/fileReader';
import type { Log } from '../log';
import { completionOnFor, type HearthSettings } from '../settings';
import { completionStatusView, type CompletionStatus } from './statusView';

/** What the heavy half supplies (CompletionService and the workspace rules). */
export interface CompletionBackend {
  complete(input: {
    prefix: string;
    suffix: string;
    language?: string;
    path?: string;
    snippets?: readonly FimSnippet[];
    signal?: AbortSignal;
  }): Promise<{ completion: string; model: string }>;
  forgetChoice(): void;
  mayComplete(uri: vscode.Uri): Promise<boolean>;
  /** Snippets the codebase index finds for `query` (chunks of other files, best first), none from `exclude`; [] when there is no index. */
  codebaseSnippets?(query: string, exclude: vscode.Uri, limit: number, signal: AbortSignal): Promise<FimSnippet[]>;
  /** Installed models that can fill in the middle, smallest first. */
  fimModels(): Promise<ModelInfo[]>;
}

export interface InlineCompletionsDeps {
  settings(): HearthSettings;
  backend(): Promise<CompletionBackend>;
  log: Log;
}

/** The text around the cursor read from the document: enough lines for any budget, bounded in characters. */
const LINES_BEFORE = 200;
const LINES_AFTER = 80;
const MAX_PREFIX_CHARS = 64 * 1024;
const MAX_SUFFIX_CHARS = 16 * 1024;
/** After a failure that needs the user (server down, no model), requests pause this long: quiet, not per keystroke. */
const FAILURE_PAUSE_MS = 15_000;
/** Snippets: lines around another file's last edit. */
const SNIPPET_RADIUS = 30;
/** Codebase snippets: a search slower than this is not waited for (the completion goes without them); answers are kept for the same query a while. */
const CODEBASE_BUDGET_MS = 40;
const CODEBASE_CACHE_MS = 10_000;

interface Query extends CompletionQuery {
  document: vscode.TextDocument;
  language: string;
}

export class InlineCompletions implements vscode.InlineCompletionItemProvider, vscode.Disposable {
  readonly scheduler: CompletionScheduler<Query>;
  private readonly item: vscode.StatusBarItem;
  private readonly subs: vscode.Disposable[] = [];
  private snoozedUntil = 0;
  private snoozeTimer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private readyLogged = false;
  private model: string | undefined;
  private failure: { message: string; until: number } | undefined;
  /** Failure messages already shown as a notice (each once). */
  private readonly noticed = new Set<string>();
  /** The last codebase search for snippets (query → its answer), reused while the query stays the same. */
  private codebaseCache: { key: string; at: number; result: Promise<FimSnippet[]> } | undefined;
  /** document → when and where it was last edited (snippets: recently edited files first). */
  private readonly edits = new Map<string, { at: number; line: number }>();
  /** document → the position of its latest request (moving the cursor elsewhere stops it). */
  private readonly asked = new Map<string, vscode.Position>();
  /** Results shown, and results that arrived for a position already left (never shown). */
  readonly counts = { shown: 0, staleDropped: 0, skippedBinary: 0 };

  constructor(private readonly deps: InlineCompletionsDeps) {
    this.scheduler = new CompletionScheduler<Query>({
      debounceMs: () => this.deps.settings().completion.debounceMs,
      fetch: (q, signal) => this.fetch(q, signal),
    });
    this.item = vscode.window.createStatusBarItem('hearth.completion', vscode.StatusBarAlignment.Right, 99);
    this.item.name = 'Hearth Inline Completions';
    this.item.command = 'hearth.completionMenu';
    this.subs.push(
      this.item,
      vscode.languages.registerInlineCompletionItemProvider({ pattern: '**' }, this),
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.scheduler.closeEditor(d.uri.toString());
        this.edits.delete(d.uri.toString());
        this.asked.delete(d.uri.toString());
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        const c = e.contentChanges[0];
        if (!c) return;
        const key = e.document.uri.toString();
        this.edits.set(key, { at: Date.now(), line: c.range.start.line });
        // Typed past: the request for the old text is closed now, not when VS Code next asks.
        this.scheduler.supersede(key);
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        const key = e.textEditor.document.uri.toString();
        const at = this.asked.get(key);
        if (at && !e.selections[0]?.active.isEqual(at)) this.scheduler.supersede(key);
      }),
      vscode.commands.registerCommand('hearth.toggleCompletions', () => this.toggle()),
      vscode.commands.registerCommand('hearth.snoozeCompletions', (minutes?: unknown) => this.snoozeCommand(minutes)),
      vscode.commands.registerCommand('hearth.completionMenu', () => this.menu()),
    );
    this.render();
  }

  /** Settings changed: new rules, new model choice, a fresh start after failures. */
  settingsChanged(): void {
    this.scheduler.cancelAll();
    this.scheduler.clearCache();
    this.failure = undefined;
    this.model = undefined;
    void this.deps.backend().then((b) => b.forgetChoice(), () => {});
    this.render();
  }

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    if (!this.activeFor(document)) return undefined;
    if (this.failure && Date.now() < this.failure.until) return undefined;
    // With the suggest widget open, complete after its selected item (VS Code shows only what extends it).
    const sel = context.selectedCompletionInfo;
    const from = sel ? sel.range.start : position;
    const lead = sel ? sel.text : '';
    const prefixStart = new vscode.Position(Math.max(0, position.line - LINES_BEFORE), 0);
    const suffixEnd = document.validatePosition(new vscode.Position(position.line + LINES_AFTER, Number.MAX_SAFE_INTEGER));
    let prefix = document.getText(new vscode.Range(prefixStart, from)) + lead;
    let suffix = document.getText(new vscode.Range(sel ? sel.range.end : position, suffixEnd));
    if (prefix.length > MAX_PREFIX_CHARS) prefix = prefix.slice(-MAX_PREFIX_CHARS);
    if (suffix.length > MAX_SUFFIX_CHARS) suffix = suffix.slice(0, MAX_SUFFIX_CHARS);
    if (looksBinary(prefix) || looksBinary(suffix)) {
      this.counts.skippedBinary++;
      return undefined;
    }
    const version = document.version;
    this.asked.set(document.uri.toString(), position);
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort(new DOMException('cancelled', 'AbortError')));
    try {
      const outcome = await this.scheduler.request({ editor: document.uri.toString(), prefix, suffix, document, language: document.languageId }, ac.signal);
      if (outcome.kind !== 'show') return undefined;
      // The user has typed on or moved away meanwhile: this text belongs to a position that is gone.
      if (token.isCancellationRequested || document.version !== version || document.isClosed) {
        this.counts.staleDropped++;
        return undefined;
      }
      this.counts.shown++;
      return [new vscode.InlineCompletionItem(lead + outcome.text, new vscode.Range(from, sel ? sel.range.end : position))];
    } finally {
      sub.dispose();
    }
  }

  dispose(): void {
    this.scheduler.cancelAll();
    if (this.snoozeTimer) clearTimeout(this.snoozeTimer);
    for (const d of this.subs.splice(0)) d.dispose();
  }

  /** For the test hook. */
  status(): { text: string; tooltip: string; warning: boolean } {
    const v = completionStatusView(this.state());
    return { text: v.text, tooltip: v.tooltip, warning: v.warning };
  }

  private activeFor(document: vscode.TextDocument): boolean {
    const c = this.deps.settings().completion;
    return c.enabled && Date.now() >= this.snoozedUntil && completionOnFor(c, document.languageId) && isFileLike(document.uri);
  }

  private async fetch(q: Query, signal: AbortSignal): Promise<string> {
    const started = Date.now();
    const backend = await this.deps.backend();
    const allowed = await backend.mayComplete(q.document.uri);
    if (!this.readyLogged) {
      this.readyLogged = true;
      this.deps.log(`completion: ready in ${Date.now() - started} ms (model code and the workspace's rules loaded)`);
    }
    if (!allowed) return '';
    const snippets = await this.snippets(q, backend, signal);
    if (signal.aborted) throw signal.reason;
    this.inFlight++;
    this.render();
    try {
      const out = await backend.complete({
        prefix: q.prefix,
        suffix: q.suffix,
        language: q.language,
        path: displayPath(q.document.uri),
        snippets,
        signal,
      });
      this.model = out.model;
      this.failure = undefined;
      return out.completion;
    } catch (e) {
      if (signal.aborted) throw e;
      this.failed(e);
      throw e;
    } finally {
      this.inFlight--;
      this.render();
    }
  }

  /**
   * Other open files of the same language the picker would offer, most recently
   * edited first, around their last edit; then, while there is room, what the
   * codebase index finds for the identifiers before the cursor.
   */
  private async snippets(q: Query, backend: CompletionBackend, signal: AbortSignal): Promise<FimSnippet[]> {
    const current = q.document.uri.toString();
    const docs = vscode.workspace.textDocuments
      .filter((d) => d.languageId === q.language && d.uri.toString() !== current && d.uri.scheme !== 'untitled' && !d.isClosed)
      .sort((a, b) => (this.edits.get(b.uri.toString())?.at ?? 0) - (this.edits.get(a.uri.toString())?.at ?? 0))
      .slice(0, 6);
    const out: FimSnippet[] = [];
    for (const d of docs) {
      if (out.length >= 3) break;
      if (!(await backend.mayComplete(d.uri))) continue;
      const line = this.edits.get(d.uri.toString())?.line ?? 0;
      const range = new vscode.Range(Math.max(0, line - SNIPPET_RADIUS), 0, line + SNIPPET_RADIUS, 0);
      const text = d.getText(d.validateRange(range));
      if (text.trim() && !looksBinary(text)) out.push({ path: displayPath(d.uri), text });
    }
    const query = out.length < MAX_SNIPPETS && backend.codebaseSnippets ? codebaseQuery(q.prefix) : '';
    if (query) {
      try {
        const found = await this.codebaseSnippets(backend, query, q.document.uri, signal);
        for (const s of found) {
          if (out.length >= MAX_SNIPPETS) break;
          if (!out.some((o) => o.path === s.path) && s.text.trim() && !looksBinary(s.text)) out.push(s);
        }
      } catch (e) {
        if (signal.aborted) throw e;
        // The index is a help, never a reason for no completion.
        this.deps.log(`completion: codebase snippets failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return out;
  }

  /**
   * The index's snippets for a query: the same query (the word being typed is not
   * part of it) is answered from the last search for a while; a search over its
   * time budget is not waited for (its answer is kept for the next request).
   */
  private async codebaseSnippets(backend: CompletionBackend, query: string, exclude: vscode.Uri, signal: AbortSignal): Promise<FimSnippet[]> {
    const key = `${exclude.toString()}\n${query}`;
    const now = Date.now();
    if (this.codebaseCache?.key !== key || now - this.codebaseCache.at > CODEBASE_CACHE_MS) {
      const entry: { key: string; at: number; result: Promise<FimSnippet[]> } = { key, at: now, result: backend.codebaseSnippets!(query, exclude, MAX_SNIPPETS, AbortSignal.timeout(2_000)) };
      // A failed search is not kept.
      entry.result.catch(() => {
        if (this.codebaseCache === entry) this.codebaseCache = undefined;
      });
      this.codebaseCache = entry;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<FimSnippet[]>((resolve) => (timer = setTimeout(() => resolve([]), CODEBASE_BUDGET_MS)));
    try {
      const found = await Promise.race([this.codebaseCache.result, late]);
      signal.throwIfAborted();
      return found;
    } finally {
      clearTimeout(timer);
    }
  }

  /** One notice per distinct problem, with the fix; then only the status bar says it (requests pause a while). */
  private failed(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    const code = (e as { code?: unknown }).code;
    const needsUser = code === 'unreachable' || code === 'model_not_found' || code === 'capability';
    this.failure = { message, until: Date.now() + (needsUser ? FAILURE_PAUSE_MS : 2_000) };
    this.deps.log(`completion: ${message}`);
    if (!needsUser || this.noticed.has(message)) return;
    this.noticed.add(message);
    const actions = code === 'unreachable' ? ['Turn Off Completions'] : ['Pick Completion Model', 'Turn Off Completions'];
    void vscode.window.showWarningMessage(`Hearth completions: ${message}`, ...actions).then((choice) => {
      if (choice === 'Pick Completion Model') void this.pickModel();
      else if (choice === 'Turn Off Completions') void this.setEnabled(false);
    });
  }

  private state(): CompletionStatus {
    const c = this.deps.settings().completion;
    const model = c.model || this.model;
    const m = model ? { model } : {};
    if (!c.enabled) return { kind: 'off' };
    const now = Date.now();
    if (now < this.snoozedUntil) return { kind: 'snoozed', untilMs: this.snoozedUntil, nowMs: now };
    const lang = vscode.window.activeTextEditor?.document.languageId;
    if (lang && !completionOnFor(c, lang)) return { kind: 'offForLanguage', language: lang };
    if (this.inFlight > 0) return { kind: 'waiting', ...m };
    if (this.failure) return { kind: 'failing', message: this.failure.message, ...m };
    return { kind: 'on', ...m };
  }

  private render(): void {
    const v = completionStatusView(this.state());
    this.item.text = v.text;
    this.item.tooltip = new vscode.MarkdownString(v.tooltip);
    this.item.backgroundColor = v.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.accessibilityInformation = { label: v.tooltip.replace(/[*`]/g, '').split('\n')[0]!, role: 'button' };
    this.item.show();
  }

  private async toggle(): Promise<void> {
    const c = this.deps.settings().completion;
    // Snoozed counts as off: toggling turns it back on.
    if (c.enabled && Date.now() < this.snoozedUntil) return this.snooze(0);
    await this.setEnabled(!c.enabled);
  }

  private async setEnabled(on: boolean): Promise<void> {
    if (!on) this.scheduler.cancelAll();
    this.snoozedUntil = 0;
    await vscode.workspace.getConfiguration('hearth').update('completion.enabled', on, vscode.ConfigurationTarget.Global);
    this.render();
  }

  private async snoozeCommand(minutes?: unknown): Promise<void> {
    if (typeof minutes === 'number' && minutes >= 0) return this.snooze(minutes);
    const pick = await vscode.window.showQuickPick(
      [
        { label: 'Snooze for 5 minutes', minutes: 5 },
        { label: 'Snooze for 30 minutes', minutes: 30 },
      ],
      { placeHolder: 'Pause Hearth inline completions' },
    );
    if (pick) this.snooze(pick.minutes);
  }

  private snooze(minutes: number): void {
    this.snoozedUntil = minutes > 0 ? Date.now() + minutes * 60_000 : 0;
    this.scheduler.cancelAll();
    if (this.snoozeTimer) clearTimeout(this.snoozeTimer);
    if (minutes > 0) this.snoozeTimer = setTimeout(() => this.render(), minutes * 60_000 + 50);
    this.render();
  }

  private async menu(): Promise<void> {
    const c = this.deps.settings().completion;
    const snoozed = Date.now() < this.snoozedUntil;
    const lang = vscode.window.activeTextEditor?.document.languageId;
    type Item = vscode.QuickPickItem & { run(): unknown };
    const items: Item[] = [];
    if (!c.enabled) items.push({ label: '$(check) Turn On Inline Completions', run: () => this.setEnabled(true) });
    else if (snoozed) items.push({ label: '$(play) Resume Now', run: () => this.snooze(0) });
    else {
      items.push({ label: '$(circle-slash) Turn Off Inline Completions', run: () => this.setEnabled(false) });
      items.push({ label: '$(clock) Snooze for 5 Minutes', run: () => this.snooze(5) });
      items.push({ label: '$(clock) Snooze for 30 Minutes', run: () => this.snooze(30) });
    }
    if (lang) {
      const on = completionOnFor(c, lang);
      items.push({ label: on ? `$(circle-slash) Turn Off for ${lang}` : `$(check) Turn On for ${lang}`, run: () => this.setLanguage(lang, !on) });
    }
    items.push({ label: '$(hubot) Pick Completion Model…', description: c.model || 'automatic', run: () => this.pickModel() });
    const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Hearth inline completions' });
    await pick?.run();
  }

  private async setLanguage(language: string, on: boolean): Promise<void> {
    const cfg = vscode.workspace.getConfiguration('hearth');
    const current = { ...(cfg.get<Record<string, boolean>>('completion.languages') ?? {}) };
    current[language] = on;
    await cfg.update('completion.languages', current, vscode.ConfigurationTarget.Global);
  }

  private async pickModel(): Promise<void> {
    const models = await this.deps
      .backend()
      .then((b) => b.fimModels())
      .catch((e: unknown) => {
        void vscode.window.showWarningMessage(`Hearth: the models could not be listed: ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
      });
    if (!models) return;
    const current = this.deps.settings().completion.model;
    const items = [
      { label: 'Automatic', description: 'the smallest installed model that can fill in the middle', model: '' },
      ...models.map((m) => ({ label: m.name, description: [m.parameter_size, m.capabilities?.includes('insert') ? 'fill-in-the-middle template' : 'known code model'].filter(Boolean).join(' · '), model: m.name })),
    ].map((i) => ({ ...i, picked: i.model === current }));
    if (models.length === 0) items.push({ label: 'No installed model can fill in the middle', description: 'e.g. ollama pull qwen2.5-coder:1.5b', model: '', picked: false });
    const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Model for inline completions (chat keeps its own)' });
    if (pick) await vscode.workspace.getConfiguration('hearth').update('completion.model', pick.model, vscode.ConfigurationTarget.Global);
  }
}
