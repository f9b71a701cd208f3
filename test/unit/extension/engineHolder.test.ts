import assert from 'node:assert/strict';
import { EngineHolder } from '../../../src/extension/engine/engineHolder';
import type { ProviderConfig } from '../../../src/gateway/engine/types';
import { FakeEngine } from '../../support/fakeEngine';

describe('EngineHolder', () => {
  let fingerprint: string;
  let built: { config: ProviderConfig; engine: FakeEngine }[];
  let holder: EngineHolder;
  beforeEach(() => {
    fingerprint = 'a';
    built = [];
    holder = new EngineHolder(
      (config) => {
        const engine = new FakeEngine(`e${built.length}`);
        built.push({ config, engine });
        return engine;
      },
      () => ({ config: { provider: 'ollama', baseUrl: `http://h/${fingerprint}`, requestTimeoutMs: 1000 }, fingerprint }),
    );
  });

  it('builds nothing until asked, then one engine per connection fingerprint', async () => {
    assert.equal(built.length, 0);
    await holder.listModels();
    await holder.health();
    assert.equal(built.length, 1);
    fingerprint = 'b';
    await holder.listModels();
    assert.equal(built.length, 2);
    assert.equal(built[1]!.config.baseUrl, 'http://h/b');
    assert.equal(built[0]!.engine.closed, true, 'the replaced engine is closed when idle');
  });

  it('a turn keeps its engine (cancel reaches it) and the old engine closes when the turn ends', async () => {
    const first = new FakeEngine();
    first.script({ tokens: ['x', 'y'], holdAt: 1 });
    const h = new EngineHolder(() => first, () => ({ config: { provider: 'ollama', baseUrl: 'http://h', requestTimeoutMs: 1 }, fingerprint }));
    const events: string[] = [];
    const ac = new AbortController();
    const run = (async () => {
      for await (const e of h.run({ turnId: 'turn-0001', sessionId: 's', model: 'm', messages: [], signal: ac.signal })) events.push(e.type);
    })();
    await first.holding;
    fingerprint = 'changed';
    const second = new FakeEngine();
    (h as unknown as { factory: () => FakeEngine }).factory = () => second;
    await h.listModels();
    assert.equal(first.closed, false, 'not closed while its turn runs');
    assert.equal(h.cancel('turn-0001'), true);
    assert.deepEqual(first.cancelled, ['turn-0001']);
    ac.abort();
    await run;
    assert.equal(events.at(-1), 'done');
    assert.equal(first.closed, true);
    assert.equal(second.closed, false);
    assert.equal(h.cancel('unknown'), false);
  });

  it('close() closes everything and refuses further use', async () => {
    await holder.listModels();
    await holder.close();
    assert.equal(built[0]!.engine.closed, true);
    await assert.rejects(holder.engine());
  });
});
