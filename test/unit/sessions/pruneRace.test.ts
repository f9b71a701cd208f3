/**
 * Pruning chooses which sessions go from summaries read before it takes each
 * session's lock, and runs off the create's path, so it can fall behind the creates.
 * Whatever happens in between, it must never trash a session whose reply is
 * streaming (the reply being written would go with it), nor one written since it
 * chose, nor a session a create has just returned (or is about to: its file is there
 * before the create returns); the least recently updated go. Deterministic: the
 * moment in between is held by hand (another window's lock on the chosen session, a
 * late prune's index save, a create's lock release).
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HOST, writeFileAtomic } from '../../../src/gateway/sessions/atomicFile';
import { FileSessionStore, type WriteText } from '../../../src/gateway/sessions/fileStore';
import { INDEX_FILE } from '../../../src/gateway/sessions/layout';
import type { ChatMessage, Session } from '../../../src/shared/session';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

const msg = (id: string, role: ChatMessage['role'], status: ChatMessage['status']): ChatMessage => ({ id, role, content: '', status, created_at: 1 });

describe('FileSessionStore: pruning that races a write', () => {
  let dir: string;
  const realLink = fs.link;
  const realRm = fs.rm;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-prunerace-'));
  });
  afterEach(async () => {
    fs.link = realLink;
    fs.rm = realRm;
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  const trashed = async () => (await fs.readdir(path.join(dir, 'trash')).catch(() => [] as string[])).sort();

  const cases: { what: string; write: (s: Session, t: number) => void }[] = [
    {
      what: 'starts a reply in it',
      write: (s, t) => {
        s.messages.push(msg('user-0001', 'user', 'complete'), msg('asst-0001', 'assistant', 'streaming'));
        s.updated_at = t;
      },
    },
    {
      what: 'writes a question to it',
      write: (s, t) => {
        s.messages.push(msg('user-0001', 'user', 'complete'));
        s.updated_at = t;
      },
    },
  ];
  for (const c of cases) {
    it(`keeps the session it chose when, before it takes that session's lock, another window ${c.what}; the next oldest goes instead`, async () => {
      let clock = 1_700_000_000_000;
      const store = new FileSessionStore({ dir, fsync: false, maxSessions: 2, now: () => clock });
      const a = await store.create({ title: 'A, the least recently updated' });
      clock += 1000;
      const b = await store.create({ title: 'B' });
      await store.settled();

      // Another window holds A's lock (a live pid on this host, just taken): it is about to write A.
      const lockA = path.join(dir, `${a.id}.json.lock`);
      await fs.writeFile(lockA, `${process.pid}\n${HOST}\n${Date.now()}\nothr\n`);
      const pruneWaits = gate();
      fs.link = (async (from: Parameters<typeof realLink>[0], to: Parameters<typeof realLink>[1]) => {
        try {
          return await realLink(from, to);
        } catch (e) {
          if (path.resolve(String(to)) === lockA) pruneWaits.open();
          throw e;
        }
      }) as typeof realLink;

      clock += 1000;
      const created = await store.create({ title: 'C' }); // three sessions: one must go
      await pruneWaits.opened; // pruning chose A and waits for its lock

      const file = path.join(dir, `${a.id}.json`);
      const session = JSON.parse(await fs.readFile(file, 'utf8')) as Session;
      c.write(session, clock + 500);
      await writeFileAtomic(file, JSON.stringify(session), { fsync: false });
      fs.link = realLink;
      await fs.rm(lockA);
      await store.settled();

      const after = await fs.readFile(file, 'utf8').catch(() => undefined);
      assert.ok(after !== undefined, `A was moved to the trash over the other window's write (trash: ${(await trashed()).join(', ')})`);
      assert.deepEqual(
        (JSON.parse(after) as Session).messages.map((m) => m.status),
        session.messages.map((m) => m.status),
        'A is kept with what the other window wrote',
      );
      assert.deepEqual(await trashed(), [`${b.id}.json`], 'the next least recently updated went instead');
      assert.deepEqual((await store.list()).map((s) => s.id).sort(), [a.id, created.id].sort());
    });
  }

  it('a prune that runs after later creates keeps every session created since, and the least recently updated go', async () => {
    // The prune after s0's create is held at its save of .index.json until s1..s3 are created.
    let holdIndexSave: { open(): void; opened: Promise<void> } | undefined;
    const indexSaveReached = gate();
    const writeText: WriteText = async (file, text, opts) => {
      if (holdIndexSave && path.basename(file) === INDEX_FILE) {
        const g = holdIndexSave;
        holdIndexSave = undefined;
        indexSaveReached.open();
        await g.opened;
      }
      await writeFileAtomic(file, text, opts);
    };
    let clock = 1_700_000_000_000;
    const store = new FileSessionStore({ dir, fsync: false, maxSessions: 3, now: () => clock, writeText });
    const streaming = await store.create({ title: 'oldest, streaming' });
    await store.appendMessage(streaming.id, msg('asst-0001', 'assistant', 'streaming'));
    await store.settled();

    const held = gate();
    holdIndexSave = held;
    const ids: string[] = [];
    clock += 1000;
    ids.push((await store.create({ title: 's0' })).id);
    await indexSaveReached.opened;
    for (let i = 1; i < 4; i++) {
      clock += 1000;
      ids.push((await store.create({ title: `s${i}` })).id);
    }
    held.open();
    await store.settled();

    assert.deepEqual((await store.list()).map((s) => s.id).sort(), [streaming.id, ids[2]!, ids[3]!].sort());
    assert.deepEqual(await trashed(), [`${ids[0]}.json`, `${ids[1]}.json`].sort());
  });

  it('a prune that runs while a create has written its file but not returned yet (its lock still being released) keeps that session', async () => {
    // The prune after s0: its first save of .index.json is held until s1..s3 are on disk; its
    // second (the scan it chooses from) is let through, and it has chosen once the save is done.
    let armed = false;
    let indexSaves = 0;
    const firstSaveReached = gate();
    const firstSaveHeld = gate();
    const secondSaveDone = gate();
    const writeText: WriteText = async (file, text, opts) => {
      const n = armed && path.basename(file) === INDEX_FILE ? ++indexSaves : 0;
      if (n === 1) {
        firstSaveReached.open();
        await firstSaveHeld.opened;
      }
      await writeFileAtomic(file, text, opts);
      if (n === 2) secondSaveDone.open();
    };
    let clock = 1_700_000_000_000;
    const store = new FileSessionStore({ dir, fsync: false, maxSessions: 3, now: () => clock, writeText });
    const streaming = await store.create({ title: 'oldest, streaming' });
    await store.appendMessage(streaming.id, msg('asst-0001', 'assistant', 'streaming'));
    await store.settled();

    armed = true;
    const ids: string[] = [];
    clock += 1000;
    ids.push((await store.create({ title: 's0' })).id);
    await firstSaveReached.opened;
    for (let i = 1; i < 3; i++) {
      clock += 1000;
      ids.push((await store.create({ title: `s${i}` })).id);
    }
    // s3's create has written its file; the release of its lock is held, so it has not returned.
    const s3 = 's3-0000000000000000';
    const lockReleaseHeld = gate();
    const lockReleaseReached = gate();
    fs.rm = (async (target: Parameters<typeof realRm>[0], opts?: Parameters<typeof realRm>[1]) => {
      if (path.resolve(String(target)) === path.join(dir, `${s3}.json.lock`)) {
        fs.rm = realRm;
        lockReleaseReached.open();
        await lockReleaseHeld.opened;
      }
      return realRm(target, opts);
    }) as typeof realRm;
    clock += 1000;
    const creating = store.create({ id: s3, title: 's3' });
    await lockReleaseReached.opened;
    firstSaveHeld.open();
    await secondSaveDone.opened;
    // What follows that save up to each chosen session's lock is in this turn of the event loop.
    await new Promise((r) => setImmediate(r));
    lockReleaseHeld.open();
    await creating;
    await store.settled();

    assert.deepEqual((await store.list()).map((s) => s.id).sort(), [streaming.id, ids[2]!, s3].sort());
    assert.deepEqual(await trashed(), [`${ids[0]}.json`, `${ids[1]}.json`].sort());
  });
});
