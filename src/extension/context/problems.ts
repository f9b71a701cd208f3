/**
 * Diagnostics as text for the model (the `@problems` attachment and "Ask Hearth
 * to fix"): one line per problem, `path:line:column severity code: message (source)`,
 * the form compilers print, which models read well. Pure: the VS Code adapter
 * turns vscode.Diagnostic into ProblemInfo.
 */

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface ProblemInfo {
  /** Workspace-relative path. */
  path: string;
  /** 1-based. */
  line: number;
  column: number;
  endLine: number;
  severity: Severity;
  message: string;
  source?: string;
  code?: string;
}

/** At most this many problems in one attachment; the rest are counted. */
export const MAX_PROBLEMS = 200;

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2, hint: 3 };

export function problemLine(p: ProblemInfo): string {
  const code = p.code ? ` ${p.code}` : '';
  const source = p.source ? ` (${p.source})` : '';
  return `${p.path}:${p.line}:${p.column} ${p.severity}${code}: ${p.message.replace(/\s*\n\s*/g, ' ')}${source}`;
}

/** The problems, errors first, then by file and line; capped with a count of what was left out. */
export function formatProblems(problems: readonly ProblemInfo[], max = MAX_PROBLEMS): string {
  const sorted = [...problems].sort((a, b) => ORDER[a.severity] - ORDER[b.severity] || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || a.line - b.line || a.column - b.column);
  const shown = sorted.slice(0, max).map(problemLine);
  if (sorted.length > max) shown.push(`… and ${sorted.length - max} more`);
  return shown.join('\n');
}

/** "3 errors, 1 warning" (hints and infos counted together as "other"). */
export function countLabel(problems: readonly ProblemInfo[]): string {
  if (problems.length === 0) return 'no problems';
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.filter((p) => p.severity === 'warning').length;
  const other = problems.length - errors - warnings;
  const parts: string[] = [];
  if (errors) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  if (warnings) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  if (other) parts.push(`${other} other`);
  return parts.join(', ');
}

/** Lines to show around a problem: `context` lines above and below, within the file. 1-based, inclusive. */
export function linesAround(startLine: number, endLine: number, lineCount: number, context = 10): { startLine: number; endLine: number } {
  return { startLine: Math.max(1, startLine - context), endLine: Math.min(Math.max(1, lineCount), endLine + context) };
}

/** The question "Ask Hearth to fix" asks; the diagnostic and the code travel as attachments. */
export function fixQuestion(p: ProblemInfo): string {
  return `Fix this ${p.severity} at line ${p.line} of ${p.path}: ${p.message.trim()}\nExplain the cause briefly, then show the corrected code.`;
}
