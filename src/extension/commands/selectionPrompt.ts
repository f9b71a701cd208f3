/**
 * "Ask about selection": the question presets and the selection as an
 * attachment (its path, language and lines travel with it; the model receives it
 * in the one attachment format of src/shared/attachments.ts). Whether it fits the
 * context window is the core's fit check, as for any question; here a selection
 * is only held to the size one attachment may have, cut at whole lines with a
 * visible note. Pure.
 */
import { safeLanguage } from '../../shared/attachments';
import { baseName } from '../../shared/contextRules';
import { cutToBudget, type CutResult } from '../../shared/fit';
import type { Attachment } from '../../shared/session';

// The whole-line cut lives once, in src/shared/fit.ts (the composer's fit uses it too).
export { cutToBudget, type CutResult };

export const PRESETS = [
  { id: 'explain', label: 'Explain', question: 'Explain what this code does.' },
  { id: 'bugs', label: 'Find bugs', question: 'Find bugs in this code and explain how to fix them.' },
  // Asks for the corrected code in one block, so Apply can put it back in place of the selection.
  { id: 'fix', label: 'Fix', question: 'Fix the bugs in this code. Answer with the corrected code in one code block that replaces the selected lines, then explain the fix briefly.' },
  { id: 'tests', label: 'Write tests', question: 'Write unit tests for this code.' },
  { id: 'refactor', label: 'Refactor', question: 'Refactor this code to be clearer, and explain the changes.' },
] as const;
export type PresetId = (typeof PRESETS)[number]['id'];

export function presetById(id: string): (typeof PRESETS)[number] | undefined {
  return PRESETS.find((p) => p.id === id);
}

export interface SelectionInput {
  /** The selected text (or the current line). */
  text: string;
  /** Workspace-relative path (or the file name for files outside a workspace / untitled). */
  path: string;
  /** The document's URI, so the chip opens it and an applied edit finds it. */
  uri?: string;
  languageId: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  maxChars: number;
}

/** The selection as an attachment of the question; when cut, its range and note say which lines were kept. */
export function selectionAttachment(input: SelectionInput): { attachment: Attachment; cut: CutResult } {
  const cut = cutToBudget(input.text, input.maxChars);
  const name = baseName(input.path);
  const language = safeLanguage(input.languageId);
  const attachment: Attachment = {
    kind: 'selection',
    name,
    path: input.path,
    ...(input.uri ? { uri: input.uri } : {}),
    ...(language ? { language } : {}),
    range: { startLine: input.startLine, endLine: input.endLine },
    content: cut.text,
    ...(cut.cut ? { truncated: { originalChars: input.text.length, originalLines: cut.totalLines } } : {}),
  };
  return { attachment, cut };
}
