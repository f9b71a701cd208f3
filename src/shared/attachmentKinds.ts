/**
 * Every kind of attachment, described once: what the model's heading calls it,
 * the chip's and the `@` picker's icon, whether Apply may land in it, how it is
 * read again at send time, what identifies one chip. The page, the core and the
 * extension read these rows instead of switching over kinds, so a new context
 * source adds one row here (its kind string is stored in sessions: never rename
 * one) plus its source (src/extension/context/sources/). Pure, zod-free.
 */

export interface AttachmentKindDescriptor {
  /** How the model's heading names it, before the path: "File `src/a.ts`", "Problems in `a.ts`". */
  readonly heading: string;
  /** What it is, in a word or two (the chip's tooltip). */
  readonly title: string;
  /** The codicon of its chip and its `@` picker row. */
  readonly codicon: string;
  /**
   * What Apply may do with it: `code` — its text is the document's (at its lines,
   * if it has a range), so a block may replace it; `lines` — it names lines of a
   * document but holds no code (diagnostics), so only its range is a target;
   * `none` — never a target (a diff, a summary).
   */
  readonly apply: 'code' | 'lines' | 'none';
  /**
   * At send time: `atSend` — its source reads it again (a file as it is now, the
   * problems now); `asCaptured` — it goes as it was added (a selection).
   */
  readonly reread: 'atSend' | 'asCaptured';
  /**
   * Which chips are the same one (the newer replaces the older): `place` — the
   * same document and lines (without a document: name and content); `placeAndContent`
   * — and the same text; `name` — the same name (one chip per repository, say).
   */
  readonly identity: 'place' | 'placeAndContent' | 'name';
  /** The word typed after `@` that offers it first ("@problems"); absent: found by its file name. */
  readonly mention?: string;
  /** The chip names it by its path, not only its file name (a snippet: found by a search, so where it is matters). */
  readonly chipPath?: true;
  /** Once sent, its text is a line for the user too (what a search covered): the chip shows its first clause. */
  readonly summary?: true;
}

/**
 * The registry. Order is the `@` picker's for rows of the same standing, and its hint's. The keys are the
 * persisted kind strings of old sessions: keep them.
 */
const KINDS = {
  file: { heading: 'File', title: 'File', codicon: 'file', apply: 'code', reread: 'atSend', identity: 'place' },
  problems: { heading: 'Problems in', title: 'Problems', codicon: 'warning', apply: 'lines', reread: 'atSend', identity: 'placeAndContent', mention: 'problems' },
  selection: { heading: 'Selection from', title: 'Selection', codicon: 'selection', apply: 'code', reread: 'asCaptured', identity: 'place', mention: 'selection' },
  // The request (its chip before a send) and, once sent, a line saying what was searched; the snippets are their own chips.
  codebase: { heading: 'Codebase search', title: 'Codebase search (@codebase)', codicon: 'search', apply: 'none', reread: 'atSend', identity: 'name', mention: 'codebase', summary: true },
  // A snippet the codebase index found for the question (VS Code's @codebase and the gateway's "codebase": true alike),
  // the file's text at those lines when it was searched. Found by a search, not chosen by the user: never an Apply target (a block should land where the user pointed), and sent as found.
  snippet: { heading: 'Snippet from', title: 'Codebase snippet', codicon: 'symbol-snippet', apply: 'none', reread: 'asCaptured', identity: 'place', chipPath: true },
  diff: { heading: 'Uncommitted changes in', title: 'Uncommitted changes (git diff)', codicon: 'git-compare', apply: 'none', reread: 'atSend', identity: 'name', mention: 'diff' },
} as const satisfies Record<string, AttachmentKindDescriptor>;

export type AttachmentKind = keyof typeof KINDS;

/** The kinds a stored or received attachment may have; anything else is refused by the schemas. */
export const ATTACHMENT_KINDS = Object.keys(KINDS) as [AttachmentKind, ...AttachmentKind[]];

/**
 * A stored attachment in the shape of today's kinds. The gateway stored codebase
 * snippets as `codebase` (with lines) before snippets had a kind of their own;
 * the `@codebase` chip never has lines, so such an attachment loads as the
 * snippet it is. Anything else is left for the schema to judge.
 */
export function upgradeStoredAttachment(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const a = v as { kind?: unknown; range?: unknown };
  return a.kind === 'codebase' && a.range !== undefined ? { ...a, kind: 'snippet' } : v;
}

export function attachmentKind(kind: AttachmentKind): AttachmentKindDescriptor {
  return KINDS[kind];
}

/** The `@` words the picker hints at ("@problems · @selection · @diff"). */
export const MENTIONS: readonly string[] = ATTACHMENT_KINDS.flatMap((k) => {
  const m = attachmentKind(k).mention;
  return m ? [m] : [];
});
