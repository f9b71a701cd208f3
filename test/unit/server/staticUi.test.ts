import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { FakeEngine } from '../../support/fakeEngine';
import { tempDir } from '../chat/helpers';
import { request } from './httpClient';
import { startTestGateway, type TestGateway } from './testGateway';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

describe('gateway server: static chat UI', () => {
  let webviewDir: string;
  let gw: TestGateway;

  beforeEach(async () => {
    webviewDir = await tempDir('hearth-webview-');
    await fs.writeFile(path.join(webviewDir, 'manifest.json'), JSON.stringify({ js: 'main-ABCD1234.js', css: 'main-EFGH5678.css' }));
    await fs.writeFile(path.join(webviewDir, 'main-ABCD1234.js'), 'console.log("app")');
    await fs.writeFile(path.join(webviewDir, 'main-EFGH5678.css'), 'body{}');
    await fs.writeFile(path.join(webviewDir, 'codicon-IJKL9012.ttf'), 'font');
    await fs.writeFile(path.join(webviewDir, '.secret'), 'hidden');
    gw = await startTestGateway({ engine: new FakeEngine(), webviewDir });
  });
  afterEach(async () => {
    await gw.close();
    await fs.rm(webviewDir, { recursive: true, force: true });
  });

  it('GET / serves index.html from the manifest, no-cache, under a strict CSP, without a token', async () => {
    const r = await request(gw.port, { path: '/' });
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/html/);
    assert.equal(r.headers['cache-control'], 'no-cache');
    assert.equal(r.headers['content-security-policy'], CSP);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.match(r.text, /<div id="root"><\/div>/);
    assert.match(r.text, /<script src="\/assets\/main-ABCD1234\.js"><\/script>/);
    assert.match(r.text, /<link rel="stylesheet" href="\/assets\/main-EFGH5678\.css">/);
    assert.doesNotMatch(r.text, /<script>|\son\w+=/, 'no inline script or handler (the CSP would block it)');
  });

  it('answers HEAD for the UI like GET, without a body; never for API routes (a GET stream would start a turn)', async () => {
    const head = await request(gw.port, { method: 'HEAD', path: '/' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['cache-control'], 'no-cache');
    assert.equal(head.text, '');
    const api = await request(gw.port, { method: 'HEAD', path: '/chat/stream/abcdefgh-1234', token: 'test-token-0123456789' });
    assert.equal(api.status, 405);
    assert.equal((gw.engine as FakeEngine).requests.length, 0);
  });

  it('serves hashed assets cached forever with the right types; refuses other names', async () => {
    const js = await request(gw.port, { path: '/assets/main-ABCD1234.js' });
    assert.equal(js.status, 200);
    assert.equal(js.text, 'console.log("app")');
    assert.match(String(js.headers['content-type']), /^text\/javascript/);
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(js.headers['x-content-type-options'], 'nosniff');
    const css = await request(gw.port, { path: '/assets/main-EFGH5678.css' });
    assert.match(String(css.headers['content-type']), /^text\/css/);
    const font = await request(gw.port, { path: '/assets/codicon-IJKL9012.ttf' });
    assert.equal(font.status, 200);
    assert.equal(font.headers['content-type'], 'font/ttf');
    for (const p of ['/assets/manifest.json', '/assets/.secret', '/assets/..%2fmanifest.json', '/assets/%2e%2e%2f%2e%2e%2fpackage.json', '/assets/nothere-ABCD1234.js', '/assets/a/b.js']) {
      const r = await request(gw.port, { path: p });
      assert.ok(r.status === 404 || r.status === 401, `${p}: ${r.status}`);
      assert.notEqual(r.text, 'hidden');
    }
  });

  it('never follows a symlink out of the UI folder (one inside it is served)', async () => {
    const outside = await tempDir('hearth-outside-');
    try {
      await fs.writeFile(path.join(outside, 'private-ABCD1234.js'), 'outside secret');
      await fs.symlink(path.join(outside, 'private-ABCD1234.js'), path.join(webviewDir, 'leak-ABCD1234.js'));
      await fs.symlink(outside, path.join(webviewDir, 'dir-ABCD1234.js'));
      await fs.symlink(path.join(webviewDir, 'main-ABCD1234.js'), path.join(webviewDir, 'alias-ABCD1234.js'));
      for (const p of ['/assets/leak-ABCD1234.js', '/assets/dir-ABCD1234.js']) {
        const r = await request(gw.port, { path: p });
        assert.equal(r.status, 404, p);
        assert.doesNotMatch(r.text, /outside secret/);
      }
      const inside = await request(gw.port, { path: '/assets/alias-ABCD1234.js' });
      assert.equal(inside.status, 200);
      assert.equal(inside.text, 'console.log("app")');
    } finally {
      await fs.rm(outside, { recursive: true, force: true });
    }
  });

  it('GET /favicon.ico is an empty 204 without a token (no 401 in the browser console)', async () => {
    const r = await request(gw.port, { path: '/favicon.ico' });
    assert.equal(r.status, 204);
  });

  it('without a built UI, / is a clear 503 saying to run npm run build', async () => {
    await fs.rm(path.join(webviewDir, 'manifest.json'));
    const r = await request(gw.port, { path: '/' });
    assert.equal(r.status, 503);
    assert.match(r.text, /npm run build/);
    await gw.close();
    gw = await startTestGateway({ engine: new FakeEngine() });
    assert.equal((await request(gw.port, { path: '/' })).status, 503);
  });

  it('a manifest naming a path is refused (503), never followed', async () => {
    await fs.writeFile(path.join(webviewDir, 'manifest.json'), JSON.stringify({ js: '../../etc/passwd' }));
    assert.equal((await request(gw.port, { path: '/' })).status, 503);
  });
});
