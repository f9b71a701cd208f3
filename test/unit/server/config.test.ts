import assert from 'node:assert/strict';
import path from 'node:path';
import { ConfigError, parseGatewayConfig, parseOllamaHost, startUrl } from '../../../src/gateway/config';
import { turnSettingsOf } from '../../../src/gateway/turnSettings';

describe('gateway config (environment)', () => {
  it('reads OLLAMA_HOST as the Ollama CLI does', () => {
    const cases: [string | undefined, string][] = [
      [undefined, 'http://127.0.0.1:11434'],
      ['', 'http://127.0.0.1:11434'],
      ['http://127.0.0.1:11434', 'http://127.0.0.1:11434'],
      ['127.0.0.1:11500', 'http://127.0.0.1:11500'],
      ['gpu-box:8080', 'http://gpu-box:8080'],
      ['gpu-box', 'http://gpu-box:11434'],
      [':9999', 'http://127.0.0.1:9999'],
      ['0.0.0.0', 'http://127.0.0.1:11434'],
      ['0.0.0.0:11434', 'http://127.0.0.1:11434'],
      ['https://ollama.example.com', 'https://ollama.example.com:443'],
      ['http://ollama.example.com', 'http://ollama.example.com:80'],
      ['https://proxy.example.com/ollama/', 'https://proxy.example.com:443/ollama'],
      ['[::1]:11434', 'http://[::1]:11434'],
      ['::1', 'http://[::1]:11434'],
      ['  "localhost:11434"  ', 'http://localhost:11434'],
    ];
    for (const [raw, want] of cases) assert.equal(parseOllamaHost(raw), want, String(raw));
    assert.throws(() => parseOllamaHost('ftp://x'), ConfigError);
    assert.throws(() => parseOllamaHost('host:99999'), ConfigError);
    assert.throws(() => parseOllamaHost('host:abc'), ConfigError);
  });

  it("keeps OLLAMA_HOST's user-info (sent as Basic auth) and never repeats it in an error", () => {
    const cases: [string, string][] = [
      ['http://alice:s3cret@127.0.0.1:11434/p', 'http://alice:s3cret@127.0.0.1:11434/p'],
      ['alice:s3cret@gpu-box:8080', 'http://alice:s3cret@gpu-box:8080'],
      ['alice:s3cret@gpu-box', 'http://alice:s3cret@gpu-box:11434'],
      ['bob@gpu-box', 'http://bob@gpu-box:11434'],
      ['https://u:p@ss@proxy/x', 'https://u:p%40ss@proxy:443/x'],
    ];
    for (const [raw, want] of cases) assert.equal(parseOllamaHost(raw), want, raw);
    for (const bad of ['http://alice:s3cret@exa mple:1', 'alice:s3cret@host:99999', 'alice:s3cret@host:abc']) {
      assert.throws(() => parseOllamaHost(bad), (e: Error) => e instanceof ConfigError && !/s3cret/.test(e.message), bad);
    }
  });

  it('defaults: port 6120, random token, home data dir, 15 s heartbeat, no system prompt, ollama provider', () => {
    const c = parseGatewayConfig({}, '/home/u');
    assert.equal(c.port, 6120);
    assert.equal(c.tokenGenerated, true);
    assert.ok(c.token.length >= 24);
    assert.notEqual(parseGatewayConfig({}, '/home/u').token, c.token);
    assert.equal(c.dataDir, path.resolve('/home/u/.hearth/sessions'));
    assert.equal(c.heartbeatMs, 15_000);
    assert.equal(c.turn.systemPrompt, undefined);
    assert.deepEqual(c.turn, { contextLength: 0, keepAlive: '30m', think: true });
    assert.equal(c.maxSessions, 500);
    assert.equal(c.provider.requestTimeoutMs, 600_000);
    assert.equal(c.provider.provider, 'ollama');
    assert.equal(c.provider.baseUrl, 'http://127.0.0.1:11434');
    assert.equal(c.provider.headers, undefined);
  });

  it('reads every variable', () => {
    const c = parseGatewayConfig(
      {
        OLLAMA_HOST: 'box:1234',
        HEARTH_GATEWAY_PORT: '7000',
        HEARTH_GATEWAY_TOKEN: 'my-secret-token',
        HEARTH_DATA_DIR: '/data/h',
        HEARTH_HEARTBEAT_MS: '500',
        HEARTH_SYSTEM_PROMPT: 'Be terse.',
        HEARTH_PROVIDER: 'openai',
        HEARTH_OLLAMA_HEADERS: '{"X-Api-Key":"k"}',
        HEARTH_CONTEXT_LENGTH: '16384',
        HEARTH_TEMPERATURE: '0.2',
        HEARTH_THINK: 'false',
        HEARTH_KEEP_ALIVE: '1h',
        HEARTH_REQUEST_TIMEOUT_MS: '120000',
        HEARTH_MAX_SESSIONS: '50',
      },
      '/home/u',
    );
    assert.equal(c.provider.baseUrl, 'http://box:1234');
    assert.equal(c.port, 7000);
    assert.equal(c.token, 'my-secret-token');
    assert.equal(c.tokenGenerated, false);
    assert.equal(c.dataDir, path.resolve('/data/h'));
    assert.equal(c.heartbeatMs, 500);
    assert.deepEqual(c.turn, { contextLength: 16384, temperature: 0.2, think: false, keepAlive: '1h', systemPrompt: 'Be terse.' });
    assert.equal(c.provider.requestTimeoutMs, 120_000);
    assert.equal(c.maxSessions, 50);
    assert.equal(c.provider.provider, 'openai');
    assert.deepEqual(c.provider.headers, { 'X-Api-Key': 'k' });
  });

  it('refuses bad values with a message naming the variable', () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ HEARTH_GATEWAY_PORT: 'abc' }, /HEARTH_GATEWAY_PORT/],
      [{ HEARTH_GATEWAY_PORT: '70000' }, /HEARTH_GATEWAY_PORT/],
      [{ HEARTH_HEARTBEAT_MS: '-1' }, /HEARTH_HEARTBEAT_MS/],
      [{ HEARTH_PROVIDER: 'llamafile' }, /HEARTH_PROVIDER/],
      [{ HEARTH_OLLAMA_HEADERS: '{bad' }, /HEARTH_OLLAMA_HEADERS/],
      [{ HEARTH_OLLAMA_HEADERS: '{"a":1}' }, /HEARTH_OLLAMA_HEADERS/],
      [{ HEARTH_GATEWAY_TOKEN: 'has space inside' }, /HEARTH_GATEWAY_TOKEN/],
      [{ HEARTH_GATEWAY_TOKEN: 'short' }, /HEARTH_GATEWAY_TOKEN/],
      [{ HEARTH_OLLAMA_HEADERS: '{"Bad Name":"x"}' }, /HEARTH_OLLAMA_HEADERS: "Bad Name" is not a valid header name/],
      [{ HEARTH_CONTEXT_LENGTH: '-1' }, /^HEARTH_CONTEXT_LENGTH must be a whole number from 0 to 1048576 \(got '-1'\)$/],
      [{ HEARTH_CONTEXT_LENGTH: '8k' }, /HEARTH_CONTEXT_LENGTH/],
      [{ HEARTH_TEMPERATURE: '2.5' }, /^HEARTH_TEMPERATURE must be a number from 0 to 2 \(got '2.5'\)$/],
      [{ HEARTH_TEMPERATURE: 'warm' }, /HEARTH_TEMPERATURE/],
      [{ HEARTH_THINK: 'maybe' }, /^HEARTH_THINK must be true or false/],
      [{ HEARTH_KEEP_ALIVE: 'soon' }, /^HEARTH_KEEP_ALIVE must be a duration such as 30m/],
      [{ HEARTH_MAX_SESSIONS: '5' }, /HEARTH_MAX_SESSIONS must be a whole number from 10 to 10000/],
      [{ HEARTH_REQUEST_TIMEOUT_MS: '1000' }, /HEARTH_REQUEST_TIMEOUT_MS must be a whole number from 10000 to 86400000/],
    ];
    for (const [env, msg] of bad) assert.throws(() => parseGatewayConfig(env, '/h'), (e: unknown) => e instanceof ConfigError && msg.test(e.message), JSON.stringify(env));
  });

  it('the four turn variables reach every turn, as VS Code sends its settings; bare -1 / 0 keep-alive go as numbers', () => {
    const c = parseGatewayConfig({ HEARTH_CONTEXT_LENGTH: '4096', HEARTH_TEMPERATURE: '0', HEARTH_THINK: '0', HEARTH_KEEP_ALIVE: '-1' }, '/h');
    assert.deepEqual(turnSettingsOf(c.turn), { options: { keepAlive: -1, think: false, contextLength: 4096, temperature: 0 } });
    assert.equal(parseGatewayConfig({ HEARTH_KEEP_ALIVE: '0' }, '/h').turn.keepAlive, 0);
    assert.equal(parseGatewayConfig({ HEARTH_THINK: 'TRUE' }, '/h').turn.think, true);
    assert.equal(parseGatewayConfig({ HEARTH_TEMPERATURE: '  ' }, '/h').turn.temperature, undefined, 'blank is unset');
  });

  it('the workspace: --workspace <folder> or --workspace=<folder> over HEARTH_WORKSPACE; unknown arguments refused', () => {
    assert.equal(parseGatewayConfig({}, '/home/u').workspace, undefined);
    assert.equal(parseGatewayConfig({ HEARTH_WORKSPACE: ' /src/app ' }, '/home/u').workspace, '/src/app');
    assert.equal(parseGatewayConfig({ HEARTH_WORKSPACE: '/a' }, '/home/u', ['--workspace', '/b']).workspace, '/b');
    assert.equal(parseGatewayConfig({}, '/home/u', ['--workspace=/c']).workspace, '/c');
    assert.throws(() => parseGatewayConfig({}, '/home/u', ['--workspace']), ConfigError);
    assert.throws(() => parseGatewayConfig({}, '/home/u', ['--workspace=']), ConfigError);
    assert.throws(() => parseGatewayConfig({}, '/home/u', ['extra']), /unknown argument/);
  });

  it('the start URL carries the token in the fragment, encoded', () => {
    assert.equal(startUrl(6120, 'abc'), 'http://127.0.0.1:6120/#token=abc');
    assert.equal(startUrl(1, 'a+b/c'), 'http://127.0.0.1:1/#token=a%2Bb%2Fc');
  });
});
