/**
 * The standalone gateway's configuration, from environment variables.
 * Pure (env and home folder are passed in) so it is testable; main.ts applies it.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { isProviderName, PROVIDER_NAMES } from './engine/registry';
import type { ProviderConfig } from './engine/types';
import { redactUrl } from './net/redact';

export interface GatewayConfig {
  provider: ProviderConfig;
  port: number;
  token: string;
  /** True when no HEARTH_GATEWAY_TOKEN was set and a random one was made. */
  tokenGenerated: boolean;
  dataDir: string;
  heartbeatMs: number;
  systemPrompt?: string;
  maxSessions: number;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_OLLAMA_URL = 'http://127.0.0.1:11434';
export const DEFAULT_PORT = 6120;

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

function intVar(env: NodeJS.ProcessEnv, name: string, def: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return def;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got '${raw}')`);
  return Number(raw);
}

function headersVar(raw: string | undefined): Record<string, string> | undefined {
  if (!raw?.trim()) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new ConfigError('HEARTH_OLLAMA_HEADERS must be a JSON object of strings, e.g. {"Authorization":"Bearer …"}');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'string')) {
    throw new ConfigError('HEARTH_OLLAMA_HEADERS must be a JSON object of strings');
  }
  return v as Record<string, string>;
}

export function parseGatewayConfig(env: NodeJS.ProcessEnv, homeDir: string): GatewayConfig {
  const providerName = (env.HEARTH_PROVIDER?.trim() || 'ollama').toLowerCase();
  if (!isProviderName(providerName)) throw new ConfigError(`HEARTH_PROVIDER must be one of ${PROVIDER_NAMES.map((n) => `'${n}'`).join(', ')} (got '${providerName}')`);
  const headers = headersVar(env.HEARTH_OLLAMA_HEADERS);
  const envToken = env.HEARTH_GATEWAY_TOKEN?.trim();
  if (envToken !== undefined && envToken !== '' && !/^[\x21-\x7e]{8,512}$/.test(envToken)) {
    throw new ConfigError('HEARTH_GATEWAY_TOKEN must be 8 to 512 printable characters without spaces');
  }
  const systemPrompt = env.HEARTH_SYSTEM_PROMPT;
  return {
    provider: {
      provider: providerName,
      baseUrl: parseOllamaHost(env.OLLAMA_HOST),
      ...(headers ? { headers } : {}),
      requestTimeoutMs: intVar(env, 'HEARTH_REQUEST_TIMEOUT_MS', 600_000, 1000, 86_400_000),
    },
    port: intVar(env, 'HEARTH_GATEWAY_PORT', DEFAULT_PORT, 0, 65535),
    token: envToken || randomBytes(24).toString('base64url'),
    tokenGenerated: !envToken,
    dataDir: path.resolve(env.HEARTH_DATA_DIR?.trim() || path.join(homeDir, '.hearth', 'sessions')),
    heartbeatMs: intVar(env, 'HEARTH_HEARTBEAT_MS', 15_000, 10, 3_600_000),
    ...(systemPrompt && systemPrompt.trim() ? { systemPrompt } : {}),
    maxSessions: intVar(env, 'HEARTH_MAX_SESSIONS', 500, 1, 100_000),
  };
}

/** The line printed at start: the token travels in the fragment, which browsers never send to a server. */
export function startUrl(port: number, token: string): string {
  return `http://127.0.0.1:${port}/#token=${encodeURIComponent(token)}`;
}
