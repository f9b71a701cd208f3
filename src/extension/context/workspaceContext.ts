/**
 * The workspace as a source of attachments for the conversation core (its
 * WorkspaceContext): the registry of context sources (sources/: files,
 * problems, the selection, the uncommitted changes) behind the `@` picker and
 * the re-reading of chips at send time, plus the current file and opening a
 * chip's file.
 *
 * What the page can get is bounded by what this object offered: it names an
 * offer by id, never a path. At send time a file chip is read again (a file
 * changed since it was attached is sent as it is now) only when the user chose
 * that file here (picker, current file, command) or when the picker could have
 * offered it (inside the workspace, not excluded, not ignored by a .gitignore:
 * the index's own rule); any other chip is sent
 * exactly as it came, never read. Each kind's descriptor (shared/attachmentKinds.ts)
 * says whether it is read again at all (a selection goes as captured). Every
 * file read, offered or sent also passes the real-path rule
 * (`src/shared/realPathRule.ts`): a link out of the workspace is refused. Part of
 * the heavy bundle (loaded on first use).
 */
import * as vscode from 'vscode';
import type { ContextSource } from '../../core/contextSource';
import type { ContextResult, WorkspaceContext } from '../../core/platform';
import { ATTACHMENT_KINDS, attachmentKind, type AttachmentKind } from '../../shared/attachmentKinds';
import { safeLanguage } from '../../shared/attachments';
import { baseName, checkText } from '../../shared/contextRules';
import { realPathRefusal } from '../../shared/realPathRule';
import type { ContextCandidate, ContextState } from '../../shared/protocol';
import type { Attachment } from '../../shared/session';
import type { ContextSettings } from '../settings';
import { displayPath, fileAttachment, isFileLike, matchPath, MAX_FILE_SETTING, readFileText } from './fileReader';
import { CodebaseService } from '../codebase/codebaseService';
import { progressLabel } from '../codebase/status';
import { FileIndex } from './fileIndex';
import { matchesAnyGlob } from '../../shared/glob';
import type { SourceDeps } from './sources/deps';
import { parseUri } from './sources/file';
import { SOURCES } from './sources/index';

export { WORKSPACE_PROBLEMS } from './sources/problems';
const MAX_OFFERS = 2000;

/** What a picker row (or the current file) offers: the source that reads it, and what it needs to. */
type Offer = { source: ContextSource; offer: unknown };

export class VsCodeWorkspaceContext implements WorkspaceContext, vscode.Disposable {
  private readonly index: FileIndex;
  private readonly sources: ContextSource[];
  private readonly byKind = new Map<AttachmentKind, ContextSource>();
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

  /** The codebase index (`@codebase`, Search Codebase); started by the extension a moment after activation. */
  readonly codebase: CodebaseService;

  constructor(
    private readonly settings: () => ContextSettings,
    private readonly log: (line: string) => void,
    /** The extension's workspace storage (where the codebase index is kept); none when no folder is open. */
    storageUri?: vscode.Uri,
    /** The extension's folder: the codebase index reads its tree-sitter grammars from dist/tree-sitter there. */
    extensionUri?: vscode.Uri,
  ) {
    this.index = new FileIndex(() => this.settings().exclude, log);
    this.codebase = new CodebaseService(() => this.index.globs(), storageUri, log, extensionUri && vscode.Uri.joinPath(extensionUri, 'dist', 'tree-sitter'));
    const deps = this.sourceDeps();
    this.sources = ATTACHMENT_KINDS.map((k) => SOURCES[k](deps));
    for (const s of this.sources) this.byKind.set(s.kind, s);
    this.subs.push(
      this.index,
      this.codebase,
      // The panel's "Indexing n / m files" line follows the index (debounced like edits).
      this.codebase.onDidChangeStatus(() => this.changedSoon()),
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

  state(): Pick<ContextState, 'includeCurrentFile' | 'currentFile' | 'indexing'> {
    const cb = this.codebase.status();
    return { ...this.editorState(), ...(cb.state === 'indexing' ? { indexing: progressLabel(cb) } : {}) };
  }

  private editorState(): Pick<ContextState, 'includeCurrentFile' | 'currentFile'> {
    const includeCurrentFile = this.settings().includeCurrentFile;
    const doc = this.activeDocument();
    if (!doc || this.isExcluded(doc.uri) || !this.currentPassesRealPath(doc.uri)) return { includeCurrentFile };
    const key = doc.uri.toString();
    if (this.current?.uri !== key) this.current = { uri: key, id: this.offer({ source: this.byKind.get('file')!, offer: doc.uri }) };
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
    const q = query.trim();
    const answers = await Promise.all(
      this.sources.map(async (source) => {
        try {
          const rows = await source.search(q);
          return { named: attachmentKind(source.kind).mention !== undefined, rows: rows.map((r) => ({ id: this.offer({ source, offer: r.offer }), ...r.candidate })) };
        } catch (e) {
          // One source failing (say, Git) must not empty the picker.
          this.log(`@ search: the ${source.kind} source failed: ${e instanceof Error ? e.message : String(e)}`);
          return { named: false, rows: [] };
        }
      }),
    );
    const named = answers.filter((a) => a.named).flatMap((a) => a.rows);
    const listed = answers.filter((a) => !a.named).flatMap((a) => a.rows);
    // Typing "@pro" or "@diff" asks for the named entries: they come first. A bare "@" lists files first.
    return q ? [...named, ...listed] : [...listed, ...named];
  }

  async resolve(id: string): Promise<ContextResult> {
    const o = this.offers.get(id);
    if (!o) return { error: 'That entry is no longer offered; type @ again.' };
    return o.source.resolve(o.offer);
  }

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
    for (const s of this.sources) s.dispose?.();
    for (const d of this.subs.splice(0)) d.dispose();
  }

  // --- internals ---

  /** What the sources get: the picker's rules and reading, as this object holds them. */
  private sourceDeps(): SourceDeps {
    return {
      settings: () => this.settings(),
      log: (line) => this.log(line),
      files: () => this.index.list(),
      mayOffer: (uri) => this.index.mayOffer(uri),
      isExcluded: (uri) => this.isExcluded(uri),
      markChosen: (uri) => this.markChosen(uri),
      mayReread: (uri) => this.mayReread(uri),
      realPathRefused: (uri) => this.realPathRefused(uri),
      readText: (uri, maxKB) => readFileText(uri, maxKB),
      codebase: () => this.codebase,
      extensionExports: async (id) => {
        const ext = vscode.extensions.getExtension(id);
        if (!ext) return undefined;
        return ext.isActive ? ext.exports : await ext.activate();
      },
    };
  }

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

  private activeDocument(): vscode.TextDocument | undefined {
    const e = vscode.window.activeTextEditor;
    return e && isFileLike(e.document.uri) ? e.document : undefined;
  }

  /** Chosen in this window, or offerable by the picker (the index's own rule: workspace, exclusions, .gitignore). */
  private async mayReread(uri: vscode.Uri): Promise<boolean> {
    if (this.chosen.has(uri.toString())) return true;
    if (!isFileLike(uri)) return false;
    return this.index.mayOffer(uri).catch(() => false);
  }
}
