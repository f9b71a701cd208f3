/**
 * Memory of the standalone gateway when many pages post large messages at once:
 * 150 concurrent `POST /ui/messages` of ~3.9 MB (a question with four ~1 MB
 * attachments each; the per-request cap is 4 MB). Without a bound across
 * requests every body was buffered at once (RSS 1,144 MB, ~950 MB held after).
 * Now bodies beyond the in-flight budget are refused with 503 + Retry-After
 * before they are read, so the peak stays bounded; each refused message sent
 * again after the wait is taken (nothing is lost). The real entry point runs in
 * a child process; RSS and its peak come from /proc. HEARTH_PAGE_POSTS changes
 * the count.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startOllamaDouble, type OllamaDouble } from '../double';
import { tempDir } from '../unit/chat/helpers';
import { request, sse } from '../unit/server/httpClient';
import { spawnGateway, type GatewayProcess } from '../unit/server/spawnGateway';

const TOKEN = 'page-memory-test-token-0123456789';
const POSTS = Number(process.env.HEARTH_PAGE_POSTS ?? 150);
const PEAK_LIMIT_MB = 450;

function memoryOf(pid: number): { rssMB: number; peakMB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
  return { rssMB: kb('VmRSS') / 1024, peakMB: kb('VmHWM') / 1024 };
}

describe('gateway memory with many large page messages at once', function () {
  this.timeout(300_000);
  let double: OllamaDouble;
  let g: GatewayProcess | undefined;

  before(async function () {
    if (process.platform !== 'linux') this.skip();
    double = await startOllamaDouble({ models: ['some-model:7b'] });
  });
  after(async () => {
    await g?.kill('SIGKILL');
    await double?.stop();
  });

  it(`${POSTS} concurrent ~3.9 MB POST /ui/messages: the peak RSS stays bounded; the refused ones get 503 + Retry-After and go through when sent again`, async () => {
    g = spawnGateway({ HEARTH_DATA_DIR: await tempDir('hearth-page-mem-'), OLLAMA_HOST: double.url, HEARTH_GATEWAY_TOKEN: TOKEN });
    const port = await g.ready;
    const page = sse(port, { path: '/ui/events', token: TOKEN });
    await page.waitFor(() => page.events.some((e) => e.event === 'hello'), 'hello');
    const connection = page.events.find((e) => e.event === 'hello')!.json.connection as string;
    const before = memoryOf(g.child.pid!);

    // Four attachments just under 1 M characters: ~3.9 MB, under the 4 MB cap.
    const part = 'x'.repeat(975_000);
    const body = {
      connection,
      message: { type: 'send', content: 'What is in these?', model: 'some-model:7b', attachments: [0, 1, 2, 3].map((i) => ({ kind: 'file', name: `f${i}.txt`, content: part })) },
    };
    assert.ok(JSON.stringify(body).length > 3_900_000 && JSON.stringify(body).length < 4 * 1024 * 1024);

    const t0 = performance.now();
    const first = await Promise.all(Array.from({ length: POSTS }, () => request(port, { method: 'POST', path: '/ui/messages', token: TOKEN, body })));
    const burstMs = performance.now() - t0;
    const taken = first.filter((r) => r.status === 202).length;
    const refused = first.filter((r) => r.status === 503);
    const peak = memoryOf(g.child.pid!);
    const f = (n: number) => n.toFixed(0);
    const statuses = [...new Set(first.map((r) => r.status))].join(',');
    console.log(`      page-memory: ${POSTS} concurrent posts of ${f(JSON.stringify(body).length / 1024)} KB in ${f(burstMs)} ms (statuses ${statuses}): RSS before ${f(before.rssMB)} MB, peak ${f(peak.peakMB)} MB, now ${f(peak.rssMB)} MB`);
    assert.equal(taken + refused.length, POSTS, `statuses: ${statuses}`);
    for (const r of refused) assert.equal(r.headers['retry-after'], '1');

    // The refused ones, sent again after the wait (a few at a time, as pages retrying would).
    let retried = 0;
    for (let pending = refused.length; pending > 0; ) {
      await new Promise((r) => setTimeout(r, 1000));
      const batch = await Promise.all(Array.from({ length: Math.min(pending, 6) }, () => request(port, { method: 'POST', path: '/ui/messages', token: TOKEN, body })));
      const ok = batch.filter((r) => r.status === 202).length;
      pending -= ok;
      retried += ok;
    }
    const after = memoryOf(g.child.pid!);
    page.close();

    console.log(`      page-memory: ${taken} taken at once, ${refused.length} refused with 503 + Retry-After and then taken when sent again (${retried}); after all ${POSTS}: RSS ${f(after.rssMB)} MB (peak ${f(after.peakMB)} MB)`);
    assert.ok(refused.length > 0, 'the budget refused some');
    assert.ok(peak.peakMB < PEAK_LIMIT_MB, `peak RSS ${f(peak.peakMB)} MB`);
    assert.ok(after.peakMB < PEAK_LIMIT_MB, `peak RSS with the retries ${f(after.peakMB)} MB`);
  });
});
