/**
 * Two listings that overlap a create: the older one read the folder before the
 * new session's file was there. Whatever the order they finish in, a listing that
 * started after the create has finished lists the new session. Deterministic: the
 * older listing's folder read and the newer one's index save are held by hand.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../../../src/gateway/sessions/atomicFile';
import { FileSessionStore, type WriteText } from '../../../src/gateway/sessions/fileStore';
import { INDEX_FILE } from '../../../src/gateway/sessions/layout';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

describe('FileSessionStore: a listing that overlaps a create', () => {
  let dir: string;
  const realReaddir = fs.readdir;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-listrace-'));
  });
  afterEach(async () => {
    fs.readdir = realReaddir;
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('a listing started after a create lists the new session, even when an older listing read the folder before it', async () => {
    // The newer listing's save of .index.json is held, so the older listing finishes in between.
    let holdIndexSave: { open(): void; opened: Promise<void> } | undefined;
    let indexSaveHeld: (() => void) | undefined;
    const indexSaveReached = new Promise<void>((r) => (indexSaveHeld = r));
    const writeText: WriteText = async (file, text, opts) => {
      if (holdIndexSave && path.basename(file) === INDEX_FILE) {
        const g = holdIndexSave;
        holdIndexSave = undefined;
        indexSaveHeld!();
        await g.opened;
      }
      await writeFileAtomic(file, text, opts);
    };
    const store = new FileSessionStore({ dir, fsync: false, writeText });
    const a = await store.create({ title: 'A' });
    await store.list();

    // The older listing reads the folder now (A only) and is held before it sees the answer.
    const readHeld = gate();
    const readDone = gate();
    const readdir = async (folder: string): Promise<string[]> => {
      const names = await realReaddir(folder);
      if (path.resolve(folder) === path.resolve(dir)) {
        fs.readdir = realReaddir;
        readDone.open();
        await readHeld.opened;
      }
      return names;
    };
    // The store reads a folder's names only (fs.readdir(folder)): that is all this stands in for.
    fs.readdir = readdir as unknown as typeof realReaddir;
    const older = store.list();
    await readDone.opened;

    const b = await store.create({ title: 'B' }); // done: every listing from now on must have it
    const saveHeld = gate();
    holdIndexSave = saveHeld;
    const newer = store.list();
    await indexSaveReached; // the newer listing has judged every file, and saves the index
    readHeld.open(); // the older listing goes on with a folder read from before B
    await older;
    saveHeld.open();
    const listed = await newer;
    assert.deepEqual(listed.map((s) => s.id).sort(), [a.id, b.id].sort(), 'the newer listing has both sessions');
    assert.deepEqual((await store.list()).map((s) => s.id).sort(), [a.id, b.id].sort());
  });
});
