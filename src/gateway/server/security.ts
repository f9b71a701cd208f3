/**
 * The gateway's gatekeeping, as pure functions: loopback Host only (stops DNS
 * rebinding), same-origin Origin only (no CORS), bearer token compared in
 * constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Host header values we answer to: a loopback name with our port. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

export function hostAllowed(host: string | undefined, port: number): boolean {
  return typeof host === 'string' && allowedHosts(port).has(host.toLowerCase());
}

/** No Origin (curl, same-origin GET) is fine; otherwise it must be this very origin. */
export function originAllowed(origin: string | undefined, host: string): boolean {
  if (origin === undefined) return true;
  return origin.toLowerCase() === `http://${host.toLowerCase()}`;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Constant-time: both sides are hashed to equal-length digests first. */
export function tokenMatches(authorization: string | undefined, token: string): boolean {
  if (typeof authorization !== 'string') return false;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
  const given = m ? m[1]! : '';
  return timingSafeEqual(digest(given), digest(token)) && given.length > 0;
}
