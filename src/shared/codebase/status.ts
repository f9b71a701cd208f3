/**
 * The codebase index's status as a page's host says it (one index, or VS Code's
 * folders added up), and how its progress is worded. Pure: the `@codebase`
 * source (src/core/codebaseSource.ts) and both hosts use it.
 */
import type { IndexStatus } from './schemas';

/** The indexes' status added up over the folders. */
export interface CodebaseStatus {
  state: IndexStatus['state'];
  files: number;
  indexedFiles: number;
  /** Sentences worth saying (the file cap, a storage that failed). */
  messages: string[];
}

/** What the window's progress, the picker row and the panel say while indexing. */
export function progressLabel(s: Pick<CodebaseStatus, 'indexedFiles' | 'files'>): string {
  return `Indexing ${s.indexedFiles.toLocaleString('en-US')} / ${s.files.toLocaleString('en-US')} files`;
}

/** One index's GET /index status in the shape the `@codebase` source reads. */
export function codebaseStatusOf(s: IndexStatus): CodebaseStatus {
  return { state: s.state, files: s.files, indexedFiles: s.indexed_files, messages: s.message ? [s.message] : [] };
}
