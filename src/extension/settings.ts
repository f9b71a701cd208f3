/**
 * Hearth's settings: read, validated and turned into what the gateway needs.
 * Pure (no `vscode` at runtime): the caller passes a ConfigSource, so the
 * validation is unit-testable and the VS Code adapter stays a few lines.
 */
import type { ChatOptions, ProviderConfig } from '../gateway/engine/types';
import { compileGlob } from './context/glob';
import type { TurnSettings } from '../gateway/chat/types';
import { DEFAULT_CONTEXT_EXCLUDE, DEFAULT_MAX_FILE_KB, MAX_FILE_KB_LIMIT } from '../shared/contextRules';

/** hearth.context.*: what may be attached, and whether the current file always is. */
export interface ContextSettings {
  includeCurrentFile: boolean;
  maxFileKB: number;
  /** Globs never offered by `@`, and confirmed before a command attaches them. */
  exclude: string[];
}

export interface HearthSettings {
  provider: 'ollama' | 'openai';
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
  requestTimeoutMs: number;
  maxSessions: number;
  think: boolean;
  context: ContextSettings;
}

/** Reads one setting under `hearth.` (e.g. 'ollama.url'); undefined when unset. */
export interface ConfigSource {
  get(key: string): unknown;
}

export const DEFAULT_SETTINGS: Readonly<HearthSettings> = Object.freeze({
  provider: 'ollama',
  baseUrl: 'http://127.0.0.1:11434',
  headers: {},
  model: '',
  contextLength: 0,
  keepAlive: '30m',
  requestTimeoutMs: 600_000,
  maxSessions: 500,
  think: true,
  context: Object.freeze({ includeCurrentFile: false, maxFileKB: DEFAULT_MAX_FILE_KB, exclude: [...DEFAULT_CONTEXT_EXCLUDE] }),
});

/** Keys whose change means a new engine (a new connection pool, new headers). */
export const CONNECTION_KEYS = ['ollama.url', 'ollama.headers', 'provider'] as const;
export const ALL_KEYS = [
  'ollama.url',
  'provider',
  'ollama.headers',
  'model',
  'contextLength',
  'keepAlive',
  'temperature',
  'systemPrompt',
  'requestTimeoutSeconds',
  'maxSessions',
  'think',
  'context.includeCurrentFile',
  'context.maxFileKB',
  'context.exclude',
] as const;

// RFC 9110 token characters for header names; values must not smuggle line breaks.
const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE_RE = /^[^\r\n\0]*$/;
// Same shape the manifest's pattern allows: Go durations, or -1 / 0.
const KEEP_ALIVE_RE = /^(-1|0|-?\d+(\.\d+)?(ns|us|µs|ms|s|m|h)(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))*)$/;

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
  const s: HearthSettings = { ...DEFAULT_SETTINGS, headers: {}, context: { ...DEFAULT_SETTINGS.context, exclude: [...DEFAULT_SETTINGS.context.exclude] } };

  const url = src.get('ollama.url');
  if (url !== undefined) {
    const v = validateUrl(url);
    if (v.ok) s.baseUrl = v.url;
    else problems.push(`hearth.ollama.url: ${v.error}. Using ${DEFAULT_SETTINGS.baseUrl}.`);
  }

  const provider = src.get('provider');
  if (provider !== undefined) {
    if (provider === 'ollama' || provider === 'openai') s.provider = provider;
    else problems.push(`hearth.provider must be "ollama" or "openai". Using "ollama".`);
  }

  const headers = src.get('ollama.headers');
  if (headers !== undefined && headers !== null) {
    if (typeof headers !== 'object' || Array.isArray(headers)) {
      problems.push('hearth.ollama.headers must be an object of header names to string values. Ignoring it.');
    } else {
      for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
        if (!HEADER_NAME_RE.test(name)) problems.push(`hearth.ollama.headers: "${name}" is not a valid header name. Ignoring it.`);
        else if (typeof value !== 'string') problems.push(`hearth.ollama.headers: the value of "${name}" must be a string. Ignoring it.`);
        else if (!HEADER_VALUE_RE.test(value)) problems.push(`hearth.ollama.headers: the value of "${name}" contains a line break. Ignoring it.`);
        else s.headers[name] = value;
      }
    }
  }

  const model = src.get('model');
  if (model !== undefined) {
    if (typeof model === 'string') s.model = model.trim();
    else problems.push('hearth.model must be a string.');
  }

  s.contextLength = intSetting(src, 'contextLength', 0, 1_048_576, DEFAULT_SETTINGS.contextLength, problems);

  const keepAlive = src.get('keepAlive');
  if (keepAlive !== undefined) {
    if (typeof keepAlive === 'number' && Number.isFinite(keepAlive)) s.keepAlive = keepAlive;
    else if (typeof keepAlive === 'string' && KEEP_ALIVE_RE.test(keepAlive.trim())) {
      const k = keepAlive.trim();
      // Ollama parses strings as Go durations, which need a unit except for "0": send the bare numbers as numbers.
      s.keepAlive = k === '-1' ? -1 : k === '0' ? 0 : k;
    } else problems.push(`hearth.keepAlive: "${String(keepAlive)}" is not a duration such as 30m, 1h, -1 or 0. Using ${DEFAULT_SETTINGS.keepAlive}.`);
  }

  const temperature = src.get('temperature');
  if (temperature !== undefined && temperature !== null) {
    if (typeof temperature === 'number' && Number.isFinite(temperature) && temperature >= 0 && temperature <= 2) s.temperature = temperature;
    else problems.push('hearth.temperature must be a number from 0 to 2 (or empty for the model default).');
  }

  const systemPrompt = src.get('systemPrompt');
  if (systemPrompt !== undefined) {
    if (typeof systemPrompt !== 'string') problems.push('hearth.systemPrompt must be a string.');
    else if (systemPrompt.trim()) s.systemPrompt = systemPrompt;
  }

  s.requestTimeoutMs = intSetting(src, 'requestTimeoutSeconds', 10, 86_400, DEFAULT_SETTINGS.requestTimeoutMs / 1000, problems) * 1000;
  s.maxSessions = intSetting(src, 'maxSessions', 10, 10_000, DEFAULT_SETTINGS.maxSessions, problems);

  const think = src.get('think');
  if (think !== undefined) {
    if (typeof think === 'boolean') s.think = think;
    else problems.push('hearth.think must be true or false.');
  }

  const include = src.get('context.includeCurrentFile');
  if (include !== undefined) {
    if (typeof include === 'boolean') s.context.includeCurrentFile = include;
    else problems.push('hearth.context.includeCurrentFile must be true or false.');
  }
  s.context.maxFileKB = intSetting(src, 'context.maxFileKB', 1, MAX_FILE_KB_LIMIT, DEFAULT_MAX_FILE_KB, problems);
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

  return { settings: s, problems };
}

function intSetting(src: ConfigSource, key: string, min: number, max: number, fallback: number, problems: string[]): number {
  const v = src.get(key);
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
  problems.push(`hearth.${key} must be a whole number from ${min} to ${max}. Using ${fallback}.`);
  return fallback;
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
  const options: ChatOptions = { keepAlive: s.keepAlive, think: s.think };
  if (s.contextLength > 0) options.contextLength = s.contextLength;
  if (s.temperature !== undefined) options.temperature = s.temperature;
  return s.systemPrompt ? { systemPrompt: s.systemPrompt, options } : { options };
}
