/**
 * What an Apply request carries from the chat to the editor, and the order in
 * which its targets are tried: the range the question was about, a file the
 * block names, then (in the editor) the active selection, the active file, and
 * finally the user's choice. Pure.
 */
import { attachmentKind } from '../../shared/attachmentKinds';
import type { Attachment } from '../../shared/session';
import { namedPath, parseBlock, type NamedPath } from './parse';

/** Something the question was about that an edit can land in (an attachment with a URI). */
export interface ApplyTarget {
  uri: string;
  /** Workspace-relative path, when known. */
  path?: string;
  name: string;
  /** 1-based inclusive lines the question was about. */
  range?: { startLine: number; endLine: number };
  /** The code the question was about, to check that the range still holds it. */
  expected?: string;
  /** `expected` was cut to fit the context window: only its start is known. */
  expectedIsPrefix?: boolean;
}

export interface ApplyRequest {
  /** The block's code, exactly as the reply has it (never its reasoning). */
  code: string;
  /** The fence's info string. */
  info: string;
  /** What the question was about, most specific first. */
  targets: ApplyTarget[];
}

/** Its schema lives with the protocol (a page gets it as a reply); a type-only import, so no validator loads here. */
export type { ApplyOutcome } from '../../shared/protocol';

/**
 * The attachments of a question that name a document: code with a range (a
 * selection) first, then the lines a problem was reported on (their content is
 * the diagnostics, not code, so there is nothing to check the lines against),
 * then whole files.
 */
export function questionTargets(attachments: readonly Attachment[] | undefined): ApplyTarget[] {
  // What each kind allows comes from its descriptor: a kind not marked as code or lines is never a target.
  const withUri = (attachments ?? []).filter((a) => a.uri);
  const code = withUri.filter((a) => attachmentKind(a.kind).apply === 'code');
  const lines = withUri.filter((a) => attachmentKind(a.kind).apply === 'lines' && a.range);
  const ordered = [...code.filter((a) => a.range), ...lines, ...code.filter((a) => !a.range)];
  return ordered.map((a) => ({
    uri: a.uri!,
    name: a.name,
    ...(a.path ? { path: a.path } : {}),
    ...(a.range ? { range: a.range } : {}),
    ...(a.range && attachmentKind(a.kind).apply === 'code' ? { expected: a.content, ...(a.truncated ? { expectedIsPrefix: true } : {}) } : {}),
  }));
}

/** Whether a path a model wrote names this target: the same trailing path segments (`a.ts` names `src/a.ts`). */
export function namesTarget(named: string, t: Pick<ApplyTarget, 'path' | 'name' | 'uri'>): boolean {
  const parts = (p: string) => p.replace(/\\/g, '/').split('/').filter((s) => s && s !== '.');
  const want = parts(named);
  const have = parts(t.path ?? decodeURIComponent(t.uri.replace(/^[a-z][\w+.-]*:\/\/[^/]*/i, '')) ?? t.name);
  if (want.length === 0 || want.length > have.length) return false;
  return want.every((seg, i) => seg === have[have.length - want.length + i]);
}

export type TargetStep = { kind: 'attachment'; target: ApplyTarget } | { kind: 'named'; path: string; from: NamedPath['from'] };

/**
 * The targets to try in order, before the editor's own (active selection,
 * active file, ask). A file the block names that is one of the question's
 * attachments selects that attachment. Otherwise the range asked about comes
 * first, except for SEARCH/REPLACE blocks and diffs: they say which file they
 * change, and do not need a range.
 */
export function targetSteps(req: ApplyRequest): TargetStep[] {
  const named = namedPath(req.code, req.info);
  if (named) {
    const hit = req.targets.find((t) => namesTarget(named.path, t));
    if (hit) return [{ kind: 'attachment', target: hit }];
  }
  const ranged = req.targets.filter((t) => t.range);
  const files = req.targets.filter((t) => !t.range);
  const explicit = named ? [{ kind: 'named' as const, path: named.path, from: named.from }] : [];
  const kind = parseBlock(req.code, req.info).kind;
  const locatesItself = kind === 'searchReplace' || kind === 'diff';
  const att = (t: ApplyTarget): TargetStep => ({ kind: 'attachment', target: t });
  return locatesItself ? [...explicit, ...ranged.map(att), ...files.map(att)] : [...ranged.map(att), ...explicit, ...files.map(att)];
}
