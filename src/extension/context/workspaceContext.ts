/**
 * The workspace as a source of attachments for the conversation core (its
 * WorkspaceContext): the `@` picker's search, the current file, problems, the
 * selection, re-reading chips at send time, and opening a chip's file.
 *
 * What the page can get is bounded by what this object offered: it names an
 * offer by id, never a path. At send time a file chip is read again (a file
 * changed since it was attached is sent as it is now) only when the user chose
 * that file here (picker, current file, command) or when the picker could have
 * offered it (inside the workspace, not excluded, not ignored by a .gitignore:
 * the index's own rule); any other chip is sent
 * exactly as it came, never read. Selections go as captured; problems as they
 * are at send time. Every file read, offered or sent also passes the real-path
 * rule (`src/shared/realPathRule.ts`): a link out of the workspace is refused. Part of the heavy bundle (loaded on first use).
 */
import * as vscode from 'vscode';
import type { ContextResult, WorkspaceContext } from '../../core/platform';
import { safeLanguage } from '../../shared/attachments';
import { baseName, checkText } from '../../shared/contextRules';
import { realPathRefusal } from '../../shared/realPathRule';
import type { ContextCandidate, ContextState } from '../../shared/protocol';
import type { Attachment } from '../../shared/session';
import { selectionAttachment } from '../commands/selectionPrompt';
import type { ContextSettings } from '../settings';
import { displayPath, fileAttachment, isFileLike, linesOf, matchPath, MAX_FILE_SETTING, readFileText } from './fileReader';
import { FileIndex } from './fileIndex';
import { rankPaths } from './fuzzy';
import { matchesAnyGlob } from './glob';
import { problemInfo, selectionLines } from './diagnostics';
import { countLabel, formatProblems, type ProblemInfo } from './problems';

/** The name of the whole-workspace problems attachment (it has no file). */
export const WORKSPACE_PROBLEMS = 'workspace';
const MAX_RESULTS = 50;
const MAX_OFFERS = 2000;

type Offer = { kind: 'file'; uri: vscode.Uri } | { kind: 'problems'; uri?: vscode.Uri } | { kind: 'selection'; uri: vscode.Uri; selection: vscode.Range };

export class VsCodeWorkspaceContext implements WorkspaceContext, vscode.Disposable {
  private readonly index: FileIndex;
  private readonly offers = new Map<string, Offer>();
  private offerSeq = 0;
  /** Files the user chose in this window: read again at send time even when excluded (they confirmed). */
  private readonly chosen = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private readonly subs: vscode.Disposable[] = [];
  private current: { uri: string; id: string } | undefined;
  /** The active document's real-path verdict (state() is synchronous: it is worked out once per document, then the page is told). */
  private currentReal: { uri: string; ok?: boolean; done: Promise<void> } | undefined;
  private changeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly settings: () => ContextSettings,
    log: (line: string) => void,
  ) {
    this.index = new FileIndex(() => this.settings().exclude, log);
    this.subs.push(
      this.index,
      vscode.window.onDidChangeActiveTextEditor(() => {
        // A file may have become a link since it was last active: its verdict is worked out again.
        this.currentReal = undefined;
        this.changed();
      }),
      // The included current file's token count follows edits (debounced); nothing to do when the setting is off.
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.settings().includeCurrentFile && e.document === this.activeDocument()) this.changedSoon();
      }),
    );
  }

  // --- WorkspaceContext ---

  state(): Pick<ContextState, 'includeCurrentFile' | 'currentFile'> {
    const includeCurrentFile = this.settings().includeCurrentFile;
    const doc = this.activeDocument();
    if (!doc || this.isExcluded(doc.uri) || !this.currentPassesRealPath(doc.uri)) return { includeCurrentFile };
    const key = doc.uri.toString();
    if (this.current?.uri !== key) this.current = { uri: key, id: this.offer({ kind: 'file', uri: doc.uri }) };
    const candidate: ContextCandidate = { id: this.current.id, kind: 'file', label: baseName(doc.uri.path) || 'file', description: displayPath(doc.uri) };
    const text = checkText(candidate.label, doc.getText(), this.settings().maxFileKB, MAX_FILE_SETTING);
    if (!text.ok) return { includeCurrentFile, currentFile: { candidate, uri: key, problem: text.message } };
    if (!includeCurrentFile) return { includeCurrentFile, currentFile: { candidate, uri: key } };
    // Going with every question: the chip shows (and counts) it, so it is marked chosen.
    this.chosen.add(key);
    const language = safeLanguage(doc.languageId);
    const attachment: Attachment = { kind: 'file', name: candidate.label, path: displayPath(doc.uri), uri: key, ...(language ? { language } : {}), content: text.text };
    return { includeCurrentFile, currentFile: { candidate, uri: key, attachment } };
  }

  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  async search(query: string): Promise<ContextCandidate[]> {
    const q = query.trim().toLowerCase();
    const special: ContextCandidate[] = [];
    const doc = this.activeDocument();
    if ('problems'.startsWith(q)) {
      if (doc && !this.isExcluded(doc.uri)) {
        const n = this.problemsOf(doc.uri);
        special.push({ id: this.offer({ kind: 'problems', uri: doc.uri }), kind: 'problems', label: 'Problems in the current file', description: `${baseName(doc.uri.path)} · ${countLabel(n)}` });
      }
      const all = this.workspaceProblems();
      const files = new Set(all.map((p) => p.path)).size;
      special.push({ id: this.offer({ kind: 'problems' }), kind: 'problems', label: 'Problems in the workspace', description: `${countLabel(all)}${files ? ` in ${files} file${files === 1 ? '' : 's'}` : ''}` });
    }
    const editor = this.activeEditor();
    if ('selection'.startsWith(q) && editor && !editor.selection.isEmpty && !this.isExcluded(editor.document.uri)) {
      const range = selectionLines(editor.selection);
      special.push({ id: this.offer({ kind: 'selection', uri: editor.document.uri, selection: new vscode.Range(editor.selection.start, editor.selection.end) }), kind: 'selection', label: 'Selection', description: `${baseName(editor.document.uri.path)}:${range.startLine}-${range.endLine}` });
    }
    const files = await this.index.list();
    const ranked = q ? rankPaths(query, files, MAX_RESULTS) : this.recentFirst(files).slice(0, MAX_RESULTS);
    const rows = ranked.map((f) => {
      const slash = f.path.lastIndexOf('/');
      return { id: this.offer({ kind: 'file', uri: f.uri }), kind: 'file' as const, label: f.path.slice(slash + 1), ...(slash > 0 ? { description: f.path.slice(0, slash) } : {}) };
    });
    // Typing "@pro" or "@sel" asks for the special entries: they come first. A bare "@" lists files first.
    return q ? [...special, ...rows] : [...rows, ...special];
  }

  async resolve(id: string): Promise<ContextResult> {
    const o = this.offers.get(id);
    if (!o) return { error: 'That entry is no longer offered; type @ again.' };
    switch (o.kind) {
      case 'file': {
        const refused = await this.realPathRefused(o.uri);
        if (refused) return { error: refused };
        const r = await fileAttachment(o.uri, this.settings().maxFileKB);
        if ('error' in r) return r;
        this.chosen.add(o.uri.toString());
        return { attachments: [r.attachment] };
      }
      case 'problems':
        return o.uri ? this.fileProblems(o.uri) : { attachments: [this.workspaceProblemsAttachment()] };
      case 'selection': {
        const refused = await this.realPathRefused(o.uri);
        if (refused) return { error: refused };
        const doc = await vscode.workspace.openTextDocument(o.uri);
        this.chosen.add(o.uri.toString());
        return { attachments: [this.selectionAttachment(doc, o.selection)] };
      }
    }
  }

  async refresh(attachments: Attachment[]): Promise<ContextResult> {
    const out: Attachment[] = [];
    for (const a of attachments) {
      if (a.kind === 'problems') {
        out.push(this.refreshProblems(a));
        continue;
      }
      // A selection is what the user selected then (its lines may have moved since): it goes as captured.
      const uri = a.kind === 'file' && a.uri ? parseUri(a.uri) : undefined;
      if (!uri || !(await this.mayReread(uri))) {
        out.push(a);
        continue;
      }
      const refused = await this.realPathRefused(uri);
      if (refused) return { error: `${refused} Remove its chip (✕) and send again.` };
      const r = await readFileText(uri, this.settings().maxFileKB);
      if (!r.ok) return { error: `${r.message} Remove its chip (✕) and send again.` };
      const { truncated: _cut, ...rest } = a;
      out.push({ ...rest, content: a.range ? linesOf(r.text, a.range) : r.text });
    }
    return { attachments: out };
  }

  async open(uri: string, range?: { startLine: number; endLine: number }): Promise<void> {
    const u = parseUri(uri);
    // Only files: a chip must never become a way to run a command: URI.
    if (!u || !isFileLike(u)) return;
    try {
      const doc = await vscode.workspace.openTextDocument(u);
      let selection: vscode.Range | undefined;
      if (range && doc.lineCount > 0) {
        const end = Math.min(range.endLine, doc.lineCount) - 1;
        selection = new vscode.Range(Math.min(range.startLine - 1, end), 0, end, doc.lineAt(end).text.length);
      }
      await vscode.window.showTextDocument(doc, { preview: true, ...(selection ? { selection } : {}) });
    } catch (e) {
      void vscode.window.showWarningMessage(`Hearth: could not open ${baseName(u.path)}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  // --- for the commands ---

  /** Whether hearth.context.exclude matches the file (never offered; a command asks first). */
  isExcluded(uri: vscode.Uri): boolean {
    return matchesAnyGlob(matchPath(uri), this.index.contextGlobs());
  }

  /**
   * Files a command attaches (Explorer, editor tab): excluded ones only after
   * `confirm` says yes; each refusal is a sentence in `errors`.
   */
  async attachFiles(uris: readonly vscode.Uri[], confirm: (names: string[]) => Promise<boolean>): Promise<{ attachments: Attachment[]; errors: string[] }> {
    const excluded = uris.filter((u) => this.isExcluded(u));
    const allowExcluded = excluded.length ? await confirm(excluded.map((u) => baseName(u.path))) : false;
    const attachments: Attachment[] = [];
    const errors: string[] = [];
    for (const uri of uris) {
      if (!allowExcluded && excluded.includes(uri)) continue;
      const refused = await this.realPathRefused(uri);
      if (refused) {
        errors.push(refused);
        continue;
      }
      const r = await fileAttachment(uri, this.settings().maxFileKB);
      if ('error' in r) errors.push(r.error);
      else {
        this.markChosen(uri);
        attachments.push(r.attachment);
      }
    }
    return { attachments, errors };
  }

  /**
   * Whether inline completion may read this document (and send it as context):
   * an untitled editor, or a file the `@` picker would offer (the one rule:
   * FileIndex.mayOffer — workspace, exclusions, .gitignore). A chosen chip does
   * not make an excluded file completable.
   */
  async mayComplete(uri: vscode.Uri): Promise<boolean> {
    if (uri.scheme === 'untitled') return true;
    if (!isFileLike(uri)) return false;
    return this.index.mayOffer(uri).catch(() => false);
  }

  /** A file the user chose by a command: read again at send time even if excluded (they confirmed). */
  markChosen(uri: vscode.Uri): void {
    this.chosen.add(uri.toString());
  }

  dispose(): void {
    if (this.changeTimer) clearTimeout(this.changeTimer);
    this.listeners.clear();
    for (const d of this.subs.splice(0)) d.dispose();
  }

  // --- internals ---

  /** Why the real-path rule refuses this file (a link out of the workspace, or to an excluded file), or undefined. */
  private async realPathRefused(uri: vscode.Uri): Promise<string | undefined> {
    const v = await this.index.realPath(uri).catch(() => ({ ok: false as const, reason: 'unresolved' as const }));
    return v.ok ? undefined : realPathRefusal(baseName(uri.path) || 'file', v.reason);
  }

  /** The current file's verdict if known; otherwise it is worked out and the page told. Unknown counts as refused. */
  private currentPassesRealPath(uri: vscode.Uri): boolean {
    const key = uri.toString();
    if (this.currentReal?.uri === key) return this.currentReal.ok === true;
    const entry: { uri: string; ok?: boolean; done: Promise<void> } = {
      uri: key,
      done: this.realPathRefused(uri).then((refused) => {
        entry.ok = !refused;
        if (this.currentReal === entry && entry.ok) this.changed();
      }),
    };
    this.currentReal = entry;
    return false;
  }

  /** state() once the current file's real-path verdict is known (for tests). */
  async settledState(): Promise<ReturnType<VsCodeWorkspaceContext['state']>> {
    this.state();
    await this.currentReal?.done;
    return this.state();
  }

  private offer(o: Offer): string {
    const id = `o${++this.offerSeq}`;
    this.offers.set(id, o);
    // Oldest first out: the page only ever names offers from its latest few searches.
    if (this.offers.size > MAX_OFFERS) this.offers.delete(this.offers.keys().next().value!);
    return id;
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }

  private changedSoon(): void {
    if (this.changeTimer) clearTimeout(this.changeTimer);
    this.changeTimer = setTimeout(() => {
      this.changeTimer = undefined;
      this.changed();
    }, 500);
  }

  private activeEditor(): vscode.TextEditor | undefined {
    const e = vscode.window.activeTextEditor;
    return e && isFileLike(e.document.uri) ? e : undefined;
  }

  private activeDocument(): vscode.TextDocument | undefined {
    return this.activeEditor()?.document;
  }

  /** Chosen in this window, or offerable by the picker (the index's own rule: workspace, exclusions, .gitignore). */
  private async mayReread(uri: vscode.Uri): Promise<boolean> {
    if (this.chosen.has(uri.toString())) return true;
    if (!isFileLike(uri)) return false;
    return this.index.mayOffer(uri).catch(() => false);
  }

  private recentFirst(files: readonly { uri: vscode.Uri; path: string }[]) {
    const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    return [...files].sort((a, b) => Number(open.has(b.uri.toString())) - Number(open.has(a.uri.toString())));
  }

  private problemsOf(uri: vscode.Uri): ProblemInfo[] {
    return vscode.languages.getDiagnostics(uri).map((d) => problemInfo(uri, d));
  }

  private workspaceProblems(): ProblemInfo[] {
    return vscode.languages
      .getDiagnostics()
      .filter(([uri]) => isFileLike(uri) && !this.isExcluded(uri))
      .flatMap(([uri, ds]) => ds.map((d) => problemInfo(uri, d)));
  }

  private workspaceProblemsAttachment(): Attachment {
    const all = this.workspaceProblems();
    return { kind: 'problems', name: WORKSPACE_PROBLEMS, content: all.length ? formatProblems(all) : 'No problems reported.' };
  }

  private fileProblems(uri: vscode.Uri): ContextResult {
    const list = this.problemsOf(uri);
    const name = baseName(uri.path);
    if (list.length === 0) return { error: `There are no problems in ${name} right now.` };
    return { attachments: [{ kind: 'problems', name, path: displayPath(uri), uri: uri.toString(), content: formatProblems(list) }] };
  }

  /** Problems are sent as they are at send time, too. */
  private refreshProblems(a: Attachment): Attachment {
    if (!a.uri) return a.name === WORKSPACE_PROBLEMS ? { ...this.workspaceProblemsAttachment(), ...(a.path ? { path: a.path } : {}) } : a;
    const uri = parseUri(a.uri);
    if (!uri || !isFileLike(uri)) return a;
    // A problems chip made by "Ask Hearth to fix" names one problem: it stays as made.
    if (a.range) return a;
    const list = this.problemsOf(uri);
    return { ...a, content: list.length ? formatProblems(list) : 'No problems reported now.' };
  }

  /** The selected text itself (as Ask About Selection sends it), with its lines. */
  private selectionAttachment(doc: vscode.TextDocument, sel: vscode.Range): Attachment {
    const lines = selectionLines(sel);
    return selectionAttachment({ text: doc.getText(sel), path: displayPath(doc.uri), uri: doc.uri.toString(), languageId: doc.languageId, ...lines, maxChars: Number.POSITIVE_INFINITY }).attachment;
  }
}

function parseUri(s: string): vscode.Uri | undefined {
  try {
    return vscode.Uri.parse(s, true);
  } catch {
    return undefined;
  }
}
