import assert from 'node:assert/strict';
import net from 'node:net';
import { FakeEngine } from '../../support/fakeEngine';
import { until } from '../chat/helpers';
import { request } from './httpClient';
import { startTestGateway, TOKEN, type TestGateway } from './testGateway';

const PROTECTED: [string, string, unknown?][] = [
  ['GET', '/models'],
  ['POST', '/chat/stream', { model: 'm', content: 'x' }],
  ['POST', '/chat/message', { model: 'm', content: 'x' }],
  ['GET', '/chat/stream/abcdefgh-0001'],
  ['POST', '/chat/abcdefgh-0001/cancel'],
  ['GET', '/sessions'],
  ['GET', '/sessions/abcdefgh-0001'],
  ['PATCH', '/sessions/abcdefgh-0001', { title: 't' }],
  ['DELETE', '/sessions/abcdefgh-0001'],
  ['POST', '/models/pull', { model: 'm' }],
];

describe('gateway server: refusals', function () {
  this.timeout(30_000);
  let engine: FakeEngine;
  let gw: TestGateway;

  beforeEach(async () => {
    engine = new FakeEngine();
    gw = await startTestGateway({ engine });
  });
  afterEach(async () => {
    await gw.close();
  });

  it('401 without a token, or with a wrong one (any length), on every API route; nothing happens', async () => {
    for (const [method, path, body] of PROTECTED) {
      for (const token of [undefined, 'wrong', TOKEN + 'x', TOKEN.slice(0, -1), '']) {
        const r = await request(gw.port, { method, path, ...(body ? { body } : {}), ...(token !== undefined ? { token } : {}) });
        assert.equal(r.status, 401, `${method} ${path} token=${token}`);
        assert.equal(r.json.error.code, 'unauthorized');
        assert.equal(r.headers['www-authenticate'], 'Bearer');
      }
    }
    const basic = await request(gw.port, { path: '/sessions', headers: { authorization: `Basic ${TOKEN}` } });
    assert.equal(basic.status, 401);
    assert.equal(engine.requests.length, 0);
    assert.deepEqual(await gw.store.list(), []);
    assert.equal((await request(gw.port, { path: '/sessions', headers: { authorization: `bearer ${TOKEN}` } })).status, 200);
  });

  it('403 for a Host that is not a loopback name with our port (DNS rebinding), on every route', async () => {
    const p = gw.port;
    for (const host of ['evil.test:' + p, '', '0.0.0.0:' + p, '127.0.0.1', `127.0.0.1:${p + 1}`, `localhost.evil.test:${p}`, `127.0.0.2:${p}`, `192.168.1.2:${p}`]) {
      for (const path of ['/health', '/sessions', '/']) {
        const r = await request(p, { path, host, token: TOKEN });
        assert.equal(r.status, 403, `Host "${host}" ${path}`);
      }
    }
    const none = await request(p, { path: '/health', host: null });
    assert.equal(none.status, 403);
    for (const host of [`127.0.0.1:${p}`, `localhost:${p}`, `[::1]:${p}`, `LOCALHOST:${p}`]) {
      assert.equal((await request(p, { path: '/health', host })).status, 200, host);
    }
  });

  it('403 for a foreign Origin (even with the token); no CORS headers anywhere', async () => {
    const p = gw.port;
    for (const origin of ['http://evil.test', 'null', `http://127.0.0.1:${p + 1}`, `https://127.0.0.1:${p}`, `http://localhost:${p}`]) {
      const r = await request(p, { path: '/sessions', token: TOKEN, headers: { origin } });
      assert.equal(r.status, 403, origin);
      assert.equal(r.json.error.code, 'forbidden_origin');
      assert.equal(r.headers['access-control-allow-origin'], undefined);
    }
    const post = await request(p, { method: 'POST', path: '/chat/stream', token: TOKEN, headers: { origin: 'http://evil.test' }, body: { model: 'm', content: 'x' } });
    assert.equal(post.status, 403);
    assert.equal(engine.requests.length, 0);
    const same = await request(p, { path: '/sessions', token: TOKEN, headers: { origin: `http://127.0.0.1:${p}` } });
    assert.equal(same.status, 200);
    assert.equal(same.headers['access-control-allow-origin'], undefined);
    const preflight = await request(p, { method: 'OPTIONS', path: '/chat/stream', headers: { origin: 'http://evil.test', 'access-control-request-method': 'POST' } });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
  });

  it('413 for a body over 1 MB, declared or streamed', async () => {
    const big = JSON.stringify({ model: 'm', content: 'x'.repeat(1024 * 1024 + 10) });
    const r = await request(gw.port, { method: 'POST', path: '/chat/stream', token: TOKEN, body: big });
    assert.equal(r.status, 413);
    // Chunked (no Content-Length): counted as it arrives.
    const status = await new Promise<number>((resolve, reject) => {
      const s = net.connect(gw.port, '127.0.0.1', () => {
        s.write(`POST /chat/message HTTP/1.1\r\nHost: 127.0.0.1:${gw.port}\r\nAuthorization: Bearer ${TOKEN}\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n`);
        const chunk = 'x'.repeat(64 * 1024);
        for (let i = 0; i < 20; i++) s.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      });
      let data = '';
      s.on('data', (d) => {
        data += d;
        const m = /^HTTP\/1\.1 (\d+)/.exec(data);
        if (m) {
          resolve(Number(m[1]));
          s.destroy();
        }
      });
      s.on('error', (e) => (data ? undefined : reject(e)));
    });
    assert.equal(status, 413);
    assert.deepEqual(await gw.store.list(), []);
  });

  it('400 with a message for malformed JSON and wrong field types', async () => {
    const cases: [unknown, RegExp][] = [
      ['{"model": "m", "content": ', /not valid JSON/],
      ['', /JSON body is required/],
      [{ model: 5, content: 'x' }, /model/],
      [{ model: 'm' }, /content/],
      [{ model: 'm', content: '   ' }, /content/],
      [{ model: 'm', content: 'x', session_id: 42 }, /session_id/],
      [{ model: 'm', content: 'x', message_id: '../../etc/passwd' }, /message_id/],
      [[1, 2], /invalid body/],
      ['null', /invalid body/],
    ];
    for (const route of ['/chat/stream', '/chat/message']) {
      for (const [body, msg] of cases) {
        const r = await request(gw.port, { method: 'POST', path: route, token: TOKEN, body });
        assert.equal(r.status, 400, `${route} ${JSON.stringify(body)}`);
        assert.equal(r.json.error.code, 'bad_request');
        assert.match(r.json.error.message, msg);
      }
    }
    assert.equal(engine.requests.length, 0);
  });

  it('session ids are validated: path tricks and other shapes are 400/404, never a file access', async () => {
    const paths = [
      '/sessions/..%2F..%2Fetc%2Fpasswd',
      '/sessions/%2e%2e',
      '/sessions/%2E%2E%2Fx',
      '/sessions/ABCDEFGHIJ',
      '/sessions/short',
      '/sessions/abc.json0000',
      '/chat/stream/%2e%2e%2f%2e%2e',
      '/chat/..%2f..%2fx/cancel',
    ];
    for (const path of paths) {
      const r = await request(gw.port, { path, method: path.endsWith('/cancel') ? 'POST' : 'GET', token: TOKEN });
      assert.equal(r.status, 400, path);
    }
    for (const path of ['/sessions/../sessions', '/sessions/a/b', '/sessions/../../etc/passwd']) {
      const r = await request(gw.port, { path, token: TOKEN });
      assert.equal(r.status, 404, path);
    }
    assert.equal((await request(gw.port, { path: '/sessions/abcdefgh-unknown', token: TOKEN })).status, 404);
    const c = await request(gw.port, { method: 'POST', path: '/chat/stream', token: TOKEN, body: { session_id: 'abcdefgh-unknown', model: 'm', content: 'x' } });
    assert.equal(c.status, 404);
  });

  it('nosniff on every response; 404 for unknown routes; 405 with Allow', async () => {
    const rs = [
      await request(gw.port, { path: '/health' }),
      await request(gw.port, { path: '/sessions' }),
      await request(gw.port, { path: '/nope', token: TOKEN }),
      await request(gw.port, { path: '/health', host: 'evil.test' }),
      await request(gw.port, { method: 'PUT', path: '/sessions', token: TOKEN }),
      await request(gw.port, { path: '/' }),
    ];
    for (const r of rs) assert.equal(r.headers['x-content-type-options'], 'nosniff', String(r.status));
    assert.equal(rs[2]!.status, 404);
    assert.equal(rs[4]!.status, 405);
    assert.equal(rs[4]!.headers.allow, 'GET');
  });

  it('drops a connection that never finishes its headers (header timeout)', async () => {
    await gw.close();
    gw = await startTestGateway({ engine, headersTimeoutMs: 200 });
    const closed = await new Promise<string>((resolve) => {
      const s = net.connect(gw.port, '127.0.0.1', () => s.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${gw.port}\r\nX-Slow: `));
      let data = '';
      s.on('data', (d) => (data += d));
      s.on('close', () => resolve(data));
      s.on('error', () => {});
    });
    // The server ended it (a test timeout would fail otherwise), answering 408.
    assert.match(closed, /^HTTP\/1\.1 408 /);
  });

  it('a refused connection is destroyed, not half-closed: peers that never close cannot use up maxConnections', async () => {
    await gw.close();
    gw = await startTestGateway({ engine, headersTimeoutMs: 200, maxConnections: 30 });
    // Peers that never close their side (allowHalfOpen) and send nothing more, as many as maxConnections.
    const hold = async (kind: 'silent' | 'slow' | 'garbage', n: number) => {
      const socks: net.Socket[] = [];
      const answers = Array.from({ length: n }, () => {
        const s = net.connect({ port: gw.port, host: '127.0.0.1', allowHalfOpen: true });
        socks.push(s);
        s.on('error', () => {});
        if (kind === 'slow') s.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${gw.port}\r\nX-Slow: `);
        if (kind === 'garbage') s.write('NOT HTTP AT ALL\r\n\r\n');
        return new Promise<string>((resolve) => {
          let data = '';
          s.on('data', (d) => (data += d));
          s.on('end', () => resolve(data));
        });
      });
      return { socks, answers: await Promise.all(answers) };
    };
    const check = async () => {
      // Every peer still holds its socket; the gateway must have let go of its side.
      const t0 = Date.now();
      const r = await request(gw.port, { path: '/health' });
      assert.equal(r.status, 200);
      assert.ok(Date.now() - t0 < 2000);
    };
    const timedOut = await Promise.all([hold('silent', 15), hold('slow', 15)]);
    try {
      for (const h of timedOut) for (const a of h.answers) assert.match(a, /^HTTP\/1\.1 408 /);
      await check();
    } finally {
      for (const h of timedOut) for (const s of h.socks) s.destroy();
    }
    const garbage = await hold('garbage', 30);
    try {
      for (const a of garbage.answers) assert.match(a, /^HTTP\/1\.1 400 /);
      await check();
    } finally {
      for (const s of garbage.socks) s.destroy();
    }
  });

  it('a client that aborts its upload is not logged as an error, and nothing starts', async () => {
    for (const [method, path] of [['POST', '/chat/stream'], ['POST', '/chat/message'], ['PATCH', '/sessions/abcdefgh-0001'], ['POST', '/models/pull']] as const) {
      const sock = net.connect(gw.port, '127.0.0.1');
      sock.on('error', () => {});
      await new Promise((r) => sock.once('connect', r));
      sock.write(
        `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${gw.port}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"model":"m","con`,
      );
      await new Promise((r) => setTimeout(r, 50)); // the handler is reading the body
      sock.destroy();
    }
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(gw.logs.filter((l) => l.startsWith('error')), []);
    assert.equal(engine.requests.length, 0);
    assert.deepEqual(await gw.store.list(), []);
    assert.equal((await request(gw.port, { path: '/health' })).status, 200);
  });

  it('drops a stalled event-stream reader once its buffer passes the bound, cancelling its turn', async () => {
    await gw.close();
    engine = new FakeEngine();
    gw = await startTestGateway({ engine, maxSseBufferedBytes: 256 * 1024 });
    const big = 'y'.repeat(64 * 1024);
    engine.scripts.push({ tokens: Array.from({ length: 2000 }, () => big), manual: true });
    const sock = net.connect(gw.port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const body = JSON.stringify({ model: 'm', content: 'flood' });
    sock.write(
      `POST /chat/stream HTTP/1.1\r\nHost: 127.0.0.1:${gw.port}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    sock.pause(); // never read: the kernel buffers fill, then ours
    sock.on('error', () => {});
    await until(() => engine.requests.length === 1, 'the turn to start');
    for (let i = 0; i < 40 && !gw.logs.some((l) => l.includes('stalled')); i++) {
      engine.release(50);
      await until(() => gw.logs.some((l) => l.includes('stalled')) || engine.cancelled.length > 0 || (engine as unknown as { permits: number }).permits === 0, 'tokens consumed');
    }
    assert.ok(gw.logs.some((l) => l.includes('stalled')), 'the reader was dropped');
    await until(() => engine.cancelled.length === 1, 'the turn to be cancelled');
    sock.destroy();
    // The server still answers others.
    assert.equal((await request(gw.port, { path: '/health' })).status, 200);
  });
});
