import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { startOllamaDouble, type OllamaDouble } from '../../double';
import { FileSessionStore } from '../../../src/gateway/sessions/fileStore';
import { tempDir } from '../chat/helpers';
import { request, sse } from './httpClient';
import { REPO, spawnGateway, type GatewayProcess } from './spawnGateway';

const TOKEN = 'process-test-token';

/** Asks GET /index every 50 ms until the gateway's index is ready; fails after `tries` asks. */
async function indexReady(port: number, tries: number): Promise<void> {
  for (let i = 0; (await request(port, { path: '/index', token: TOKEN })).json.state !== 'ready'; i++) {
    assert.ok(i < tries, 'the index gets ready');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('gateway process (npm start entry)', function () {
  this.timeout(60_000);
  let dir: string;
  let double: OllamaDouble;
  const procs: GatewayProcess[] = [];

  beforeEach(async () => {
    dir = await tempDir('hearth-proc-');
    double = await startOllamaDouble({ models: ['m1'] });
  });
  afterEach(async () => {
    for (const p of procs.splice(0)) await p.kill('SIGKILL');
    await double.stop();
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('prints exactly one line, the URL with the token in the fragment, and serves with that token', async () => {
    const g = spawnGateway({ HEARTH_DATA_DIR: dir, OLLAMA_HOST: double.url, HEARTH_GATEWAY_TOKEN: TOKEN });
    procs.push(g);
    const port = await g.ready;
    assert.equal(g.stdout(), `http://127.0.0.1:${port}/#token=${TOKEN}\n`);
    assert.equal((await request(port, { path: '/sessions', token: TOKEN })).status, 200);
    assert.equal((await request(port, { path: '/sessions', token: 'nope' })).status, 401);
    assert.doesNotMatch(g.stderr(), new RegExp(TOKEN));
    assert.equal(await g.kill('SIGTERM'), 0);
  });

  it("the start-up line and /health show OLLAMA_HOST without its user-info", async () => {
    const host = double.url.replace('http://', 'http://alice:s3cret@');
    const g = spawnGateway({ HEARTH_DATA_DIR: dir, OLLAMA_HOST: host, HEARTH_GATEWAY_TOKEN: TOKEN });
    procs.push(g);
    const port = await g.ready;
    const health = await request(port, { path: '/health', token: TOKEN });
    assert.equal(health.json.provider.reachable, true, 'the credentials still reach the server');
    assert.doesNotMatch(health.text, /s3cret|alice/);
    await double.stop();
    assert.doesNotMatch((await request(port, { path: '/models', token: TOKEN })).text, /s3cret/);
    assert.match(g.stderr(), /model server http:\/\/\*\*\*@127\.0\.0\.1:\d+ \(ollama\)/);
    assert.doesNotMatch(g.stderr(), /s3cret/);
    assert.equal(await g.kill('SIGTERM'), 0);
  });

  it('a random token per start when none is configured', async () => {
    const a = spawnGateway({ HEARTH_DATA_DIR: dir, OLLAMA_HOST: double.url, HEARTH_GATEWAY_TOKEN: '' });
    procs.push(a);
    await a.ready;
    // A data folder of its own: one gateway per folder.
    const b = spawnGateway({ HEARTH_DATA_DIR: path.join(dir, 'b'), OLLAMA_HOST: double.url, HEARTH_GATEWAY_TOKEN: '' });
    procs.push(b);
    await b.ready;
    const tok = (s: string) => /#token=(\S+)/.exec(s)![1];
    assert.notEqual(tok(a.stdout()), tok(b.stdout()));
    assert.ok(tok(a.stdout())!.length >= 24);
  });

  it('a second gateway on a port in use exits non-zero naming the port and what to do', async () => {
    const first = spawnGateway({ HEARTH_DATA_DIR: dir, OLLAMA_HOST: double.url, HEARTH_GATEWAY_TOKEN: TOKEN });
    procs.push(first);
    const port = await first.ready;
    const second = spawnGateway({ HEARTH_DATA_DIR: path.join(dir, 'second'), OLLAMA_HOST: double.url, HEARTH_GATEWAY_PORT: String(port) });
    procs.push(second);
    const code = await second.exited;
    assert.notEqual(code, 0);
    assert.equal(second.stdout(), '');
    assert.match(second.stderr(), new RegExp(`Port ${port}`));
    assert.match(second.stderr(), /HEARTH_GATEWAY_PORT/);
    // The first one is unharmed.
    assert.equal((await request(port, { path: '/health' })).status, 200);
  });

  it('a second gateway on a data folder in use exits non-zero naming the folder and the other pid; a SIGKILLed owner does not block the next', async () => {
    const first = spawnGateway({ HEARTH_DATA_DIR: dir, OLLAMA_HOST: double.url, HEARTH_GATEWAY_TOKEN: TOKEN });
    procs.push(first);
    const port = await first.ready;
    const second = spawnGateway({ HEARTH_DATA_DIR: dir, OLLAMA_HOST: double.url });
    procs.push(second);
    assert.equal(await second.exited, 1);
    assert.equal(second.stdout(), '');
    assert.ok(second.stderr().includes(dir), second.stderr());
    assert.match(second.stderr(), new RegExp(`in use by another Hearth gateway \\(pid ${first.child.pid}\\b`));
    assert.equal((await request(port, { path: '/sessions', token: TOKEN })).status, 200, 'the first one is unharmed');

    assert.equal(await first.kill('SIGKILL'), -1);
    const third = spawnGateway({ HEARTH_DATA_DIR: dir, OLLAMA_HOST: double.url, HEARTH_GATEWAY_TOKEN: TOKEN });
    procs.push(third);
    const port3 = await third.ready;
    assert.equal((await request(port3, { path: '/sessions', token: TOKEN })).status, 200);
    assert.equal(await third.kill('SIGTERM'), 0);
    await assert.rejects(fs.stat(path.join(dir, 'gateway.lock')), 'a clean stop removes the lock');
  });

  it('a bad environment value exits 2 with a message naming the variable', async () => {
    const g = spawnGateway({ HEARTH_DATA_DIR: dir, HEARTH_GATEWAY_PORT: 'seventy' });
    procs.push(g);
    assert.equal(await g.exited, 2);
    assert.match(g.stderr(), /HEARTH_GATEWAY_PORT/);
  });

  it('a bad turn variable (HEARTH_TEMPERATURE) exits 2 with its allowed range, before taking the data folder', async () => {
    const g = spawnGateway({ HEARTH_DATA_DIR: dir, HEARTH_TEMPERATURE: '7' });
    procs.push(g);
    assert.equal(await g.exited, 2);
    assert.match(g.stderr(), /HEARTH_TEMPERATURE must be a number from 0 to 2 \(got '7'\)/);
  });

  it('HEARTH_CONTEXT_LENGTH, HEARTH_TEMPERATURE, HEARTH_THINK and HEARTH_KEEP_ALIVE reach the model server with every turn', async () => {
    // A thinking model: `think: false` is only sent to a model that could think.
    const thinker = await startOllamaDouble({ models: [{ name: 'm1', capabilities: ['completion', 'thinking'] }] });
    try {
      const g = spawnGateway({
        HEARTH_DATA_DIR: dir,
        OLLAMA_HOST: thinker.url,
        HEARTH_GATEWAY_TOKEN: TOKEN,
        HEARTH_CONTEXT_LENGTH: '4096',
        HEARTH_TEMPERATURE: '0.3',
        HEARTH_THINK: 'false',
        HEARTH_KEEP_ALIVE: '5m',
      });
      procs.push(g);
      const port = await g.ready;
      const turn = sse(port, { method: 'POST', path: '/chat/stream', token: TOKEN, body: { model: 'm1', content: 'hi' } });
      await turn.finished;
      const [chat] = thinker.requestsTo('/api/chat');
      assert.ok(chat, 'the turn reached the model server');
      assert.equal(chat.body.options.num_ctx, 4096);
      assert.equal(chat.body.options.temperature, 0.3);
      assert.equal(chat.body.think, false);
      assert.equal(chat.body.keep_alive, '5m');
    } finally {
      await thinker.stop();
    }
  });

  it('--workspace <folder> (or HEARTH_WORKSPACE) indexes that folder; a missing folder or a bad argument exits 2 saying why', async () => {
    const ws = path.join(dir, 'ws');
    await fs.mkdir(ws);
    await fs.writeFile(path.join(ws, 'lib.py'), 'def parse_config_file(path):\n    return open(path).read()\n');
    for (const [env, args] of [[{}, ['--workspace', ws]], [{ HEARTH_WORKSPACE: ws }, []]] as const) {
      const g = spawnGateway({ HEARTH_DATA_DIR: path.join(dir, `data-${args.length}`), OLLAMA_HOST: double.url, HEARTH_GATEWAY_TOKEN: TOKEN, ...env }, [...args]);
      procs.push(g);
      const port = await g.ready;
      await indexReady(port, 200);
      const r = await request(port, { path: '/search?q=parse%20config', token: TOKEN });
      assert.equal(r.json.results[0].path, 'lib.py');
      assert.equal(await g.kill('SIGTERM'), 0);
    }
    for (const [env, args, message] of [
      [{ HEARTH_WORKSPACE: path.join(dir, 'missing') }, [], /workspace folder .*missing does not exist/],
      [{}, ['--workspace'], /--workspace needs a folder/],
      [{}, ['--verbose'], /unknown argument "--verbose"/],
    ] as const) {
      const g = spawnGateway({ HEARTH_DATA_DIR: dir, OLLAMA_HOST: double.url, ...env }, [...args]);
      procs.push(g);
      assert.equal(await g.exited, 2);
      assert.match(g.stderr(), message);
    }
  });

  it('the built gateway (npm start: dist/gateway.js) loads the tree-sitter grammars from dist/tree-sitter: GET /search names what only a parser finds', async function () {
    this.timeout(120_000);
    await promisify(execFile)(process.execPath, ['esbuild.mjs', '--only=gateway'], { cwd: REPO });
    const ws = path.join(dir, 'ws');
    await fs.mkdir(path.join(ws, 'src'), { recursive: true });
    // Anonymous default exports: the definition-line chunker finds no name in them; tree-sitter names them after the module.
    await fs.writeFile(path.join(ws, 'src', 'retryPolicy.ts'), "import { wait } from './wait';\n\nexport default async function (attempt: number) {\n  await wait(2 ** attempt * 100);\n}\n");
    await fs.writeFile(path.join(ws, 'src', 'wait.ts'), 'export const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));\n');
    const g = spawnGateway({ HEARTH_DATA_DIR: path.join(dir, 'data'), OLLAMA_HOST: double.url, HEARTH_GATEWAY_TOKEN: TOKEN }, ['--workspace', ws], path.join(REPO, 'dist', 'gateway.js'));
    procs.push(g);
    const port = await g.ready;
    await indexReady(port, 400);
    const r = await request(port, { path: '/search?q=retry%20policy%20attempt', token: TOKEN });
    const hit = (r.json.results as { path: string; symbol: string | null; start_line: number; end_line: number }[]).find((x) => x.path === 'src/retryPolicy.ts');
    assert.deepEqual(hit && [hit.symbol, hit.start_line, hit.end_line], ['retryPolicy', 3, 5], JSON.stringify(r.json));
    assert.doesNotMatch(g.stderr(), /tree-sitter/, 'no grammar failed to load');
    assert.equal(await g.kill('SIGTERM'), 0);
  });

  it('on start, replies left "streaming" by a dead process are marked interrupted (text kept)', async () => {
    const store = new FileSessionStore({ dir });
    const s = await store.create({ title: 'before crash', model: 'm1' });
    await store.appendMessage(s.id, { id: 'user-msg-0001', role: 'user', content: 'q', status: 'complete', created_at: 1 });
    await store.appendMessage(s.id, { id: 'asst-msg-0001', role: 'assistant', content: 'half an ans', status: 'streaming', created_at: 2 });
    // The writer "crashed": its owner record names a process that has exited.
    const ownerFile = path.join(dir, 'live', `${s.id}.json`);
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    await fs.writeFile(ownerFile, JSON.stringify({ ...JSON.parse(await fs.readFile(ownerFile, 'utf8')), pid: deadPid }));
    const g = spawnGateway({ HEARTH_DATA_DIR: dir, OLLAMA_HOST: double.url, HEARTH_GATEWAY_TOKEN: TOKEN });
    procs.push(g);
    const port = await g.ready;
    const r = await request(port, { path: `/sessions/${s.id}`, token: TOKEN });
    assert.equal(r.json.status, 'interrupted');
    assert.equal(r.json.messages[1].status, 'interrupted');
    assert.equal(r.json.messages[1].content, 'half an ans');
    assert.equal(r.json.messages[1].error.code, 'interrupted');
    const list = await request(port, { path: '/sessions', token: TOKEN });
    assert.equal(list.json.sessions[0].status, 'interrupted');
  });
});
