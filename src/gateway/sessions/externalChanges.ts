/**
 * Session files changed by another process (VS Code windows share one folder):
 * one fs.watch on the folder (inotify, FSEvents, ReadDirectoryChangesW: no polling),
 * reduced to the ids of `<id>.json` names, batched over a short delay so a burst of
 * writes is one check. The store decides what really changed by file identity, so
 * its own writes tell nothing. Where watching is not possible the folder is simply
 * not watched (logged): the history still updates when it is next listed.
 */
import { watch, type FSWatcher } from 'node:fs';
import { sessionIdOfFile } from './layout';

const BATCH_MS = 100;

export class ExternalChanges {
  private watcher: FSWatcher | undefined;
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  /** One check at a time: a batch arriving meanwhile waits for it. */
  private checking: Promise<void> = Promise.resolve();

  constructor(
    dir: string,
    private readonly check: (ids: string[]) => Promise<void>,
    private readonly log: (line: string) => void,
  ) {
    try {
      this.watcher = watch(dir, { persistent: false }, (_event, name) => this.seen(name === null ? undefined : String(name)));
      this.watcher.on('error', (e) => {
        this.log(`stopped watching ${dir} for other windows' changes: ${e.message}`);
        this.dispose();
      });
    } catch (e) {
      this.log(`cannot watch ${dir} for other windows' changes: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private seen(name: string | undefined): void {
    const id = name === undefined ? undefined : sessionIdOfFile(name);
    if (!id || !this.watcher) return;
    this.pending.add(id);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const ids = [...this.pending];
      this.pending.clear();
      this.checking = this.checking
        .then(() => this.check(ids))
        .catch((e: unknown) => this.log(`could not check sessions changed by another window: ${e instanceof Error ? e.message : String(e)}`));
    }, BATCH_MS);
    this.timer.unref();
  }

  dispose(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}
