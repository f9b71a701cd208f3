import assert from 'node:assert/strict';
import { redactUrl } from '../../../src/gateway/net/redact';
import { HttpClient } from '../../../src/gateway/net/http';

describe('redactUrl (user-info never shown)', () => {
  it('replaces user:pass@ and keeps the rest as written', () => {
    const cases: [string, string][] = [
      ['http://alice:s3cret@127.0.0.1:11434', 'http://***@127.0.0.1:11434'],
      ['https://tok@proxy.example.com:443/ollama/v1', 'https://***@proxy.example.com:443/ollama/v1'],
      ['http://u:p@ss@h:80/x@y', 'http://***@h:80/x@y'],
      ['alice:s3cret@gpu-box:8080', '***@gpu-box:8080'],
      ['http://127.0.0.1:11434', 'http://127.0.0.1:11434'],
      ['http://host/path@not-userinfo', 'http://host/path@not-userinfo'],
      ['http://host?q=a@b', 'http://host?q=a@b'],
      ['http://u:p@[::1]:11434', 'http://***@[::1]:11434'],
      ['', ''],
    ];
    for (const [raw, want] of cases) assert.equal(redactUrl(raw), want, raw);
  });

  it("HttpClient.baseUrl (what every engine error names) is redacted", async () => {
    const c = new HttpClient({ baseUrl: 'http://alice:s3cret@127.0.0.1:9/p/', connectTimeoutMs: 100 });
    assert.equal(c.baseUrl, 'http://***@127.0.0.1:9/p');
    await c.close();
  });
});
