/**
 * What every context source gets from the workspace context that holds it: the
 * settings, the picker's file rules, reading through vscode.workspace.fs. A
 * source that takes only these (and `import type` from vscode) runs in unit
 * tests with fakes.
 */
import type * as vscode from 'vscode';
import type { TextResult } from '../../../shared/contextRules';
import type { CodebaseService } from '../../codebase/codebaseService';
import type { ContextSettings } from '../../settings';

export interface SourceDeps {
  settings(): ContextSettings;
  log(line: string): void;
  /** The picker's files: files.exclude, search.exclude, hearth.context.exclude and .gitignore applied. */
  files(): Promise<readonly { uri: vscode.Uri; path: string }[]>;
  /** Whether the picker could offer this file (inside the workspace, not excluded, not git-ignored). */
  mayOffer(uri: vscode.Uri): Promise<boolean>;
  /** Whether hearth.context.exclude matches it. */
  isExcluded(uri: vscode.Uri): boolean;
  /** The user chose this file: it is read again at send time even where the picker would not offer it. */
  markChosen(uri: vscode.Uri): void;
  /** Chosen in this window, or offerable: a chip of it may be read again at send. */
  mayReread(uri: vscode.Uri): Promise<boolean>;
  /** Why the real-path rule refuses this file (a link out of the workspace, or to an excluded file), or undefined. */
  realPathRefused(uri: vscode.Uri): Promise<string | undefined>;
  /** A file's text as it is now (unsaved edits included), or why not: the size and binary rules. */
  readText(uri: vscode.Uri, maxKB: number): Promise<TextResult>;
  /** The codebase index (absent in tests of other sources). */
  codebase?(): CodebaseService;
  /** Another extension's API (activated), or undefined when it is missing or does not start. */
  extensionExports(id: string): Promise<unknown>;
}
