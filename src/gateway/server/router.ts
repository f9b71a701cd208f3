/** A tiny router: METHOD + '/literal/:param' patterns over the raw (undecoded) path. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  url: URL;
  /** The request carried the right token (open routes may answer more to it). */
  authed: boolean;
}

export type Handler = (ctx: RouteContext) => Promise<void> | void;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
  /** Needs the bearer token. */
  auth: boolean;
}

export type Match =
  | { kind: 'found'; handler: Handler; params: Record<string, string>; auth: boolean }
  | { kind: 'method_not_allowed'; allow: string[]; auth: boolean }
  | { kind: 'not_found' };

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler, opts: { auth?: boolean } = {}): this {
    this.routes.push({ method, parts: pattern.split('/').filter(Boolean), handler, auth: opts.auth ?? true });
    return this;
  }

  match(method: string, pathname: string): Match {
    // Raw segments: '%2e%2e' stays as is and fails id validation; '..' is just a segment.
    const cleaned = pathname.split('/').filter(Boolean);
    const allow: string[] = [];
    let auth = false;
    for (const r of this.routes) {
      const params = matchParts(r.parts, cleaned);
      if (!params) continue;
      // HEAD is answered like GET (Node sends no body) only where GET has no side effects: the open routes (UI, health).
      const headOfGet = method === 'HEAD' && r.method === 'GET' && !r.auth;
      if (r.method === method || headOfGet) return { kind: 'found', handler: r.handler, params, auth: r.auth };
      allow.push(r.method);
      auth ||= r.auth;
    }
    return allow.length ? { kind: 'method_not_allowed', allow, auth } : { kind: 'not_found' };
  }
}

function matchParts(parts: string[], segs: string[]): Record<string, string> | undefined {
  if (parts.length !== segs.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.startsWith(':')) params[p.slice(1)] = segs[i]!;
    else if (p !== segs[i]) return undefined;
  }
  return params;
}
