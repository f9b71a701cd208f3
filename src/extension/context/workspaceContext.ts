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
import { ContextRegistry, RegistryWorkspaceContext } from '../../core/contextRegistry';
import { ATTACHMENT_KINDS } from '../../shared/attachmentKinds';
import { safeLanguage } from '../../shared/attachments';
import { baseName, checkText } from '../../shared/contextRules';
import { realPathRefusal } from '../../shared/realPathRule';
import type { ContextCandidate, ContextState } from '../../shared/protocol';
import type { Attachment } from '../../shared/session';
import type { ContextSettings } from '../settings';
import { displayPath, fileAttachment, isFileLike, matchPath, MAX_FILE_SETTING, readFileText } from './fileReader';
import { CodebaseService } from '../codebase/codebaseService';
import { CodebaseEmbeddings } from '../codebase/embeddings';
import { showEmbeddingProgress } from '../codebase/embeddingProgress';
import { createOllamaEmbedder } from '../../gateway/codebase/ollamaEmbedder';
import type { ProviderConfig } from '../../gateway/engine/types';
import { progressLabel } from '../codebase/status';
import { FileIndex } from './fileIndex';
import { matchesAnyGlob } from '../../shared/glob';
import type { SourceDeps } from './sources/deps';
import { parseUri } from './sources/file';
import { SOURCES } from './sources/index';

export { WORKSPACE_PROBLEMS } from './sources/problems';

export class VsCodeWorkspaceContext extends RegistryWorkspaceContext implements vscode.Disposable {
  private readonly index: FileIndex;
  /** The sources of every kind (sources/index.ts): the picker, adding, re-reading at send (src/core/contextRegistry.ts). */
  protected readonly registry: ContextRegistry;
  /** Files the user chose in this window: read again at send time even when excluded (they confirmed). */
  private readonly chosen = new Set<string>();
  private readonly subs: vscode.Disposable[] = [];
  private current: { uri: string; id: string } | undefined;
  /** The active document's real-path verdict (state() is synchronous: it is worked out once per document, then the page is told). */
  private currentReal: { uri: string; ok?: boolean; done: Promise<void> } | undefined;
  private changeTimer: ReturnType<typeof setTimeout> | undefined;

  /** The codebase index (`@codebase`, Search Codebase); started by the extension a moment after activation. */
  readonly codebase: CodebaseService;
  /** hearth.codebase.embeddingModel: search by meaning beside the index; `settingsChanged()` when the settings change. */
  readonly embeddings: CodebaseEmbeddings;

  constructor(
    private readonly settings: () => ContextSettings,
    private readonly log: (line: string) => void,
    /** The extension's workspace storage (where the codebase index is kept); none when no folder is open. */
    storageUri?: vscode.Uri,
    /** The embedding model and the Ollama server to embed with, as the settings say now (undefined: lexical only). */
    embedding?: () => { model: string; config: ProviderConfig } | undefined,
    /** The extension's folder: the codebase index reads its tree-sitter grammars from dist/tree-sitter there. */
    extensionUri?: vscode.Uri,
  ) {
    super();
    this.index = new FileIndex(() => this.settings().exclude, log);
    this.embeddings = new CodebaseEmbeddings({
      target: () => {
        const e = embedding?.();
        return e && { model: e.model, key: `${e.model}\n${JSON.stringify(e.config)}`, create: () => createOllamaEmbedder(e.model, e.config) };
      },
      log,
    });
    this.codebase = new CodebaseService(() => this.index.globs(), storageUri, log, this.embeddings, extensionUri && vscode.Uri.joinPath(extensionUri, 'dist', 'tree-sitter'));
    const deps = this.sourceDeps();
    this.registry = new ContextRegistry(
      ATTACHMENT_KINDS.map((k) => SOURCES[k](deps)),
      log,
    );
    this.subs.push(
      this.index,
      this.codebase,
      // After the index (whose folders hold them): embedding stops and stores what it did.
      this.embeddings,
      showEmbeddingProgress(this.embeddings),
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
    if (this.current?.uri !== key) this.current = { uri: key, id: this.registry.offer(this.registry.source('file')!, doc.uri) };
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

  override dispose(): void {
    if (this.changeTimer) clearTimeout(this.changeTimer);
    super.dispose();
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
