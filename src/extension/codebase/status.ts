/** The codebase index's status over all folders, and how it is said. No runtime `vscode`: the `@codebase` source's tests load it. */
import type { IndexStatus } from '../../shared/codebase/schemas';

/** The indexes' status added up over the folders. */
export interface CodebaseStatus {
  state: IndexStatus['state'];
  files: number;
  indexedFiles: number;
  /** Sentences worth saying (the file cap, a storage that failed). */
  messages: string[];
}

/** What the window's progress, the picker row and the quick pick say while indexing. */
export function progressLabel(s: Pick<CodebaseStatus, 'indexedFiles' | 'files'>): string {
  return `Indexing ${s.indexedFiles.toLocaleString('en-US')} / ${s.files.toLocaleString('en-US')} files`;
}
