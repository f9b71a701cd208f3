/**
 * The standalone gateway's configuration, from environment variables.
 * Pure (env and home folder are passed in) so it is testable; main.ts applies it.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { isProviderName, PROVIDER_NAMES } from './engine/registry';
import type { ProviderConfig } from './engine/types';
import { redactUrl } from './net/redact';
import type { TurnValues } from './turnSettings';
import { checkHeaders, envValue, GATEWAY_ENV, gatewayEnvInt, settingRow, type EnvBinding, type ScalarRow, type ScalarValue } from '../shared/settingsTable';

export interface GatewayConfig {
  provider: ProviderConfig;
  port: number;
  token: string;
  /** True when no HEARTH_GATEWAY_TOKEN was set and a random one was made. */
  tokenGenerated: boolean;
  dataDir: string;
  heartbeatMs: number;
  maxSessions: number;
  /** Sent with every turn: HEARTH_CONTEXT_LENGTH, HEARTH_KEEP_ALIVE, HEARTH_THINK, HEARTH_TEMPERATURE (and the system prompt). */
  turn: TurnValues;
  /** The folder to index for codebase search (`--workspace <folder>`, else HEARTH_WORKSPACE), as given. */
  workspace?: string;
  /** An Ollama model with the `embedding` capability (HEARTH_EMBEDDING_MODEL): codebase search fuses meaning with words once its vectors are complete. */
  embeddingModel?: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_OLLAMA_URL: string = settingRow('ollama.url').default;

/**
 * OLLAMA_HOST as Ollama's own CLI reads it: `http(s)://host:port[/path]`,
 * `host:port`, a bare host, or `:port`; scheme default http, host default
 * 127.0.0.1, port default 11434 (80/443 when a scheme is given without one).
 * A listen-everywhere address (0.0.0.0, ::) means "this machine" for a client.
 * User-info (`user:pass@host`) is kept: the HTTP client sends it as Basic auth;
 * every message shows the URL through redactUrl.
 */
export function parseOllamaHost(raw: string | undefined): string {
  let s = (raw ?? '').trim().replace(/^["']|["']$/g, '');
  if (s === '') return DEFAULT_OLLAMA_URL;
  let scheme = 'http';
  let defaultPort = '11434';
  const sep = s.indexOf('://');
  if (sep >= 0) {
    scheme = s.slice(0, sep).toLowerCase();
    s = s.slice(sep + 3);
    if (scheme === 'http') defaultPort = '80';
    else if (scheme === 'https') defaultPort = '443';
    else throw new ConfigError(`OLLAMA_HOST: unsupported scheme '${scheme}' (use http or https)`);
  }
  const slash = s.indexOf('/');
  let hostport = slash >= 0 ? s.slice(0, slash) : s;
  const pathPart = slash >= 0 ? s.slice(slash) : '';
  // `user:pass@` (an authenticating proxy's) is kept for the client's Basic auth; split it off
  // first so its colon is not read as the port's.
  const at = hostport.lastIndexOf('@');
  const userinfo = at >= 0 ? hostport.slice(0, at + 1) : '';
  hostport = hostport.slice(at + 1);
  let host: string;
  let port: string;
  const bracketed = /^\[([^\]]*)\](?::(\d*))?$/.exec(hostport);
  if (bracketed) {
    host = bracketed[1]!;
    port = bracketed[2] || defaultPort;
  } else if ((hostport.match(/:/g) ?? []).length === 1) {
    const i = hostport.indexOf(':');
    host = hostport.slice(0, i);
    port = hostport.slice(i + 1) || defaultPort;
  } else {
    // A bare host, or a bare IPv6 address (several colons).
    host = hostport;
    port = defaultPort;
  }
  if (host === '' || host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::') host = '::1';
  const n = Number(port);
  if (!/^\d+$/.test(port) || n < 1 || n > 65535) throw new ConfigError(`OLLAMA_HOST: invalid port '${port}'`);
  const hostText = host.includes(':') ? `[${host}]` : host;
  let url: URL;
  try {
    url = new URL(`${scheme}://${userinfo}${hostText}:${port}${pathPart}`);
  } catch {
    throw new ConfigError(`OLLAMA_HOST: cannot make a URL of '${redactUrl(raw ?? '')}'`);
  }
  const cred = url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  // Keep an explicit default port visible, as users wrote it.
  const origin = `${url.protocol}//${cred}${hostText}:${port}`;
  const p = url.pathname.replace(/\/+$/, '');
  return origin + p;
}

/** A scalar setting's variable, or its default when unset; a bad value stops the start with a sentence naming it. */
function fromEnv<R extends ScalarRow & { env: EnvBinding }>(env: NodeJS.ProcessEnv, row: R): ScalarValue<R> | R['default'] {
  const v = envValue(row, env);
  if (!v.ok) throw new ConfigError(v.error);
  return v.value ?? (row.type === 'integer' ? row.default * (row.env.scale ?? 1) : row.default);
}

function gatewayInt(env: NodeJS.ProcessEnv, name: (typeof GATEWAY_ENV)[number]['name']): number {
  const row = GATEWAY_ENV.find((r) => r.name === name);
  if (!row || !('range' in row)) throw new Error(`${name} is not a whole-number variable`);
  const v = gatewayEnvInt(row, env);
  if (!v.ok) throw new ConfigError(v.error);
  return v.value;
}

function headersVar(raw: string | undefined): Record<string, string> | undefined {
  if (!raw?.trim()) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new ConfigError('HEARTH_OLLAMA_HEADERS must be a JSON object of strings, e.g. {"Authorization":"Bearer …"}');
  }
  const { headers, problems } = checkHeaders(v);
  if (problems.length) throw new ConfigError(`HEARTH_OLLAMA_HEADERS: ${problems.join('; ')}`);
  return headers;
}

/** `--workspace <folder>` or `--workspace=<folder>` among the command line's arguments. */
export function workspaceArg(argv: readonly string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--workspace') {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--') || v.trim() === '') throw new ConfigError('--workspace needs a folder: npm start -- --workspace <folder>');
      found = v;
      i++;
    } else if (a.startsWith('--workspace=')) {
      found = a.slice('--workspace='.length);
      if (found.trim() === '') throw new ConfigError('--workspace needs a folder: npm start -- --workspace=<folder>');
    } else throw new ConfigError(`unknown argument ${JSON.stringify(a.slice(0, 100))}; the gateway takes --workspace <folder> (everything else is set through HEARTH_* variables)`);
  }
  return found;
}

export function parseGatewayConfig(env: NodeJS.ProcessEnv, homeDir: string, argv: readonly string[] = []): GatewayConfig {
  const workspace = workspaceArg(argv) ?? (env.HEARTH_WORKSPACE?.trim() || undefined);
  // The provider registry is the list of what can run; the settings table says the same (a test holds them together).
  const providerName = fromEnv(env, settingRow('provider'));
  if (!isProviderName(providerName)) throw new ConfigError(`HEARTH_PROVIDER must be one of ${PROVIDER_NAMES.map((n) => `'${n}'`).join(', ')} (got '${providerName}')`);
  const headers = headersVar(env.HEARTH_OLLAMA_HEADERS);
  const envToken = env.HEARTH_GATEWAY_TOKEN?.trim();
  if (envToken !== undefined && envToken !== '' && !/^[\x21-\x7e]{8,512}$/.test(envToken)) {
    throw new ConfigError('HEARTH_GATEWAY_TOKEN must be 8 to 512 printable characters without spaces');
  }
  const systemPrompt = env.HEARTH_SYSTEM_PROMPT;
  const temperature = fromEnv(env, settingRow('temperature'));
  const turn: TurnValues = {
    contextLength: fromEnv(env, settingRow('contextLength')),
    keepAlive: fromEnv(env, settingRow('keepAlive')),
    think: fromEnv(env, settingRow('think')),
    ...(temperature !== null ? { temperature } : {}),
    ...(systemPrompt && systemPrompt.trim() ? { systemPrompt } : {}),
  };
  const embeddingModel = env.HEARTH_EMBEDDING_MODEL?.trim();
  return {
    provider: {
      provider: providerName,
      baseUrl: parseOllamaHost(env.OLLAMA_HOST),
      ...(headers ? { headers } : {}),
      requestTimeoutMs: fromEnv(env, settingRow('requestTimeoutSeconds')),
    },
    port: gatewayInt(env, 'HEARTH_GATEWAY_PORT'),
    token: envToken || randomBytes(24).toString('base64url'),
    tokenGenerated: !envToken,
    dataDir: path.resolve(env.HEARTH_DATA_DIR?.trim() || path.join(homeDir, '.hearth', 'sessions')),
    heartbeatMs: gatewayInt(env, 'HEARTH_HEARTBEAT_MS'),
    maxSessions: fromEnv(env, settingRow('maxSessions')),
    turn,
    ...(workspace ? { workspace } : {}),
    ...(embeddingModel ? { embeddingModel } : {}),
  };
}

/** The line printed at start: the token travels in the fragment, which browsers never send to a server. */
export function startUrl(port: number, token: string): string {
  return `http://127.0.0.1:${port}/#token=${encodeURIComponent(token)}`;
}
