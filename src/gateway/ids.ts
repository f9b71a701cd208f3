import { randomUUID } from 'node:crypto';
import { SESSION_ID_RE } from '../shared/session';

/**
 * A new id for a session or message: a random UUID (lowercase hex and dashes),
 * which matches SESSION_ID_RE and is therefore safe as a file name.
 */
export function newId(): string {
  const id = randomUUID();
  // randomUUID is always lowercase hex; the check documents the file-name guarantee.
  if (!SESSION_ID_RE.test(id)) throw new Error(`generated id does not match SESSION_ID_RE: ${id}`);
  return id;
}
