/** POST /complete over HTTP, against the Ollama double: behind the token, validated, cleaned, and cancelled when the client goes. */
import assert from 'node:assert/strict';
import http from 'node:http';
import { startOllamaDouble, type OllamaDouble } from '../../double';
import { request } from './httpClient';
import { engineFor, startTestGateway, TOKEN, type TestGateway } from './testGateway';

describe('gateway POST /complete', function () {
  this.timeout(20_000);
  let double: OllamaDouble;
  let gw: TestGateway;

  beforeEach(async () => {
    double = await startOllamaDouble({
      models: [
        { name: 'llama3.2:3b', size: 2_000_000_000 },
        { name: 'big-coder', capabilities: ['completion', 'insert'], size: 9_000_000_000 },
        { name: 'small-coder', capabilities: ['completion', 'insert'], size: 1_000_000_000 },
      ],
    });
    gw = await startTestGateway({ engine: engineFor(double.url) });
  });
  afterEach(async () => {
    await gw.close();
    await double.stop();
  });

  const body = { prefix: 'const total = items.', suffix: ';\n', language: 'typescript', path: 'src/a.ts' };

  it('answers {completion, model, timings}: the smallest FIM model when none is named, the text cleaned', async () => {
    double.enqueue({ tokens: ['reduce((a, b) => a + b, 0)', ';', '\nconsole.log(1)'] });
    const r = await request(gw.port, { method: 'POST', path: '/complete', token: TOKEN, body });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.completion, 'reduce((a, b) => a + b, 0)', 'one line, without the `;` the suffix has');
    assert.equal(r.json.model, 'small-coder');
    assert.equal(r.json.prompt, 'insert');
    for (const k of ['total_ms', 'model_ms', 'hearth_ms']) assert.equal(typeof r.json.timings[k], 'number', k);
    const gen = double.requestsTo('/api/generate')[0]!.body;
    assert.equal(gen.prompt, body.prefix);
    assert.equal(gen.suffix, body.suffix);
  });

  it('a named model and max_tokens are used', async () => {
    double.enqueue({ tokens: ['x'] });
    const r = await request(gw.port, { method: 'POST', path: '/complete', token: TOKEN, body: { ...body, model: 'big-coder', max_tokens: 7 } });
    assert.equal(r.status, 200);
    assert.equal(r.json.model, 'big-coder');
    assert.equal(double.requestsTo('/api/generate')[0]!.body.options.num_predict, 7);
  });

  it('needs the token; bad bodies are 400s; a model that cannot fill in the middle is a 422 that says why', async () => {
    assert.equal((await request(gw.port, { method: 'POST', path: '/complete', body })).status, 401);
    assert.equal((await request(gw.port, { method: 'POST', path: '/complete', token: 'wrong', body })).status, 401);
    const bad = await request(gw.port, { method: 'POST', path: '/complete', token: TOKEN, body: { suffix: 'x' } });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /prefix/);
    assert.equal((await request(gw.port, { method: 'POST', path: '/complete', token: TOKEN, body: { ...body, max_tokens: 0 } })).status, 400);
    const chatOnly = await request(gw.port, { method: 'POST', path: '/complete', token: TOKEN, body: { ...body, model: 'llama3.2:3b' } });
    assert.equal(chatOnly.status, 422);
    assert.equal(chatOnly.json.error.code, 'capability');
    assert.match(chatOnly.json.error.message, /cannot fill in the middle/);
    assert.equal(double.requestsTo('/api/generate').length, 0);
  });

  it('a client that disconnects cancels the upstream request', async () => {
    double.enqueue({ tokens: Array.from({ length: 1000 }, () => 'x'), tokenDelayMs: 20 });
    const payload = JSON.stringify({ ...body, prefix: 'x = ', suffix: '' });
    const req = http.request({
      host: '127.0.0.1',
      port: gw.port,
      method: 'POST',
      path: '/complete',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', host: `127.0.0.1:${gw.port}` },
      agent: false,
    });
    req.on('error', () => {});
    req.end(payload);
    const upstream = await double.waitForRequest((r) => r.path === '/api/generate');
    req.destroy();
    const closed = await double.waitForClientClose(upstream.index);
    assert.ok(closed.clientClosedAt !== undefined);
    assert.equal(closed.finishedAt, undefined, 'the answer was not completed');
  });
});
