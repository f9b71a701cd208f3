/**
 * What start-up recovery judges, apart from the store's own writes: whether the
 * owner a side record names is still alive, and which crash leftovers (temp
 * files, stale-lock remains) may go.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { HOST, isTempFileName, pidAlive } from './atomicFile';
import type { LiveRecord } from './sideRecord';

// Tokens of the store instances alive in this process. An owner record with our pid
// and another token comes from an earlier process that had the same pid (a restarted
// container reuses pids): that owner is dead.
const liveTokens = new Set<string>();

/** This store instance as the owner of the replies it streams, and the judge of other owners. */
export class Owner {
  readonly token = randomBytes(8).toString('hex');

  /** `isAlive`: whether a pid on this host is alive (tests replace it). */
  constructor(private readonly isAlive?: (pid: number) => boolean) {
    liveTokens.add(this.token);
  }

  /** The owner part of a side record this instance writes. */
  record(): LiveRecord {
    return { pid: process.pid, host: HOST, token: this.token };
  }

  /** Whether the process that wrote this record may still be writing (another machine's is assumed to). */
  alive(o: LiveRecord): boolean {
    if (o.token === this.token) return true;
    if (o.host !== HOST) return true; // another machine's process cannot be judged from here
    if (this.isAlive) return this.isAlive(o.pid);
    if (o.pid === process.pid) return o.token !== undefined && liveTokens.has(o.token);
    return pidAlive(o.pid);
  }
}

/** Removes temp files and stale-lock leftovers older than a minute (a process that died mid-write) from these folders. */
export async function removeLeftovers(dirs: readonly string[]): Promise<void> {
  // Real time: compared with file mtimes.
  const cutoff = Date.now() - 60_000;
  for (const dir of dirs) {
    for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
      if (!isTempFileName(name) && !name.endsWith('.stale')) continue;
      const file = path.join(dir, name);
      try {
        if ((await fs.stat(file)).mtimeMs < cutoff) await fs.rm(file, { force: true });
      } catch {
        // Gone already.
      }
    }
  }
}
