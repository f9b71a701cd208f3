/**
 * Scripting the Ollama test double from inside the extension host. The double
 * runs in the test runner's process; its control API (scripts/vscode-host/
 * double-control.ts) is reached over loopback HTTP at HEARTH_TEST_DOUBLE_CONTROL.
 *
 *   import { double } from './support/double';
 *   beforeEach(() => double.reset());
 *   await double.enqueue({ tokens: ['Hel', 'lo'], tokenDelayMs: 20 });
 *   const req = await double.waitForRequest({ path: '/api/chat' });
 *   req.body.messages;  // what the extension sent
 */
import type { DoubleModel, ReplyScript, RequestRecord } from '../../double/types';

export type SlimRequest = Omit<RequestRecord, 'rawBody'>;

function controlUrl(): string {
  const url = process.env.HEARTH_TEST_DOUBLE_CONTROL;
  if (!url) throw new Error('HEARTH_TEST_DOUBLE_CONTROL is not set: run through `npm run test:vscode`');
  return url;
}

async function call<T>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> {
  const res = await fetch(controlUrl() + route, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`double control ${route}: HTTP ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

export const double = {
  /** The double's base URL (also the hearth.ollama.url user setting). */
  get url(): string {
    const url = process.env.HEARTH_TEST_OLLAMA_URL;
    if (!url) throw new Error('HEARTH_TEST_OLLAMA_URL is not set: run through `npm run test:vscode`');
    return url;
  },
  /** Clears queued scripts and the request log; restores the initial models and default reply; restarts it if stopped. */
  reset: () => call<{ ok: true }>('POST', '/reset'),
  /** Queues reply scripts for the next chat requests, in order. */
  enqueue: (...scripts: ReplyScript[]) => call<{ queued: number }>('POST', '/enqueue', scripts),
  /** Replaces the script used when nothing is queued. */
  setDefaultReply: (script: ReplyScript) => call<{ ok: true }>('POST', '/default', script),
  /** The next n chat requests get this HTTP status. */
  failNext: (n: number, status = 503, errorMessage?: string) => call<{ queued: number }>('POST', '/fail-next', { n, status, errorMessage }),
  /** /api/embed fails (500, as a model that dies halfway) once `after` more texts were embedded; null: it never fails. Returns the texts embedded so far. */
  embedFailAfter: (after: number | null) => call<{ embedded: number }>('POST', '/embed-fail-after', { after }),
  /** Adds and removes models; returns the installed names. */
  models: (change: { add?: (DoubleModel | string)[]; remove?: string[] }) => call<{ models: string[] }>('POST', '/models', change),
  /** Every request so far, in order of arrival. */
  requests: () => call<SlimRequest[]>('GET', '/requests'),
  /** The first request (optionally to `path`, with index > afterIndex), already there or arriving within timeoutMs. */
  waitForRequest: (match: { path?: string; afterIndex?: number; timeoutMs?: number } = {}) => call<SlimRequest>('POST', '/wait-request', match),
  /** Ollama goes away (connections dropped) / comes back on the same port. */
  stop: () => call<{ ok: true }>('POST', '/stop'),
  start: () => call<{ ok: true }>('POST', '/start'),
};
