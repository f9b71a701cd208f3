/** Hostile input: random and malformed bodies never crash the gateway or act. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startGatewayServer } from '../../../src/gateway/server';
import { FakeEngine } from '../../support/fakeEngine';
import { request } from './httpClient';
import { startTestGateway, TOKEN, type TestGateway } from './testGateway';

const nearValid = fc.record(
  {
    model: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.string()), fc.constant('')),
    content: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.object(), fc.constant('   ')),
    session_id: fc.oneof(fc.string(), fc.constant('../../etc/passwd'), fc.constant('%2e%2e'), fc.integer()),
    message_id: fc.oneof(fc.string(), fc.constant('..'), fc.boolean()),
    agent_id: fc.oneof(fc.string(), fc.integer()),
    title: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
  },
  { requiredKeys: [] },
);

const bodyArb = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.json(),
  nearValid.map((v) => JSON.stringify(v)),
  nearValid.map((v) => JSON.stringify(v).slice(0, -1)),
  fc.constantFrom('', '{', '[]', 'null', '"x"', '{"__proto__":{"model":"m","content":"x"}}', '{"constructor":{"prototype":{}}}'),
);

describe('gateway server: body fuzzing', function () {
  this.timeout(120_000);
  let engine: FakeEngine;
  let gw: TestGateway;

  before(async () => {
    engine = new FakeEngine();
    gw = await startTestGateway({ engine });
  });
  after(async () => {
    await gw.close();
  });

  it('random and malformed bodies get 4xx (or a valid answer), never a 5xx, and invalid ones start nothing', async () => {
    const sessions = (await gw.store.list()).length;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/chat/stream', '/chat/message', '/models/pull'), bodyArb, async (path, body) => {
        const before = engine.requests.length;
        const r = await request(gw.port, { method: 'POST', path, token: TOKEN, body });
        // 501: the fake engine cannot pull, a valid answer for a valid pull body.
        assert.ok(r.status < 500 || (path === '/models/pull' && r.status === 501), `${path} ${JSON.stringify(body)} -> ${r.status} ${r.text}`);
        if (r.status >= 400 && r.status < 500) {
          refused++;
          assert.equal(typeof r.json?.error?.message, 'string');
          assert.equal(engine.requests.length, before, 'a refused body started no turn');
        }
      }),
      { numRuns: 300 },
    );
    assert.ok(refused > 200);
    // A PATCH with garbage never renames anything.
    const s = await gw.store.create({ title: 'keep' });
    await fc.assert(
      fc.asyncProperty(bodyArb, async (body) => {
        const r = await request(gw.port, { method: 'PATCH', path: `/sessions/${s.id}`, token: TOKEN, body });
        assert.ok(r.status < 500);
        if (r.status !== 200) assert.equal((await gw.store.get(s.id))!.title, 'keep');
        else await gw.store.rename(s.id, 'keep');
      }),
      { numRuns: 150 },
    );
    assert.ok((await gw.store.list()).length >= sessions);
    assert.equal((await request(gw.port, { path: '/health' })).status, 200);
  });

  it('binds 127.0.0.1 only', async () => {
    await assert.rejects(
      startGatewayServer({ port: 0, host: '0.0.0.0' as '127.0.0.1', token: TOKEN, provider: () => ({ kind: 'ollama', url: 'http://127.0.0.1:11434' }), engine, chatService: gw.service, store: gw.store }),
      /127\.0\.0\.1 only/,
    );
    assert.match(gw.server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
