/**
 * What may become an attachment: text files up to a size cap. The same rules
 * for a workspace file read by the extension and a local file the browser UI
 * reads in the page, each refusal said in a sentence that names the file and
 * the reason. Pure (TextDecoder is in every runtime we have).
 */
import { settingRow } from './settingsTable';

/**
 * The most one attachment may hold (session.ts's schema uses it). Defined here,
 * free of zod, so the extension's start-up bundle can use it without loading zod.
 */
export const MAX_ATTACHMENT_CHARS = 1_000_000;

/**
 * hearth.context.exclude's default: files that often hold secrets are never
 * offered, and need a confirmation when added by command (the list and where it
 * comes from are in the settings table).
 */
export const DEFAULT_CONTEXT_EXCLUDE: readonly string[] = settingRow('context.exclude').default;
/** hearth.context.maxFileKB's default. */
export const DEFAULT_MAX_FILE_KB: number = settingRow('context.maxFileKB').default;
/** The largest hearth.context.maxFileKB: a file must still fit one attachment (MAX_ATTACHMENT_CHARS). */
export const MAX_FILE_KB_LIMIT: number = settingRow('context.maxFileKB').maximum;

export type TextResult = { ok: true; text: string } | { ok: false; reason: 'binary' | 'tooLarge' | 'unreadable'; message: string };

/** 1536 → "1.5 KB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** The refusal for a file over the cap, or undefined. `settingHint` names where the cap is set (VS Code's setting). */
export function sizeRefusal(name: string, bytes: number, maxKB: number, settingHint = ''): TextResult | undefined {
  if (bytes <= maxKB * 1024) return undefined;
  return { ok: false, reason: 'tooLarge', message: `${name} is ${formatBytes(bytes)}, over the ${maxKB} KB limit for attachments${settingHint ? ` (${settingHint})` : ''}. Attach a selection of it instead.` };
}

export function unreadable(name: string, why: string): TextResult {
  return { ok: false, reason: 'unreadable', message: `${name} could not be read: ${why}.` };
}

const SNIFF_BYTES = 8000;

/** Git's rule (a NUL byte early on), plus: not UTF-8 and mostly control characters. */
function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, SNIFF_BYTES);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0) return true;
    if (b < 9 || (b > 13 && b < 32 && b !== 27)) control++;
  }
  return n > 0 && control / n > 0.1;
}

/** The bytes of a file as text, or why not: too large, binary. A BOM is dropped; text that is not UTF-8 is decoded leniently. */
export function decodeText(name: string, bytes: Uint8Array, maxKB: number, settingHint = ''): TextResult {
  const big = sizeRefusal(name, bytes.length, maxKB, settingHint);
  if (big) return big;
  if (looksBinary(bytes)) return { ok: false, reason: 'binary', message: `${name} looks like a binary file; only text files can be attached.` };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Latin-1 and friends: still text, shown with replacement characters where it is not UTF-8.
    text = new TextDecoder('utf-8').decode(bytes);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length > MAX_ATTACHMENT_CHARS) return { ok: false, reason: 'tooLarge', message: `${name} has more than ${MAX_ATTACHMENT_CHARS.toLocaleString('en-US')} characters; attach a selection of it instead.` };
  return { ok: true, text };
}

/** A text already in memory (an open editor) against the same cap. */
export function checkText(name: string, text: string, maxKB: number, settingHint = ''): TextResult {
  // More characters than the cap has bytes is over it already: a huge open file is not encoded just to be refused.
  const bytes = text.length > maxKB * 1024 ? text.length : new TextEncoder().encode(text).length;
  return sizeRefusal(name, bytes, maxKB, settingHint) ?? (text.length > MAX_ATTACHMENT_CHARS ? { ok: false, reason: 'tooLarge', message: `${name} is too long to attach; attach a selection of it instead.` } : { ok: true, text });
}

const BY_EXTENSION: Record<string, string> = {
  ts: 'typescript', mts: 'typescript', cts: 'typescript', tsx: 'typescriptreact',
  js: 'javascript', mjs: 'javascript', cjs: 'javascript', jsx: 'javascriptreact',
  py: 'python', rs: 'rust', go: 'go', java: 'java', kt: 'kotlin', kts: 'kotlin', swift: 'swift',
  c: 'c', h: 'c', cc: 'cpp', cpp: 'cpp', cxx: 'cpp', hpp: 'cpp', hh: 'cpp', cs: 'csharp',
  rb: 'ruby', php: 'php', lua: 'lua', r: 'r', scala: 'scala', dart: 'dart', ex: 'elixir', exs: 'elixir',
  sh: 'shellscript', bash: 'shellscript', zsh: 'shellscript', ps1: 'powershell',
  md: 'markdown', markdown: 'markdown', json: 'json', jsonc: 'jsonc', yaml: 'yaml', yml: 'yaml', toml: 'toml',
  xml: 'xml', html: 'html', htm: 'html', css: 'css', scss: 'scss', less: 'less', sql: 'sql', vue: 'vue', svelte: 'svelte',
  txt: 'plaintext', ini: 'ini', cfg: 'ini',
};
const BY_NAME: Record<string, string> = { dockerfile: 'dockerfile', makefile: 'makefile' };

/** A language id for a file name (the fence of what the model receives), when the extension says. */
export function languageForFileName(name: string): string | undefined {
  const base = baseName(name).toLowerCase();
  if (Object.hasOwn(BY_NAME, base)) return BY_NAME[base];
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const ext = base.slice(dot + 1);
  return Object.hasOwn(BY_EXTENSION, ext) ? BY_EXTENSION[ext] : undefined;
}

/** The last path segment. */
export function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}
