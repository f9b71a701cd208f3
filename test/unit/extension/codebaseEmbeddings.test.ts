/**
 * hearth.codebase.embeddingModel in VS Code, its wiring (src/extension/codebase/embeddings.ts):
 * each folder's index gets an EmbeddingIndex stored beside it, synced when the index is
 * ready, searched lexically until complete and fused after; a model failing halfway
 * leaves the lexical index answering and resumes (on retry, or after a restart from the
 * stored vectors); a new model starts over, none goes back to lexical only. And the pick
 * offers only models that can embed.
 */
import assert from 'node:assert/strict';
import { CodebaseEmbeddings, embeddingLabel, type Embedder } from '../../../src/extension/codebase/embeddings';
import { embeddingPickItems } from '../../../src/extension/models/modelPickItems';
import { CodebaseIndex } from '../../../src/shared/codebase/codebaseIndex';
import type { ModelInfo } from '../../../src/shared/models';
import { doubleEmbedding } from '../../double';
import { MemoryFileSource, MemoryIndexStorage } from '../../support/memoryFileSource';

const fn = (name: string, body: string) => `export function ${name}() {\n  // ${body}\n  return 1;\n}\n`;
function workspace(): MemoryFileSource {
  return new MemoryFileSource()
    .set('src/retry.ts', fn('backoff', 'wait longer after each failed attempt before trying the request again'))
    .set('src/render.ts', fn('paint', 'draw pixels on the canvas'))
    .set('src/parse.ts', fn('tokenize', 'split source text into tokens'))
    .set('src/cache.ts', fn('evict', 'drop the least recently used entries'));
}

/** The double's vectors, counting texts; `failAfter` dies like a model that fails halfway; `down` like Ollama gone. */
class FakeEmbedder implements Embedder {
  texts: string[] = [];
  closed = false;
  failAfter: number | undefined;
  down = false;
  constructor(readonly model: string) {}
  embed = async (batch: string[], signal: AbortSignal) => {
    signal.throwIfAborted();
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:11434');
    if (this.failAfter !== undefined && this.texts.length + batch.length > this.failAfter) throw new Error('llama runner process has terminated');
    this.texts.push(...batch);
    return batch.map(doubleEmbedding);
  };
  async close() {
    this.closed = true;
  }
}

function until(probe: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => (probe() ? resolve() : Date.now() > deadline ? reject(new Error(`timed out waiting for ${what}`)) : setTimeout(tick, 2));
    tick();
  });
}

describe('codebase embeddings in VS Code (hearth.codebase.embeddingModel)', () => {
  let model: string | undefined;
  let made: FakeEmbedder[];
  let prepare: (e: FakeEmbedder) => void;
  const disposables: { dispose(): void }[] = [];
  const embeddings = (o: { retryMs?: number; syncDelayMs?: number } = {}) => {
    const e = new CodebaseEmbeddings({
      target: () =>
        model === undefined
          ? undefined
          : {
              model,
              key: model,
              create: () => {
                const f = new FakeEmbedder(model!);
                prepare(f);
                made.push(f);
                return f;
              },
            },
      log: () => {},
      batchSize: 1,
      syncDelayMs: o.syncDelayMs ?? 0,
      retryMs: o.retryMs ?? 60_000,
    });
    disposables.push(e);
    return e;
  };
  const index = () => {
    const i = new CodebaseIndex({ source: workspace() });
    disposables.push(i);
    return i;
  };
  beforeEach(() => {
    model = undefined;
    made = [];
    prepare = () => {};
  });
  afterEach(() => {
    for (const d of disposables.splice(0).reverse()) d.dispose();
  });

  it('without a model: no embedder, no progress, and the search is the lexical one', async () => {
    const e = embeddings();
    const i = index();
    const search = e.attach(i, new MemoryIndexStorage());
    await i.start();
    assert.equal(e.progress(), undefined);
    assert.deepEqual(await search.search('backoff retry', { limit: 3 }), await i.search('backoff retry', { limit: 3 }));
    assert.equal(made.length, 0);
  });

  it('with a model: once the index is ready, every chunk is embedded in batches with progress; the search is lexical until complete, then fused (the question is embedded)', async () => {
    model = 'nomic-embed-text';
    const e = embeddings();
    const i = index();
    const storage = new MemoryIndexStorage();
    const seen: string[] = [];
    e.onDidChange((p) => p && seen.push(`${p.done}/${p.total}${p.running ? '…' : ''}`));
    const search = e.attach(i, storage);
    // Before the index is ready nothing is embedded, and the search is lexical.
    assert.equal(e.complete(), false);
    await i.start();
    await until(() => e.complete(), 'every chunk embedded');
    const p = e.progress()!;
    assert.equal(p.model, 'nomic-embed-text');
    assert.ok(p.total >= 4 && p.done === p.total, JSON.stringify(p));
    assert.ok(seen.some((s) => /^[1-9]\d*\/\d+…$/.test(s) && !s.startsWith(`${p.total}/`)), `progress moved batch by batch: ${seen.join(' ')}`);
    assert.equal(made[0]!.texts.length, p.total, 'each chunk once');
    // The last batch is stored right after it completes the set (complete() can be true a moment before).
    await until(() => storage.data?.includes('"model":"nomic-embed-text"') === true && e.progress()!.running === false, 'stored beside the index');
    const texts = made[0]!.texts.length;
    const hits = await search.search('wait longer after a failed attempt', { limit: 3 });
    assert.equal(made[0]!.texts.length, texts + 1, 'the question was embedded: the search is fused');
    assert.equal(hits[0]?.path, 'src/retry.ts');
    assert.equal(embeddingLabel(p), `Embedding ${p.done} / ${p.total} chunks (nomic-embed-text)`);
  });

  it('a model that fails halfway: what is done is kept, the lexical index answers, the error is said; it resumes on retry without embedding the done chunks again', async () => {
    model = 'all-minilm';
    prepare = (f) => (f.failAfter = 2);
    const e = embeddings({ retryMs: 50 });
    const i = index();
    const storage = new MemoryIndexStorage();
    const search = e.attach(i, storage);
    await i.start();
    await until(() => e.progress()?.error !== null && e.progress()?.running === false, 'the failure');
    const p = e.progress()!;
    assert.equal(p.done, 2);
    assert.match(p.error!, /Embedding with 'all-minilm' stopped: llama runner process has terminated/);
    assert.equal(e.complete(), false);
    const lexical = await i.search('tokenize source text', { limit: 3 });
    assert.deepEqual(await search.search('tokenize source text', { limit: 3 }), lexical, 'lexical answers meanwhile');
    assert.ok(storage.data, 'the two vectors were stored');
    // The model works again: the retry embeds only the rest.
    made[0]!.failAfter = undefined;
    await until(() => e.complete() && e.progress()!.error === null, 'resumed to the end', 5000);
    assert.equal(made[0]!.texts.length, e.progress()!.total, 'no chunk embedded twice');
    assert.equal(e.progress()!.error, null);
  });

  it('a restart goes on from the stored vectors: only what is missing is embedded', async () => {
    model = 'nomic-embed-text';
    const storage = new MemoryIndexStorage();
    prepare = (f) => (f.failAfter = 3);
    const first = embeddings();
    const i1 = index();
    first.attach(i1, storage);
    await i1.start();
    await until(() => first.progress()?.error !== null && first.progress()?.running === false, 'the failure');
    first.dispose();
    i1.dispose();
    await until(() => made[0]!.closed, 'the embedder closed');

    prepare = () => {};
    const second = embeddings();
    const i2 = index();
    second.attach(i2, storage);
    await i2.start();
    await until(() => second.complete(), 'complete after the restart');
    assert.equal(made[1]!.texts.length, second.progress()!.total - 3, 'the three stored vectors were not embedded again');
  });

  it('a file added after the vectors were complete: lexical alone until its chunks are embedded, then fused again', async () => {
    model = 'nomic-embed-text';
    // The sync waits a moment after a change (as in VS Code): the index has the file before its chunks are embedded.
    const e = embeddings({ syncDelayMs: 300 });
    const src = workspace();
    const i = new CodebaseIndex({ source: src, debounceMs: 1 });
    disposables.push(i);
    const search = e.attach(i, undefined);
    await i.start();
    await until(() => e.complete(), 'complete');
    const embedder = made[0]!;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const real = embedder.embed;
    // The next batch waits: the moment between the change and its vectors can be looked at.
    embedder.embed = async (batch, signal) => (await held, real(batch, signal));
    src.set('src/customs.ts', fn('declareCustomsValue', 'the value declared to customs'));
    i.notify(['src/customs.ts']);
    await i.settled();
    assert.equal(e.complete(), false, 'the new chunk has no vector yet');
    const asked = embedder.texts.length;
    const hits = await search.search('declare customs value', { limit: 3 });
    assert.equal(hits[0]?.path, 'src/customs.ts');
    assert.equal(embedder.texts.length, asked, 'lexical alone: the question was not embedded');
    release();
    await until(() => e.complete(), 'complete again');
    assert.ok(embedder.texts.some((t) => t.includes('declareCustomsValue')));
  });

  it('several folders: fused only once every folder is complete (a multi-root search merges by score, and fused and lexical scores do not compare)', async () => {
    model = 'nomic-embed-text';
    const e = embeddings();
    const a = index();
    const b = index();
    const inA = e.attach(a, undefined);
    e.attach(b, undefined);
    await a.start();
    await until(() => e.progress()!.total > 0 && e.progress()!.done === e.progress()!.total && !e.progress()!.running, "the first folder's chunks embedded");
    assert.equal(e.complete(), false, 'the second folder has not even been indexed');
    const asked = made[0]!.texts.length;
    assert.deepEqual(await inA.search('draw pixels', { limit: 2 }), await a.search('draw pixels', { limit: 2 }));
    assert.equal(made[0]!.texts.length, asked, 'lexical: the question was not embedded');
    await b.start();
    await until(() => e.complete(), 'both complete');
    const before = made[0]!.texts.length;
    await inA.search('draw pixels', { limit: 2 });
    assert.equal(made[0]!.texts.length, before + 1, 'fused now');
    // A folder with nothing to embed does not hold the others back.
    const empty = new CodebaseIndex({ source: new MemoryFileSource() });
    disposables.push(empty);
    e.attach(empty, undefined);
    assert.equal(e.complete(), false, 'not synced yet');
    await empty.start();
    await until(() => e.complete(), 'complete with the empty folder');
  });

  it('Ollama down at question time: the search answers lexically', async () => {
    model = 'nomic-embed-text';
    const e = embeddings();
    const i = index();
    const search = e.attach(i, undefined);
    await i.start();
    await until(() => e.complete(), 'complete');
    made[0]!.down = true;
    assert.deepEqual(await search.search('draw pixels', { limit: 2 }), await i.search('draw pixels', { limit: 2 }));
  });

  it('another model starts over with a new embedder (the old one closed); emptying the setting goes back to lexical only', async () => {
    model = 'nomic-embed-text';
    const e = embeddings();
    const i = index();
    const storage = new MemoryIndexStorage();
    const search = e.attach(i, storage);
    await i.start();
    await until(() => e.complete(), 'complete');
    e.settingsChanged();
    assert.equal(made.length, 1, 'the same settings: nothing changes');
    model = 'all-minilm';
    e.settingsChanged();
    assert.equal(made.length, 2);
    await until(() => made[0]!.closed, 'the old embedder closed');
    await until(() => e.complete() && e.progress()!.model === 'all-minilm', 'the new model complete');
    assert.equal(made[1]!.texts.length, e.progress()!.total, 'every chunk embedded again by the new model');
    await until(() => storage.data?.includes('"model":"all-minilm"') === true, "the new model's vectors stored");
    model = undefined;
    e.settingsChanged();
    assert.equal(e.progress(), undefined);
    await until(() => made[1]!.closed, 'closed');
    const before = made[1]!.texts.length;
    assert.deepEqual(await search.search('evict entries', { limit: 2 }), await i.search('evict entries', { limit: 2 }));
    assert.equal(made[1]!.texts.length, before, 'no question embedded: lexical only');
  });

  it('a folder removed (its index disposed) stops embedding and leaves the totals', async () => {
    model = 'nomic-embed-text';
    const e = embeddings();
    const i = index();
    const f = e.attach(i, undefined);
    await i.start();
    await until(() => e.complete(), 'complete');
    f.dispose();
    assert.deepEqual({ done: e.progress()!.done, total: e.progress()!.total }, { done: 0, total: 0 });
    assert.equal(e.complete(), false);
  });
});

describe('the embedding model pick', () => {
  const m = (name: string, capabilities?: string[]): ModelInfo => ({ name, size: 270_000_000, ...(capabilities ? { capabilities } : {}) }) as ModelInfo;
  it('offers only installed models whose capabilities include embedding, the chosen one checked', () => {
    const items = embeddingPickItems([m('llama3.2:3b', ['completion', 'tools']), m('nomic-embed-text:latest', ['embedding']), m('all-minilm:latest', ['embedding']), m('old:1b')], 'all-minilm:latest');
    assert.deepEqual(
      items.map((i) => [i.model, i.label, i.picked]),
      [
        ['nomic-embed-text:latest', 'nomic-embed-text:latest', false],
        ['all-minilm:latest', '$(check) all-minilm:latest', true],
      ],
    );
    assert.match(items[0]!.detail, /^embedding/);
    assert.match(items[0]!.description, /270 MB/);
  });
});
