/**
 * A code block's fence name (chosen by the model) as a VS Code language id.
 * Pure, so it is tested without VS Code.
 */

import { safeLanguage } from '../../shared/attachments';

/** Markdown fence names that are not VS Code language ids. */
const FENCE_TO_ID: Record<string, string> = {
  js: 'javascript',
  ts: 'typescript',
  py: 'python',
  sh: 'shellscript',
  bash: 'shellscript',
  zsh: 'shellscript',
  yml: 'yaml',
  md: 'markdown',
  rb: 'ruby',
  rs: 'rust',
  'c++': 'cpp',
  cs: 'csharp',
  kt: 'kotlin',
};

/** undefined when the fence is missing or not a plausible id (the editor then guesses). */
export function languageIdFor(fence: string | undefined): string | undefined {
  const safe = safeLanguage(fence);
  if (!safe) return undefined;
  const l = safe.toLowerCase();
  // hasOwn: the model picks the name, and 'constructor' or '__proto__' must not reach Object.prototype.
  return Object.hasOwn(FENCE_TO_ID, l) ? FENCE_TO_ID[l] : l;
}
