import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { startOllamaDouble, type OllamaDouble } from '../../double';
import { indexStatusSchema, searchResponseSchema } from '../../../src/shared/codebase/schemas';
import { indexFileFor } from '../../../src/gateway/codebase/workspaceIndex';
import { tempDir, until } from '../chat/helpers';
import { request, sse } from './httpClient';
import { engineFor, startTestGateway, TOKEN, type TestGateway } from './testGateway';

const MODEL = 'test-model:7b';

async function workspace(): Promise<string> {
  const ws = await tempDir('hearth-ws-');
  await fs.mkdir(path.join(ws, 'src', 'http'), { recursive: true });
  await fs.mkdir(path.join(ws, 'docs'), { recursive: true });
  await fs.writeFile(path.join(ws, 'src', 'http', 'retry.ts'), 'export function retryWithBackoff(attempt: number) {\n  const delay = 2 ** attempt * 100;\n  return delay;\n}\n');
  await fs.writeFile(path.join(ws, 'src', 'server.ts'), 'export function notFoundHandler(req: Request) {\n  return new Response("not found", { status: 404 });\n}\n');
  await fs.writeFile(path.join(ws, 'docs', 'retries.md'), '# Retries\nRetries back off exponentially.\n');
  await fs.writeFile(path.join(ws, '.env'), 'RETRY_TOKEN=retryWithBackoff-secret\n');
  await fs.writeFile(path.join(ws, '.gitignore'), 'generated/\n');
  await fs.mkdir(path.join(ws, 'generated'));
  await fs.writeFile(path.join(ws, 'generated', 'retry.js'), 'function retryWithBackoff() {}\n');
  return ws;
}

describe('gateway: codebase index routes (GET /index, GET /search, "codebase": true)', function () {
  this.timeout(30_000);
  let double: OllamaDouble;
  let gw: TestGateway;
  let ws: string;
  let dataDir: string;

  beforeEach(async () => {
    double = await startOllamaDouble({ models: [MODEL] });
    ws = await fs.realpath(await workspace());
    dataDir = await tempDir('hearth-gw-');
    gw = await startTestGateway({ engine: engineFor(double.url), dir: dataDir, workspace: { folder: ws, dataDir, index: { debounceMs: 20, saveDelayMs: 50 } } });
  });
  afterEach(async () => {
    await gw.close();
    await double.stop();
    await fs.rm(ws, { recursive: true, force: true });
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const ready = () => until(async () => (await request(gw.port, { path: '/index', token: TOKEN })).json.state === 'ready', 'the index to be ready', 20_000);

  it('GET /index reports the state and counts; GET /search returns chunks best first, never a secret or ignored file', async () => {
    await ready();
    const idx = await request(gw.port, { path: '/index', token: TOKEN });
    assert.equal(idx.status, 200);
    const status = indexStatusSchema.parse(idx.json);
    assert.equal(status.indexed_files, 4); // retry.ts, server.ts, retries.md, .gitignore
    assert.ok(status.chunks >= 4);
    assert.equal(status.embeddings, null);
    const r = await request(gw.port, { path: `/search?q=${encodeURIComponent('how are retries with backoff done?')}`, token: TOKEN });
    assert.equal(r.status, 200);
    const { results } = searchResponseSchema.parse(r.json);
    assert.deepEqual(results[0], { path: 'src/http/retry.ts', start_line: 1, end_line: 4, symbol: 'retryWithBackoff', score: results[0]!.score, text: 'export function retryWithBackoff(attempt: number) {\n  const delay = 2 ** attempt * 100;\n  return delay;\n}' });
    const paths = results.map((x) => x.path);
    assert.ok(!paths.includes('.env') && !paths.includes('generated/retry.js'), paths.join(', '));
    for (let i = 1; i < results.length; i++) assert.ok(results[i - 1]!.score >= results[i]!.score);
  });

  it('validates the query: q required, limit 1-50 (default 10); the token is required', async () => {
    await ready();
    for (const q of ['/search', '/search?q=', '/search?q=%20', '/search?q=x&limit=0', '/search?q=x&limit=51', '/search?q=x&limit=abc', '/search?q=x&limit=-1', '/search?q=x&limit=2.5']) {
      const r = await request(gw.port, { path: q, token: TOKEN });
      assert.equal(r.status, 400, q);
      assert.equal(r.json.error.code, 'bad_request', q);
    }
    assert.equal((await request(gw.port, { path: '/search?q=retry&limit=1', token: TOKEN })).json.results.length, 1);
    assert.equal((await request(gw.port, { path: '/search?q=retry&limit=50', token: TOKEN })).status, 200);
    for (const p of ['/index', '/search?q=retry']) assert.equal((await request(gw.port, { path: p })).status, 401, p);
  });

  it('a saved file reaches GET /search', async () => {
    await ready();
    await fs.writeFile(path.join(ws, 'src', 'cache.ts'), 'export function evictLeastRecentlyUsed() {}\n');
    await until(async () => (await request(gw.port, { path: '/search?q=evictLeastRecentlyUsed', token: TOKEN })).json.results[0]?.path === 'src/cache.ts', 'the saved file in the results');
  });

  it('"codebase": true: the snippets are stored with the question as attachments and sent to the model', async () => {
    await ready();
    const c = sse(gw.port, { method: 'POST', path: '/chat/stream', token: TOKEN, body: { model: MODEL, content: 'where is the not found handler?', codebase: true } });
    await c.finished;
    const sid = c.events[0]!.json.session_id;
    const s = await request(gw.port, { path: `/sessions/${sid}`, token: TOKEN });
    const atts = s.json.messages[0].attachments as { kind: string; name: string; path: string; range: unknown; content: string; language?: string }[];
    // The same kind VS Code's @codebase stores: never an Apply target.
    assert.equal(atts[0]!.kind, 'snippet');
    assert.equal(atts[0]!.name, 'server.ts');
    assert.equal(atts[0]!.path, 'src/server.ts');
    assert.deepEqual(atts[0]!.range, { startLine: 1, endLine: 3 });
    assert.equal(atts[0]!.language, 'typescript');
    const sent = double.requestsTo('/api/chat').at(-1)!.body.messages.at(-1).content as string;
    assert.match(sent, /^Snippet from `src\/server.ts` \(typescript, lines 1-3\)\n```typescript\nexport function notFoundHandler/);
    assert.match(sent, /where is the not found handler\?$/);
    // /chat/message too.
    const m = await request(gw.port, { method: 'POST', path: '/chat/message', token: TOKEN, body: { model: MODEL, content: 'retry backoff', codebase: true } });
    assert.equal(m.status, 201);
    const stored = await request(gw.port, { path: `/sessions/${m.json.session_id}`, token: TOKEN });
    assert.equal(stored.json.messages[0].attachments[0].path, 'src/http/retry.ts');
  });

  it('stores the index under the data folder and reads it back after a restart', async () => {
    await ready();
    const file = indexFileFor(dataDir, ws);
    await until(async () => (await fs.stat(file).catch(() => undefined)) !== undefined, 'the stored index');
    assert.equal((await fs.readFile(file)).subarray(0, 4).toString('latin1'), 'HCIX', 'the binary store (storedIndex.ts)');
    // A second gateway over the same data folder answers from the stored index at once (no file is re-read).
    await gw.close();
    gw = await startTestGateway({ engine: engineFor(double.url), dir: dataDir, workspace: { folder: ws, dataDir } });
    await ready();
    assert.equal((await request(gw.port, { path: '/search?q=notFoundHandler', token: TOKEN })).json.results[0]?.path, 'src/server.ts');
  });
});

describe('gateway without a workspace: the index is off', function () {
  this.timeout(30_000);
  let double: OllamaDouble;
  let gw: TestGateway;
  beforeEach(async () => {
    double = await startOllamaDouble({ models: [MODEL] });
    gw = await startTestGateway({ engine: engineFor(double.url) });
  });
  afterEach(async () => {
    await gw.close();
    await double.stop();
  });

  it('GET /index says off; GET /search and "codebase": true answer 409 with a clear error, and nothing is stored', async () => {
    const idx = await request(gw.port, { path: '/index', token: TOKEN });
    assert.equal(idx.json.state, 'off');
    assert.deepEqual({ files: idx.json.files, indexed_files: idx.json.indexed_files, chunks: idx.json.chunks, embeddings: idx.json.embeddings }, { files: 0, indexed_files: 0, chunks: 0, embeddings: null });
    const r = await request(gw.port, { path: '/search?q=anything', token: TOKEN });
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'index_off');
    assert.match(r.json.error.message, /HEARTH_WORKSPACE|--workspace/);
    const m = await request(gw.port, { method: 'POST', path: '/chat/message', token: TOKEN, body: { model: MODEL, content: 'q', codebase: true } });
    assert.equal(m.status, 409);
    assert.deepEqual((await request(gw.port, { path: '/sessions', token: TOKEN })).json.sessions, []);
  });
});
