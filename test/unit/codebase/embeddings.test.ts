import assert from 'node:assert/strict';
import { CodebaseIndex } from '../../../src/shared/codebase/codebaseIndex';
import { contentKey, EmbeddingIndex, fuseRanked, HybridSearch, type Embed } from '../../../src/shared/codebase/embeddingIndex';
import type { SearchResult } from '../../../src/shared/codebase/schemas';
import { createOllamaEmbedder, type OllamaEmbedder } from '../../../src/gateway/codebase/ollamaEmbedder';
import { GatewayError } from '../../../src/gateway/engine/errors';
import { doubleEmbedding, startOllamaDouble, type OllamaDouble } from '../../double';
import { MemoryFileSource, MemoryIndexStorage } from '../../support/memoryFileSource';

const fn = (name: string, body: string) => `export function ${name}() {\n  // ${body}\n  return 1;\n}\n`;

function workspace(): MemoryFileSource {
  return new MemoryFileSource()
    .set('src/retry.ts', fn('backoff', 'wait longer after each failed attempt before trying the request again'))
    .set('src/render.ts', fn('paint', 'draw pixels on the canvas'))
    .set('src/parse.ts', fn('tokenize', 'split source text into tokens'));
}

/** The double's vectors without a server, counting texts; `failAfter` makes it fail like a model that dies halfway. */
function fakeEmbed(opts: { failAfter?: number } = {}): Embed & { texts: string[] } {
  const texts: string[] = [];
  const f = (async (batch: string[], signal: AbortSignal) => {
    signal.throwIfAborted();
    if (opts.failAfter !== undefined && texts.length + batch.length > opts.failAfter) throw new Error('llama runner process has terminated');
    texts.push(...batch);
    return batch.map(doubleEmbedding);
  }) as Embed & { texts: string[] };
  f.texts = texts;
  return f;
}

const r = (path: string, start = 1): SearchResult => ({ path, start_line: start, end_line: start + 1, symbol: null, score: 1, text: path });

describe('codebase embeddings', () => {
  describe('fusion', () => {
    it('reciprocal rank fusion lifts what both lists rank high, and keeps the first list order on ties', () => {
      const lexical = [r('a.ts'), r('b.ts'), r('c.ts')];
      const meaning = [r('c.ts'), r('d.ts'), r('b.ts')];
      const fused = fuseRanked([lexical, meaning], 10).map((x) => x.path);
      // b: 1/62 + 1/63; c: 1/63 + 1/61; a: 1/61 alone; d: 1/62 alone
      assert.deepEqual(fused, ['c.ts', 'b.ts', 'a.ts', 'd.ts']);
      assert.deepEqual(fuseRanked([lexical], 2).map((x) => x.path), ['a.ts', 'b.ts']);
    });

    it('one chunk is one path and start line: another chunk of the same file is its own entry', () => {
      const fused = fuseRanked([[r('a.ts', 1), r('a.ts', 10)], [r('a.ts', 10)]], 10);
      assert.deepEqual(fused.map((x) => x.start_line), [10, 1]);
    });
  });

  describe('content keys', () => {
    it('change with the text and not otherwise', () => {
      assert.equal(contentKey('function a() {}'), contentKey('function a() {}'));
      assert.notEqual(contentKey('function a() {}'), contentKey('function b() {}'));
      assert.notEqual(contentKey(''), contentKey(' '));
    });
  });

  describe('EmbeddingIndex over the codebase index', () => {
    let index: CodebaseIndex;
    let src: MemoryFileSource;
    beforeEach(async () => {
      src = workspace();
      index = new CodebaseIndex({ source: src });
      await index.start();
    });
    afterEach(() => index.dispose());

    it('embeds every chunk in batches, reports progress, and is complete only at the end', async () => {
      const embed = fakeEmbed();
      const storage = new MemoryIndexStorage();
      const e = new EmbeddingIndex({ model: 'm', embed, source: index, storage, batchSize: 2 });
      const seen: string[] = [];
      e.onProgress((s) => seen.push(`${s.done}/${s.total}`));
      assert.equal(e.complete(), false);
      await e.sync();
      const total = index.state().chunks;
      assert.ok(total >= 3);
      assert.deepEqual(e.status(), { model: 'm', done: total, total });
      assert.equal(e.complete(), true);
      assert.equal(embed.texts.length, total);
      assert.equal(seen[0], `0/${total}`);
      assert.equal(seen.at(-1), `${total}/${total}`);
      assert.ok(storage.data?.includes('"model":"m"'));
      e.dispose();
    });

    it('a restart embeds nothing again; a changed file re-embeds only its changed chunk', async () => {
      const storage = new MemoryIndexStorage();
      const first = new EmbeddingIndex({ model: 'm', embed: fakeEmbed(), source: index, storage });
      await first.sync();
      await first.close();

      const again = fakeEmbed();
      const second = new EmbeddingIndex({ model: 'm', embed: again, source: index, storage });
      await second.sync();
      assert.equal(again.texts.length, 0);
      assert.equal(second.complete(), true);

      src.set('src/render.ts', fn('paint', 'draw shapes with a brush'));
      index.notify(['src/render.ts']);
      await index.settled();
      await second.sync();
      assert.equal(again.texts.length, 1);
      assert.match(again.texts[0], /brush/);
      assert.equal(second.complete(), true);
      second.dispose();
    });

    it('a model failing halfway keeps what is done, answers lexically meanwhile, and resumes where it stopped', async () => {
      const storage = new MemoryIndexStorage();
      const failing = fakeEmbed({ failAfter: 2 });
      const logs: string[] = [];
      const e = new EmbeddingIndex({ model: 'm', embed: failing, source: index, storage, batchSize: 1, retryMs: 60_000, log: (l) => logs.push(l) });
      await e.sync();
      const total = index.state().chunks;
      assert.deepEqual(e.status(), { model: 'm', done: 2, total });
      assert.equal(e.complete(), false);
      assert.match(e.error ?? '', /Embedding with 'm' stopped: llama runner process has terminated/);
      assert.equal(logs.length, 1);
      const hybrid = new HybridSearch(index, e);
      assert.deepEqual(await hybrid.search('canvas pixels', { limit: 5 }), await index.search('canvas pixels', { limit: 5 }));
      e.dispose();

      // A restart (another process) goes on from the stored vectors.
      const rest = fakeEmbed();
      const resumed = new EmbeddingIndex({ model: 'm', embed: rest, source: index, storage });
      await resumed.sync();
      assert.equal(rest.texts.length, total - 2);
      assert.equal(resumed.complete(), true);
      assert.equal(resumed.error, null);
      resumed.dispose();
    });

    it('another model discards the stored vectors; damaged storage is embedded again', async () => {
      const storage = new MemoryIndexStorage();
      const a = new EmbeddingIndex({ model: 'model-a', embed: fakeEmbed(), source: index, storage });
      await a.sync();
      a.dispose();
      const forB = fakeEmbed();
      const b = new EmbeddingIndex({ model: 'model-b', embed: forB, source: index, storage });
      await b.sync();
      assert.equal(forB.texts.length, index.state().chunks);
      assert.ok(!storage.data?.includes('model-a'));
      b.dispose();

      storage.data = '{"format":"hearth-codebase-embeddings","version":1,"model":"model-b","dims":';
      const forC = fakeEmbed();
      const c = new EmbeddingIndex({ model: 'model-b', embed: forC, source: index, storage });
      await c.sync();
      assert.equal(forC.texts.length, index.state().chunks);
      c.dispose();
    });

    it('dispose stops a build between batches and stores nothing after', async () => {
      let release!: () => void;
      const gate = new Promise<void>((res) => (release = res));
      let calls = 0;
      const slow: Embed = async (texts, signal) => {
        calls++;
        await gate;
        signal.throwIfAborted();
        return texts.map(doubleEmbedding);
      };
      const storage = new MemoryIndexStorage();
      const e = new EmbeddingIndex({ model: 'm', embed: slow, source: index, storage, batchSize: 1 });
      const run = e.sync();
      while (calls === 0) await new Promise((res) => setTimeout(res, 1));
      const closing = e.close();
      release();
      await run;
      await closing;
      assert.equal(calls, 1);
      assert.equal(e.complete(), false);
      assert.equal(storage.writes, 0); // nothing was embedded, so nothing to store
    });

    it('hybrid search fuses once complete: a chunk found only by meaning joins the results', async () => {
      const e = new EmbeddingIndex({ model: 'm', embed: fakeEmbed(), source: index });
      const hybrid = new HybridSearch(index, e);
      // Before embeddings exist, the lexical answer alone.
      assert.deepEqual(await hybrid.search('draw pixels', { limit: 5 }), await index.search('draw pixels', { limit: 5 }));
      await e.sync();
      // "request" appears only in retry.ts's comment; the lexical index finds it too, and fused it stays first.
      const fused = await hybrid.search('attempt request again', { limit: 3 });
      assert.equal(fused[0]?.path, 'src/retry.ts');
      assert.match(fused[0]!.text, /wait longer/);
      const near = await e.nearest('canvas pixels draw', 1);
      assert.equal(near[0]?.path, 'src/render.ts');
      e.dispose();
    });

    it('hybrid search answers lexically when the embedder fails at question time (Ollama down)', async () => {
      let down = false;
      const inner = fakeEmbed();
      const flaky: Embed = async (t, s) => {
        if (down) throw new Error('connect ECONNREFUSED');
        return inner(t, s);
      };
      const e = new EmbeddingIndex({ model: 'm', embed: flaky, source: index });
      await e.sync();
      down = true;
      const logs: string[] = [];
      const hybrid = new HybridSearch(index, e, (l) => logs.push(l));
      assert.deepEqual(await hybrid.search('tokens', { limit: 5 }), await index.search('tokens', { limit: 5 }));
      assert.match(logs[0] ?? '', /lexical only: connect ECONNREFUSED/);
      e.dispose();
    });
  });

  describe('Ollama /api/embed (the double)', () => {
    let double: OllamaDouble;
    let embedder: OllamaEmbedder;
    beforeEach(async () => {
      double = await startOllamaDouble({ models: ['chatty', { name: 'nomic-embed-text', capabilities: ['embedding'] }] });
      embedder = createOllamaEmbedder('nomic-embed-text', { provider: 'ollama', baseUrl: double.url, requestTimeoutMs: 10_000 });
    });
    afterEach(async () => {
      await embedder.close();
      await double.stop();
    });

    it('embeds a batch in one request, one normalized vector per text, in order', async () => {
      const v = await embedder.embed(['alpha beta', 'gamma'], new AbortController().signal);
      assert.deepEqual(v, [doubleEmbedding('alpha beta'), doubleEmbedding('gamma')]);
      assert.ok(Math.abs(Math.hypot(...v[0]!) - 1) < 1e-9);
      assert.equal(double.requests.filter((q) => q.path === '/api/embed').length, 1);
      assert.equal(await embedder.canEmbed('nomic-embed-text'), true);
      assert.equal(await embedder.canEmbed('chatty'), false);
    });

    it('a model without the embedding capability fails with a clear capability error', async () => {
      const chat = createOllamaEmbedder('chatty', { provider: 'ollama', baseUrl: double.url, requestTimeoutMs: 10_000 });
      await assert.rejects(chat.embed(['x'], new AbortController().signal), (e: unknown) => {
        assert.ok(e instanceof GatewayError);
        assert.equal(e.code, 'capability');
        assert.match(e.message, /Model 'chatty' cannot do this: "chatty" does not support embeddings/);
        return true;
      });
      await chat.close();
    });

    it('abort rejects with the caller reason; failing after N inputs is a 500 upstream error', async () => {
      const ac = new AbortController();
      const reason = new Error('stop');
      ac.abort(reason);
      await assert.rejects(embedder.embed(['x'], ac.signal), (e) => e === reason);
      double.embedFailAfter = 1;
      await embedder.embed(['one'], new AbortController().signal);
      await assert.rejects(embedder.embed(['two'], new AbortController().signal), /llama runner process has terminated/);
    });

    it('the embedding index builds over the double, and resumes after the model failed halfway', async () => {
      const src = workspace();
      const index = new CodebaseIndex({ source: src });
      await index.start();
      const storage = new MemoryIndexStorage();
      double.embedFailAfter = 1;
      const e = new EmbeddingIndex({ model: 'nomic-embed-text', embed: embedder.embed, source: index, storage, batchSize: 1 });
      await e.sync();
      assert.equal(e.status().done, 1);
      assert.equal(e.complete(), false);
      double.embedFailAfter = undefined;
      await e.sync();
      assert.equal(e.complete(), true);
      assert.equal(double.embeddedInputs, index.state().chunks);
      e.dispose();
      index.dispose();
    });
  });
});
