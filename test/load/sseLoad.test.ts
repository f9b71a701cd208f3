/**
 * Load on the standalone gateway: reduced numbers here (CI; default 50
 * clients, HEARTH_LOAD_CLIENTS to change); `npm run bench -- gateway` runs 200.
 */
import assert from 'node:assert/strict';
import { formatFigures, runSseLoad } from './sseLoad';

describe('gateway under load (SSE)', function () {
  this.timeout(180_000);

  it('N concurrent streams: no event lost or reordered, a stalled reader is dropped, memory bounded and back near baseline', async () => {
    const clients = Number(process.env.HEARTH_LOAD_CLIENTS ?? 50);
    const f = await runSseLoad({ clients, stalledClient: true });
    console.log(`      sse-load: ${formatFigures(f).replace(/\n/g, '\n      sse-load: ')}`);
    assert.equal(f.completed, clients, 'every stream ended with done(stop)');
    assert.equal(f.lost, 0);
    assert.equal(f.reordered, 0);
    assert.ok(f.tokens >= clients * 40, 'every reply streamed');
    assert.equal(f.stalledDropped, true, 'the reader that never read was dropped');
    // Generous bounds: they catch leaks (per-client state kept forever), not jitter.
    assert.ok(f.peakHeapMB - f.baselineHeapMB < 400, `peak heap bounded (${f.peakHeapMB.toFixed(1)} MB)`);
    assert.ok(f.afterHeapMB - f.baselineHeapMB < 40, `heap back near baseline (${f.baselineHeapMB.toFixed(1)} -> ${f.afterHeapMB.toFixed(1)} MB)`);
  });
});
