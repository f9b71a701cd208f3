/**
 * One cross-process lock per session, `<id>.json.lock` beside the transcript:
 * every read-modify-write of a session, its side record and its journal runs
 * under it, whichever process (VS Code window, gateway, script) does it.
 */
import path from 'node:path';
import { withLock, type LockOptions } from './atomicFile';

export class SessionLocks {
  constructor(
    private readonly dir: string,
    private readonly opts?: LockOptions,
  ) {}

  /** Runs `fn` holding the session's lock (callers in this process queue in order). */
  run<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return withLock(path.join(this.dir, `${id}.json.lock`), fn, this.opts);
  }
}
