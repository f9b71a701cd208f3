/** vscode.Diagnostic and selections in the shapes the context code uses (kept small: the start-up bundle has it). */
import * as vscode from 'vscode';
import { displayPath } from './fileReader';
import type { ProblemInfo, Severity } from './problems';

const SEVERITIES: Record<vscode.DiagnosticSeverity, Severity> = { 0: 'error', 1: 'warning', 2: 'info', 3: 'hint' };

export function problemInfo(uri: vscode.Uri, d: vscode.Diagnostic): ProblemInfo {
  const code = typeof d.code === 'object' && d.code ? d.code.value : d.code;
  return {
    path: displayPath(uri),
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    endLine: d.range.end.line + 1,
    severity: SEVERITIES[d.severity] ?? 'error',
    message: d.message,
    ...(d.source ? { source: d.source } : {}),
    ...(code !== undefined && code !== '' ? { code: String(code) } : {}),
  };
}

/** 1-based lines of a selection; one ending at column 0 does not include that line. */
export function selectionLines(sel: vscode.Selection | vscode.Range): { startLine: number; endLine: number } {
  const endLine = sel.end.character === 0 && sel.end.line > sel.start.line ? sel.end.line : sel.end.line + 1;
  return { startLine: sel.start.line + 1, endLine };
}
