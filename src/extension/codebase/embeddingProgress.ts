/** "Embedding 120 / 900 chunks (nomic-embed-text)" in the window's status area while the codebase is embedded. */
import * as vscode from 'vscode';
import { embeddingLabel, type CodebaseEmbeddings, type EmbeddingsProgress } from './embeddings';

export function showEmbeddingProgress(embeddings: CodebaseEmbeddings): vscode.Disposable {
  let end: (() => void) | undefined;
  const stop = () => {
    const e = end;
    end = undefined;
    e?.();
  };
  const sub = embeddings.onDidChange((p) => {
    const busy = !!p && p.running && p.done < p.total;
    if (!busy) return stop();
    if (end) return;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Hearth' }, (progress) => {
      const update = (q: EmbeddingsProgress | undefined) => q && progress.report({ message: embeddingLabel(q) });
      update(embeddings.progress());
      const inner = embeddings.onDidChange(update);
      return new Promise<void>((resolve) => {
        end = () => {
          inner.dispose();
          resolve();
        };
      });
    });
  });
  return {
    dispose: () => {
      sub.dispose();
      stop();
    },
  };
}
