/** Names in a session folder: what Hearth writes there, and nothing else is taken for a session. */
import { isValidSessionId } from '../../shared/session';

/** Summaries of every session file by file identity: a cache that spares reading every transcript at start. */
export const INDEX_FILE = '.index.json';

/** The session id a file name `<id>.json` stands for, or undefined. */
export function sessionIdOfFile(name: string): string | undefined {
  if (!name.endsWith('.json')) return undefined;
  const id = name.slice(0, -'.json'.length);
  return isValidSessionId(id) ? id : undefined;
}
