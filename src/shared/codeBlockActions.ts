/**
 * The buttons on a code block, described once: what each is called, its icon,
 * where it is offered (VS Code, a browser tab), whether it needs a reply (Apply
 * answers the question the reply was about) and what it does while the block is
 * still streaming. The page draws them from this list and runs each one's
 * handler (webview/components/CodeBlock.tsx, keyed by id, so a descriptor
 * without a handler does not compile). Pure, zod-free.
 */

/** Where a page runs: beside an editor (VS Code's webview) or in a browser tab (the standalone gateway). */
export type PageHost = 'vscode' | 'browser';

export interface CodeBlockActionDescriptor {
  readonly id: string;
  /** What screen readers and the tooltip say. */
  readonly label: string;
  readonly codicon: string;
  /** Text shown beside the icon, for the action a block is mostly for. */
  readonly text?: string;
  readonly where: readonly PageHost[];
  /** Only on a reply's blocks (not on code in a question). */
  readonly replyOnly?: boolean;
  /** While the block is still being written: shown disabled with this label; absent: works at once (copy what is there). */
  readonly waitLabel?: string;
}

const ACTIONS = [
  { id: 'copy', label: 'Copy code', codicon: 'copy', where: ['vscode', 'browser'] },
  { id: 'insert', label: 'Insert at cursor', codicon: 'insert', where: ['vscode'] },
  { id: 'openInEditor', label: 'Open in new editor', codicon: 'go-to-file', where: ['vscode'] },
  {
    id: 'apply',
    label: 'Apply to a file (review the change as a diff)',
    codicon: 'diff',
    text: 'Apply',
    where: ['vscode'],
    replyOnly: true,
    waitLabel: 'Apply (waits for the block to finish)',
  },
] as const satisfies readonly CodeBlockActionDescriptor[];

export type CodeBlockActionId = (typeof ACTIONS)[number]['id'];

export const CODE_BLOCK_ACTIONS: readonly (CodeBlockActionDescriptor & { readonly id: CodeBlockActionId })[] = ACTIONS;

/** The actions a block shows, in order: those offered where the page runs, reply-only ones on replies only. */
export function codeBlockActions(host: PageHost, inReply: boolean): readonly (CodeBlockActionDescriptor & { readonly id: CodeBlockActionId })[] {
  return CODE_BLOCK_ACTIONS.filter((a) => a.where.includes(host) && (inReply || !a.replyOnly));
}

/** Reply actions this host does not offer (the page says where they work). */
export function missingReplyActions(host: PageHost): readonly CodeBlockActionDescriptor[] {
  return CODE_BLOCK_ACTIONS.filter((a) => a.replyOnly && !a.where.includes(host));
}
