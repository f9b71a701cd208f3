/**
 * Hearth's settings: read, validated and turned into what the gateway needs.
 * Pure (no `vscode` at runtime): the caller passes a ConfigSource, so the
 * validation is unit-testable and the VS Code adapter stays a few lines.
 */
import type { ProviderConfig } from '../gateway/engine/types';
import { turnSettingsOf } from '../gateway/turnSettings';
import { compileGlob } from '../shared/glob';
import type { TurnSettings } from '../gateway/chat/types';
import type { ChatOptions } from '../gateway/engine/types';
import type { CompletionSettings as CompletionServiceSettings } from '../gateway/completion/completionService';
import { checkHeaders, settingRow, settingValue, type ScalarRow, type ScalarValue, type SettingKey, type SettingRowOf } from '../shared/settingsTable';

/** hearth.context.*: what may be attached, and whether the current file always is. */
export interface ContextSettings {
  includeCurrentFile: boolean;
  maxFileKB: number;
  /** Globs never offered by `@`, and confirmed before a command attaches them. */
  exclude: string[];
  /** hearth.codebase.*: whether every question searches the index, and how many snippets a search sends. */
  codebase: { auto: boolean; maxSnippets: number };
}

/** hearth.completion.*: inline completions (ghost text). */
export interface CompletionSettings {
  enabled: boolean;
  /** '' = the smallest installed model that can fill in the middle. */
  model: string;
  debounceMs: number;
  maxTokens: number;
  /** Language id → on/off; "*" for the rest. */
  languages: Record<string, boolean>;
}

export interface HearthSettings {
  provider: ScalarValue<SettingRowOf<'provider'>>;
  /** Without a trailing slash. */
  baseUrl: string;
  headers: Record<string, string>;
  /** '' = none configured (the remembered choice or the first installed model is used). */
  model: string;
  /** 0 = the model's own value (the engine caps it). */
  contextLength: number;
  keepAlive: string | number;
  temperature?: number;
  systemPrompt?: string;
  /** hearth.codebase.embeddingModel: an Ollama model to embed the codebase with; absent means lexical search only. */
  embeddingModel?: string;
  requestTimeoutMs: number;
  maxSessions: number;
  think: boolean;
  context: ContextSettings;
  completion: CompletionSettings;
}

/** Reads one setting under `hearth.` (e.g. 'ollama.url'); undefined when unset. */
export interface ConfigSource {
  get(key: string): unknown;
}

const row = settingRow;

/** Every default comes from the settings table (src/shared/settingsTable.ts). */
export const DEFAULT_SETTINGS: Readonly<HearthSettings> = Object.freeze({
  provider: row('provider').default,
  baseUrl: row('ollama.url').default,
  headers: {},
  model: row('model').default,
  contextLength: row('contextLength').default,
  keepAlive: row('keepAlive').default,
  requestTimeoutMs: row('requestTimeoutSeconds').default * 1000,
  maxSessions: row('maxSessions').default,
  think: row('think').default,
  context: Object.freeze({
    includeCurrentFile: row('context.includeCurrentFile').default,
    maxFileKB: row('context.maxFileKB').default,
    exclude: [...row('context.exclude').default],
    codebase: Object.freeze({ auto: row('codebase.auto').default, maxSnippets: row('codebase.maxSnippets').default }),
  }),
  completion: Object.freeze({
    enabled: row('completion.enabled').default,
    model: row('completion.model').default,
    debounceMs: row('completion.debounceMs').default,
    maxTokens: row('completion.maxTokens').default,
    languages: Object.freeze({ ...row('completion.languages').default }),
  }),
});

/** Keys whose change means a new engine (a new connection pool, new headers). */
export const CONNECTION_KEYS = ['ollama.url', 'ollama.headers', 'provider'] as const satisfies readonly SettingKey[];

export interface SettingsResult {
  settings: HearthSettings;
  /** One human sentence per invalid value; the default is used instead. */
  problems: string[];
}

export function validateUrl(raw: unknown): { ok: true; url: string } | { ok: false; error: string } {
  if (typeof raw !== 'string' || raw.trim() === '') return { ok: false, error: 'it is empty' };
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return { ok: false, error: `"${raw}" is not a URL` };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { ok: false, error: `use http:// or https://, not ${u.protocol}` };
  if (u.username || u.password) return { ok: false, error: 'credentials in the URL are not supported; use Hearth: Set API Key or hearth.ollama.headers' };
  if (u.search || u.hash) return { ok: false, error: 'the URL must not have a query or fragment' };
  return { ok: true, url: u.origin + u.pathname.replace(/\/+$/, '') };
}

export function readSettings(src: ConfigSource): SettingsResult {
  const problems: string[] = [];
  const s: HearthSettings = {
    ...DEFAULT_SETTINGS,
    headers: {},
    context: { ...DEFAULT_SETTINGS.context, exclude: [...DEFAULT_SETTINGS.context.exclude] },
    completion: { ...DEFAULT_SETTINGS.completion, languages: { ...DEFAULT_SETTINGS.completion.languages } },
  };

  const url = src.get('ollama.url');
  if (url !== undefined) {
    const v = validateUrl(url);
    if (v.ok) s.baseUrl = v.url;
    else problems.push(`hearth.ollama.url: ${v.error}. Using ${DEFAULT_SETTINGS.baseUrl}.`);
  }

  s.provider = scalar(src, row('provider'), problems);

  const headers = src.get('ollama.headers');
  if (headers !== undefined && headers !== null) {
    const checked = checkHeaders(headers);
    s.headers = checked.headers;
    for (const p of checked.problems) problems.push(`hearth.ollama.headers: ${p}. Ignoring ${p.startsWith('must') ? 'it' : 'that header'}.`);
  }

  const model = src.get('model');
  if (model !== undefined) {
    if (typeof model === 'string') s.model = model.trim();
    else problems.push('hearth.model must be a string.');
  }

  s.contextLength = scalar(src, row('contextLength'), problems);
  s.keepAlive = scalar(src, row('keepAlive'), problems);
  const temperature = scalar(src, row('temperature'), problems);
  if (temperature !== null) s.temperature = temperature;

  const systemPrompt = src.get('systemPrompt');
  if (systemPrompt !== undefined) {
    if (typeof systemPrompt !== 'string') problems.push('hearth.systemPrompt must be a string.');
    else if (systemPrompt.trim()) s.systemPrompt = systemPrompt;
  }
  const embeddingModel = src.get('codebase.embeddingModel');
  if (embeddingModel !== undefined) {
    if (typeof embeddingModel !== 'string') problems.push('hearth.codebase.embeddingModel must be a string.');
    else if (embeddingModel.trim()) s.embeddingModel = embeddingModel.trim();
  }

  s.requestTimeoutMs = scalar(src, row('requestTimeoutSeconds'), problems) * 1000;
  s.maxSessions = scalar(src, row('maxSessions'), problems);
  s.think = scalar(src, row('think'), problems);
  s.context.includeCurrentFile = scalar(src, row('context.includeCurrentFile'), problems);
  s.context.maxFileKB = scalar(src, row('context.maxFileKB'), problems);
  s.context.codebase = { auto: scalar(src, row('codebase.auto'), problems), maxSnippets: scalar(src, row('codebase.maxSnippets'), problems) };
  const exclude = src.get('context.exclude');
  if (exclude !== undefined && exclude !== null) {
    if (Array.isArray(exclude) && exclude.every((g) => typeof g === 'string')) {
      s.context.exclude = exclude.map((g: string) => g.trim()).filter(Boolean);
      // This setting keeps secrets out: a pattern that cannot work must be said, not only logged.
      for (const g of s.context.exclude) {
        const bad = compileGlob(g).error;
        if (bad) problems.push(`hearth.context.exclude: "${g}" is not a valid glob pattern (${bad}), so it excludes nothing.`);
      }
    } else problems.push('hearth.context.exclude must be a list of glob patterns. Using the default (secrets such as .env and keys).');
  }

  readCompletion(src, s.completion, problems);
  return { settings: s, problems };
}

function readCompletion(src: ConfigSource, c: CompletionSettings, problems: string[]): void {
  c.enabled = scalar(src, row('completion.enabled'), problems);
  const model = src.get('completion.model');
  if (model !== undefined) {
    if (typeof model === 'string') c.model = model.trim();
    else problems.push('hearth.completion.model must be a string.');
  }
  c.debounceMs = scalar(src, row('completion.debounceMs'), problems);
  c.maxTokens = scalar(src, row('completion.maxTokens'), problems);
  const languages = src.get('completion.languages');
  if (languages !== undefined && languages !== null) {
    if (typeof languages === 'object' && !Array.isArray(languages) && Object.values(languages).every((v) => typeof v === 'boolean')) {
      c.languages = { '*': true, ...(languages as Record<string, boolean>) };
    } else problems.push('hearth.completion.languages must map language ids (or "*") to true or false. Using the default.');
  }
}

/** Whether inline completion is on for a language: its own entry, else "*". */
export function completionOnFor(c: CompletionSettings, languageId: string): boolean {
  return c.languages[languageId] ?? c.languages['*'] ?? true;
}

/** A scalar setting checked against its row; an invalid value is named and the default used. */
function scalar<R extends ScalarRow>(src: ConfigSource, r: R, problems: string[]): ScalarValue<R> | R['default'] {
  const raw = src.get(r.key);
  if (raw === undefined || raw === null) return r.default;
  const v = settingValue(r, raw);
  if (v.ok) return v.value;
  const fallback = r.default === null ? 'the model default' : JSON.stringify(r.default);
  problems.push(`hearth.${r.key} ${v.error}; "${typeof raw === 'string' ? raw : JSON.stringify(raw)}" is not. Using ${fallback}.`);
  return r.default;
}

/** The engine's connection config. The API key (from SecretStorage) wins over a configured Authorization header. */
export function providerConfig(s: HearthSettings, apiKey?: string): ProviderConfig {
  const headers: Record<string, string> = { ...s.headers };
  if (apiKey) {
    for (const k of Object.keys(headers)) if (k.toLowerCase() === 'authorization') delete headers[k];
    headers['Authorization'] = `Bearer ${apiKey}`;
  }
  return { provider: s.provider, baseUrl: s.baseUrl, headers, requestTimeoutMs: s.requestTimeoutMs };
}

/** A string that changes exactly when a new engine is needed. Never logged (it holds the key). */
export function connectionFingerprint(s: HearthSettings, apiKey?: string): string {
  return JSON.stringify(providerConfig(s, apiKey));
}

/** What each turn reads at its start, so edits apply to the next reply. */
export function turnSettings(s: HearthSettings): TurnSettings {
  return turnSettingsOf(s);
}

/** The longest one completion may take (a cold model load included); beyond it the status bar says it timed out. */
const COMPLETION_TIMEOUT_MS = 60_000;

/** What the completion service reads per request: the same keep_alive and window as chat, so the model is never reloaded. */
export function completionServiceSettings(s: HearthSettings): CompletionServiceSettings {
  const options: ChatOptions = { keepAlive: s.keepAlive };
  if (s.contextLength > 0) options.contextLength = s.contextLength;
  return { model: s.completion.model, maxTokens: s.completion.maxTokens, options, timeoutMs: Math.min(s.requestTimeoutMs, COMPLETION_TIMEOUT_MS) };
}
