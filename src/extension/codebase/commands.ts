/**
 * *Hearth: Search Codebase* (a quick pick of the index's results as you type;
 * choosing one opens the file at its lines) and *Hearth: Rebuild Codebase
 * Index*. Only types from the index: this file is in the activation bundle, the
 * index comes with the heavy half when a command first runs.
 */
import * as vscode from 'vscode';
import type { CodebaseHit, CodebaseService } from './codebaseService';

export interface CodebaseCommandDeps {
  codebase(): Promise<CodebaseService | undefined>;
  open(uri: string, range: { startLine: number; endLine: number }): Promise<void>;
}

const NO_FOLDER = 'Hearth: open a folder to search its code.';
const RESULTS = 30;
/** Typing is searched after this pause (a search takes milliseconds; the pause keeps the list from flickering). */
const TYPING_MS = 120;

interface HitItem extends vscode.QuickPickItem {
  hit: CodebaseHit;
}

export async function searchCodebase(deps: CodebaseCommandDeps, initial?: string): Promise<void> {
  const index = await deps.codebase();
  if (!index) return void vscode.window.showInformationMessage(NO_FOLDER);
  index.start();
  const pick = vscode.window.createQuickPick<HitItem>();
  pick.title = 'Hearth: Search Codebase';
  pick.placeholder = 'Ask where something is: "where are retries done?", "parseHeader"';
  pick.matchOnDescription = false;
  pick.matchOnDetail = false;
  if (initial) pick.value = initial;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let seq = 0;
  let search: AbortController | undefined;
  const run = async () => {
    const q = pick.value.trim();
    const mine = ++seq;
    search?.abort();
    if (!q) {
      pick.items = [];
      pick.busy = false;
      return;
    }
    search = new AbortController();
    pick.busy = true;
    try {
      const hits = await index.search(q, RESULTS, search.signal);
      if (mine !== seq) return;
      const s = index.status();
      pick.items = hits.map((hit) => ({
        hit,
        label: `$(symbol-misc) ${hit.symbol ?? hit.displayPath.split('/').pop()}`,
        description: `${hit.displayPath}:${hit.start_line}-${hit.end_line}`,
        detail: firstLine(hit.text),
        // Every result is shown: the index ranked them; the quick pick must not filter them again by its own matching.
        alwaysShow: true,
      }));
      pick.title = s.state === 'indexing' ? `Hearth: Search Codebase — searched ${s.indexedFiles.toLocaleString('en-US')} of ${s.files.toLocaleString('en-US')} files (still indexing)` : 'Hearth: Search Codebase';
    } catch (e) {
      if (mine === seq && !(e instanceof Error && e.name === 'AbortError')) pick.title = `Hearth: Search Codebase — ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      if (mine === seq) pick.busy = false;
    }
  };
  const subs = [
    pick.onDidChangeValue(() => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void run(), TYPING_MS);
    }),
    pick.onDidAccept(() => {
      const item = pick.selectedItems[0];
      if (!item) return;
      pick.hide();
      void deps.open(item.hit.uri.toString(), { startLine: item.hit.start_line, endLine: item.hit.end_line });
    }),
    pick.onDidHide(() => {
      if (timer) clearTimeout(timer);
      search?.abort();
      for (const d of subs) d.dispose();
      pick.dispose();
    }),
  ];
  pick.show();
  if (pick.value) void run();
}

export async function rebuildCodebaseIndex(deps: Pick<CodebaseCommandDeps, 'codebase'>): Promise<void> {
  const index = await deps.codebase();
  if (!index) return void vscode.window.showInformationMessage(NO_FOLDER);
  await index.rebuild();
  const s = index.status();
  void vscode.window.showInformationMessage(`Hearth: the codebase index was rebuilt: ${s.indexedFiles.toLocaleString('en-US')} files.${s.messages.length ? ` ${s.messages.join(' ')}` : ''}`);
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  return line.trim().slice(0, 160);
}
