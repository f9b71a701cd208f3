import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { startOllamaDouble, type OllamaDouble } from '../../double';
import { indexStatusSchema, searchResponseSchema } from '../../../src/shared/codebase/schemas';
import { createOllamaEmbedder } from '../../../src/gateway/codebase/ollamaEmbedder';
import { embeddingsFileFor } from '../../../src/gateway/codebase/workspaceIndex';
import { parseGatewayConfig } from '../../../src/gateway/config';
import { tempDir, until } from '../chat/helpers';
import { request } from './httpClient';
import { engineFor, startTestGateway, TOKEN, type TestGateway } from './testGateway';

const MODEL = 'test-model:7b';
const EMBED = 'nomic-embed-text';

describe('gateway: codebase embeddings (HEARTH_EMBEDDING_MODEL)', function () {
  this.timeout(30_000);
  let double: OllamaDouble;
  let gw: TestGateway | undefined;
  let ws: string;
  let dataDir: string;

  beforeEach(async () => {
    double = await startOllamaDouble({ models: [MODEL, { name: EMBED, capabilities: ['embedding'] }] });
    ws = await fs.realpath(await tempDir('hearth-ws-'));
    await fs.mkdir(path.join(ws, 'src'));
    await fs.writeFile(path.join(ws, 'src', 'retry.ts'), 'export function retryWithBackoff(attempt: number) {\n  // wait longer after each failed request\n  return 2 ** attempt * 100;\n}\n');
    await fs.writeFile(path.join(ws, 'src', 'chart.ts'), 'export function drawChart(canvas: unknown) {\n  // paint pixels for every series\n  return canvas;\n}\n');
    dataDir = await tempDir('hearth-gw-');
  });
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
    await double.stop();
    await fs.rm(ws, { recursive: true, force: true });
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<TestGateway> {
    const embedder = createOllamaEmbedder(EMBED, { provider: 'ollama', baseUrl: double.url, requestTimeoutMs: 10_000 });
    gw = await startTestGateway({
      engine: engineFor(double.url),
      dir: dataDir,
      workspace: { folder: ws, dataDir, index: { debounceMs: 20, saveDelayMs: 50 }, embeddings: { model: EMBED, embed: embedder.embed, close: () => embedder.close(), retryMs: 100, batchSize: 1 } },
    });
    return gw;
  }
  const status = async (g: TestGateway) => indexStatusSchema.parse((await request(g.port, { path: '/index', token: TOKEN })).json);

  it('reads HEARTH_EMBEDDING_MODEL from the environment', () => {
    assert.equal(parseGatewayConfig({ HEARTH_EMBEDDING_MODEL: ' all-minilm ' }, '/home/u').embeddingModel, 'all-minilm');
    assert.equal(parseGatewayConfig({}, '/home/u').embeddingModel, undefined);
  });

  it('GET /index reports {model, done, total} until complete; /search then fuses, and the vectors are stored beside the index', async () => {
    const g = await start();
    await until(async () => {
      const s = await status(g);
      return s.state === 'ready' && s.embeddings !== null && s.embeddings.total > 0 && s.embeddings.done === s.embeddings.total;
    }, 'the embeddings to be complete', 20_000);
    const s = await status(g);
    assert.equal(s.embeddings?.model, EMBED);
    assert.equal(s.embeddings?.total, s.chunks);
    const r = await request(g.port, { path: `/search?q=${encodeURIComponent('failed request backoff')}&limit=2`, token: TOKEN });
    const { results } = searchResponseSchema.parse(r.json);
    assert.equal(results[0]?.path, 'src/retry.ts');
    // Fused scores are reciprocal-rank sums (a first place in both lists: 2/61), not BM25 scores.
    assert.equal(results[0]?.score, Math.round((2 / 61) * 100_000) / 100_000);
    assert.ok(double.requests.some((q) => q.path === '/api/embed'));
    await until(async () => (await fs.stat(embeddingsFileFor(dataDir, ws)).catch(() => undefined)) !== undefined, 'the stored embeddings');
  });

  it('a model failing halfway: the lexical index answers, and embedding resumes later where it stopped', async () => {
    double.embedFailAfter = 1;
    const g = await start();
    await until(async () => (await status(g)).embeddings?.done === 1, 'one chunk embedded', 20_000);
    const lexical = await request(g.port, { path: '/search?q=drawChart', token: TOKEN });
    assert.equal(lexical.json.results[0]?.path, 'src/chart.ts');
    assert.ok(lexical.json.results[0]?.score > 0.1, 'a lexical score, not a fused one');
    const stopped = (await status(g)).embeddings!;
    assert.ok(stopped.done < stopped.total);
    const before = double.embeddedInputs;
    double.embedFailAfter = undefined;
    await until(async () => {
      const e = (await status(g)).embeddings;
      return e !== null && e.done === e.total;
    }, 'embedding to resume', 20_000);
    // Only the chunks missing were sent after the failure.
    assert.equal(double.embeddedInputs - before, stopped.total - stopped.done);
  });
});
