/**
 * The context sources, one per attachment kind: the `@` picker asks them in
 * this order (named ones first once something is typed), and each chip is read
 * again at send time by the source of its kind. Adding a source: a row in
 * src/shared/attachmentKinds.ts, a file here, a line below (the type makes the
 * line required).
 */
import type { ContextSource } from '../../../core/contextSource';
import type { AttachmentKind } from '../../../shared/attachmentKinds';
import type { SourceDeps } from './deps';
import { CodebaseSource } from './codebase';
import { DiffSource } from './diff';
import { FileSource } from './file';
import { ProblemsSource } from './problems';
import { SelectionSource } from './selection';
import { SnippetSource } from './snippet';

export const SOURCES: { readonly [K in AttachmentKind]: (deps: SourceDeps) => ContextSource & { readonly kind: K } } = {
  file: (d) => new FileSource(d),
  problems: (d) => new ProblemsSource(d),
  selection: (d) => new SelectionSource(d),
  codebase: (d) => new CodebaseSource(d),
  snippet: (d) => new SnippetSource(d),
  diff: (d) => new DiffSource(d),
};
