import assert from 'node:assert/strict';
import { SummaryIndex } from '../../../src/gateway/sessions/summaryIndex';
import { TranscriptCache } from '../../../src/gateway/sessions/transcriptCache';
import type { Loaded } from '../../../src/gateway/sessions/sideRecord';
import type { Session } from '../../../src/shared/session';

function session(id: string, over: Partial<Session> = {}): Session {
  return { id, title: `t ${id}`, created_at: 1, updated_at: 2, messages: [], ...over } as Session;
}

/** An in-memory .index.json: what was saved, how often, and a switch to make saves fail. */
function memoryIo(initial?: string) {
  const io = { text: initial, saves: 0, failing: false };
  return {
    io,
    index: new SummaryIndex({
      read: async () => {
        if (io.text === undefined) throw Object.assign(new Error('no index'), { code: 'ENOENT' });
        return io.text;
      },
      write: async (text) => {
        if (io.failing) throw new Error('disk full');
        io.saves++;
        io.text = text;
      },
    }),
  };
}

describe('SummaryIndex (.index.json)', () => {
  it('remembers a summary per file identity, with its streaming replies, and saves only when it changed', async () => {
    const { io, index } = memoryIo();
    await index.load();
    const s = session('abcdefgh-0001', { messages: [{ id: 'asst-0001', role: 'assistant', content: '', status: 'streaming', created_at: 1 }] } as Partial<Session>);
    index.remember(s.id, 'k1', s);
    assert.deepEqual(index.get(s.id)?.streaming, ['asst-0001']);
    assert.equal(index.get(s.id)?.summary.message_count, 1);
    await index.saveIfChanged();
    await index.saveIfChanged();
    assert.equal(io.saves, 1);
    index.remember(s.id, 'k1', session(s.id, { title: 'ignored: same identity' }));
    await index.saveIfChanged();
    assert.equal(io.saves, 1, 'the same identity is not re-read nor re-saved');
    assert.equal(index.get(s.id)?.summary.title, 't abcdefgh-0001');
    index.delete(s.id);
    await index.saveIfChanged();
    assert.equal(io.saves, 2);
    assert.deepEqual(JSON.parse(io.text!), { v: 1, entries: [] });
  });

  it('a saved index is read back; malformed entries, bad ids and other versions are skipped, never thrown', async () => {
    const { io, index } = memoryIo();
    index.remember('abcdefgh-0002', 'k2', session('abcdefgh-0002'));
    await index.saveIfChanged();
    const saved = JSON.parse(io.text!);
    saved.entries.push({ key: 'x', summary: { ...saved.entries[0].summary, id: '../evil' }, streaming: [] }, 42, { key: 1 });
    const again = memoryIo(JSON.stringify(saved)).index;
    await again.load();
    assert.deepEqual(again.ids(), ['abcdefgh-0002']);
    for (const text of ['not json', JSON.stringify({ v: 2, entries: saved.entries }), JSON.stringify({ v: 1 })]) {
      const other = memoryIo(text).index;
      await other.load();
      assert.deepEqual(other.ids(), []);
    }
  });

  it('what the files said wins over the saved index; a failed save is tried again', async () => {
    const stale = memoryIo();
    stale.index.remember('abcdefgh-0003', 'old', session('abcdefgh-0003', { title: 'old' }));
    await stale.index.saveIfChanged();
    const { io, index } = memoryIo(stale.io.text);
    index.remember('abcdefgh-0003', 'new', session('abcdefgh-0003', { title: 'new' }));
    await index.load();
    assert.equal(index.get('abcdefgh-0003')?.summary.title, 'new');
    io.failing = true;
    await index.saveIfChanged();
    io.failing = false;
    await index.saveIfChanged();
    assert.equal(JSON.parse(io.text!).entries[0].summary.title, 'new');
  });
});

describe('TranscriptCache', () => {
  const loaded = (id: string, bytes: number): Loaded => ({ key: `k-${id}`, session: session(id), bytes });

  it('keeps transcripts within its byte budget, dropping the least recently used first, but always the latest', () => {
    const cache = new TranscriptCache(100);
    cache.put('a', loaded('a', 40));
    cache.put('b', loaded('b', 40));
    cache.put('a', loaded('a', 40)); // a is now the most recent
    cache.put('c', loaded('c', 40));
    assert.equal(cache.get('b'), undefined);
    assert.ok(cache.get('a') && cache.get('c'));
    cache.put('huge', loaded('huge', 1000));
    assert.ok(cache.get('huge'), 'the most recent one stays even over the budget');
    assert.equal(cache.get('a'), undefined);
    cache.drop('huge');
    cache.put('d', loaded('d', 90));
    assert.ok(cache.get('d'), 'dropping gave its bytes back');
  });
});
