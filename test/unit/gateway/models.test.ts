import assert from 'node:assert/strict';
import { GatewayError } from '../../../src/gateway/engine';
import type { PullProgress } from '../../../src/shared/models';
import { modelInfoSchema } from '../../../src/shared/models';
import { collect, turn, withOllama } from './helpers';

describe('Ollama engine: models, health, pull', function () {
  this.timeout(20_000);
  const t = withOllama({ models: [
        { name: 'alpha-model', family: 'gemma3', parameterSize: '4B', quantization: 'Q8_0', size: 1234 },
        { name: 'beta-model', capabilities: ['completion', 'thinking', 'tools'], contextLength: 40960, arch: 'qwen3', loadedContextLength: 8192 },
      ], tuning: { listShowBudgetMs: 500 } });

  it('lists /api/tags merged with /api/ps and /api/show', async () => {
    const models = await t.engine.listModels();
    for (const m of models) modelInfoSchema.parse(m);
    const alpha = models.find((m) => m.name === 'alpha-model')!;
    const beta = models.find((m) => m.name === 'beta-model')!;
    assert.equal(alpha.family, 'gemma3');
    assert.equal(alpha.parameter_size, '4B');
    assert.equal(alpha.quantization, 'Q8_0');
    assert.equal(alpha.size, 1234);
    assert.equal(alpha.loaded, false);
    assert.deepEqual(beta.capabilities, ['completion', 'thinking', 'tools']);
    assert.equal(beta.context_length, 40960);
    assert.equal(beta.loaded, true);
    assert.equal(beta.loaded_context_length, 8192);
  });

  it('does not wait long for a slow /api/show, and caches details for the next list', async () => {
    t.double.routeFault('/api/show', { delayMs: 1500, times: 2 });
    const first = await t.engine.listModels();
    assert.equal(first.length, 2);
    assert.ok(first.every((m) => m.capabilities === undefined), 'details left out this time');
    // The slow lookups finish in the background and fill the cache (or are joined while in flight).
    await t.double.waitForFinished(t.double.requestsTo('/api/show').at(-1)!.index);
    const second = await t.engine.listModels();
    assert.ok(second.find((m) => m.name === 'beta-model')!.capabilities?.includes('thinking'));
    assert.equal(t.double.requestsTo('/api/show').length, 2, 'no new show calls');
  });

  it('still lists when /api/ps fails', async () => {
    t.double.routeFault('/api/ps', { status: 500 });
    const models = await t.engine.listModels();
    assert.equal(models.length, 2);
    assert.ok(models.every((m) => m.loaded === false));
  });

  it('listModels rejects with a GatewayError when Ollama is down', async () => {
    await t.double.stop();
    await assert.rejects(t.engine.listModels(), (e: unknown) => e instanceof GatewayError && e.code === 'unreachable');
  });

  it('health gives reachable and the version', async () => {
    assert.deepEqual(await t.engine.health(), { reachable: true, version: t.double.version });
    await t.double.stop();
    const h = await t.engine.health();
    assert.equal(h.reachable, false);
    assert.ok(h.error);
  });

  it('pulls with progress, and the model then appears in the list', async () => {
    const progress: PullProgress[] = [];
    await t.engine.pull!('gamma-model', (p) => progress.push(p));
    assert.equal(progress[0]!.status, 'pulling manifest');
    assert.equal(progress.at(-1)!.status, 'success');
    const withBytes = progress.filter((p) => p.total);
    assert.ok(withBytes.length > 0);
    assert.ok(withBytes.some((p) => p.completed === p.total));
    assert.ok((await t.engine.listModels()).some((m) => m.name === 'gamma-model'));
  });

  it('a pull of an unknown model (error line in a 200 stream) throws a GatewayError', async () => {
    await assert.rejects(t.engine.pull!('missing-model', () => {}), (e: unknown) => e instanceof GatewayError && e.code === 'model_not_found' && /pull model manifest/.test(e.message));
  });

  it('an aborted pull rejects with the abort reason and closes the request', async () => {
    t.double.routeFault('/api/pull', { delayMs: 10_000 });
    const ac = new AbortController();
    const p = t.engine.pull!('gamma-model', () => {}, ac.signal);
    await t.double.waitForRequest((r) => r.path === '/api/pull');
    ac.abort();
    await assert.rejects(p, (e: unknown) => (e as Error).name === 'AbortError');
    await t.double.waitForClientClose((r) => r.path === '/api/pull');
  });

  it('close() cancels open turns', async () => {
    t.double.enqueue({ tokens: ['a', 'b'], tokenDelayMs: 10_000 });
    const pending = collect(t.engine.run(turn({ model: 'alpha-model' })));
    await t.double.waitForRequest((r) => r.path === '/api/chat');
    await t.engine.close();
    const events = await pending;
    assert.equal((events.at(-1) as { finish_reason: string }).finish_reason, 'cancelled');
  });
});
