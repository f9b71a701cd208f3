import assert from 'node:assert/strict';
import { completionOnFor, completionServiceSettings, connectionFingerprint, DEFAULT_SETTINGS, providerConfig, readSettings, turnSettings, validateUrl } from '../../../src/extension/settings';
import { DEFAULT_CONTEXT_EXCLUDE } from '../../../src/shared/contextRules';

const src = (values: Record<string, unknown>) => ({ get: (k: string) => values[k] });

describe('settings', () => {
  it('uses the defaults when nothing is set, with no problems', () => {
    const { settings, problems } = readSettings(src({}));
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, { ...DEFAULT_SETTINGS, headers: {} });
  });

  it('reads every valid value', () => {
    const { settings, problems } = readSettings(
      src({
        'ollama.url': 'https://gpu-box:8443/ollama/',
        provider: 'openai',
        'ollama.headers': { 'X-Team': 'a' },
        model: ' some-model ',
        contextLength: 16384,
        keepAlive: '1h30m',
        temperature: 0.2,
        systemPrompt: 'Be terse.',
        requestTimeoutSeconds: 120,
        maxSessions: 50,
        think: false,
        'context.includeCurrentFile': true,
        'context.maxFileKB': 64,
        'context.exclude': ['**/secrets/**', ' '],
        'completion.enabled': false,
        'completion.model': ' qwen2.5-coder:1.5b ',
        'completion.debounceMs': 80,
        'completion.maxTokens': 64,
        'completion.languages': { python: false },
        'codebase.auto': true,
        'codebase.maxSnippets': 3,
      }),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, {
      provider: 'openai',
      baseUrl: 'https://gpu-box:8443/ollama',
      headers: { 'X-Team': 'a' },
      model: 'some-model',
      contextLength: 16384,
      keepAlive: '1h30m',
      temperature: 0.2,
      systemPrompt: 'Be terse.',
      requestTimeoutMs: 120_000,
      maxSessions: 50,
      think: false,
      context: { includeCurrentFile: true, maxFileKB: 64, exclude: ['**/secrets/**'], codebase: { auto: true, maxSnippets: 3 } },
      completion: { enabled: false, model: 'qwen2.5-coder:1.5b', debounceMs: 80, maxTokens: 64, languages: { '*': true, python: false } },
    });
  });

  it('hearth.completion.*: on by default except prose; per-language with "*"; bad values named, defaults used; the service gets chat\'s keep_alive and window', () => {
    const d = readSettings(src({})).settings.completion;
    assert.equal(d.enabled, true);
    assert.equal(completionOnFor(d, 'typescript'), true);
    assert.equal(completionOnFor(d, 'markdown'), false);
    assert.equal(completionOnFor(readSettings(src({ 'completion.languages': { '*': false, go: true } })).settings.completion, 'python'), false);
    assert.equal(completionOnFor(readSettings(src({ 'completion.languages': { '*': false, go: true } })).settings.completion, 'go'), true);
    const { settings, problems } = readSettings(src({ 'completion.enabled': 'yes', 'completion.debounceMs': -1, 'completion.maxTokens': 99999, 'completion.languages': { go: 'on' }, 'completion.model': 3 }));
    assert.equal(problems.length, 5, problems.join('\n'));
    assert.deepEqual(settings.completion, DEFAULT_SETTINGS.completion);
    const svc = completionServiceSettings(readSettings(src({ contextLength: 4096, keepAlive: '1h', 'completion.maxTokens': 32, requestTimeoutSeconds: 20 })).settings);
    assert.deepEqual(svc, { model: '', maxTokens: 32, options: { keepAlive: '1h', contextLength: 4096 }, timeoutMs: 20_000 });
  });

  it('hearth.context.*: defaults exclude secrets and cap files at 256 KB; bad values are named and the default used', () => {
    assert.deepEqual(readSettings(src({})).settings.context, { includeCurrentFile: false, maxFileKB: 256, exclude: [...DEFAULT_CONTEXT_EXCLUDE], codebase: { auto: false, maxSnippets: 6 } });
    for (const g of ['**/.env*', '**/*.pem', '**/*.key', '**/id_rsa*', '**/id_ed25519*', '**/.npmrc']) assert.ok(DEFAULT_CONTEXT_EXCLUDE.includes(g), g);
    const { settings, problems } = readSettings(src({ 'context.includeCurrentFile': 'yes', 'context.maxFileKB': 5000, 'context.exclude': '**/.env' }));
    assert.equal(problems.length, 3);
    assert.ok(problems[0]!.includes('hearth.context.includeCurrentFile'));
    assert.ok(problems[1]!.includes('hearth.context.maxFileKB must be a whole number from 1 to 960'));
    assert.ok(problems[2]!.includes('hearth.context.exclude'));
    assert.deepEqual(settings.context, DEFAULT_SETTINGS.context);
    assert.deepEqual(readSettings(src({ 'context.exclude': [] })).settings.context.exclude, [], 'an empty list is allowed (the user chose it)');
  });

  it('rejects bad URLs with a clear message and falls back to the default', () => {
    for (const bad of ['not a url', 'ftp://host', 'http://user:pw@host:1', 'http://h:1/?q=1', '']) {
      const { settings, problems } = readSettings(src({ 'ollama.url': bad }));
      assert.equal(settings.baseUrl, DEFAULT_SETTINGS.baseUrl, bad);
      assert.equal(problems.length, 1, bad);
      assert.match(problems[0]!, /hearth\.ollama\.url/);
    }
    assert.deepEqual(validateUrl('http://127.0.0.1:11434/'), { ok: true, url: 'http://127.0.0.1:11434' });
  });

  it('keeps valid headers and names each invalid one', () => {
    const { settings, problems } = readSettings(src({ 'ollama.headers': { Good: 'yes', Num: 42, 'Bad Name': 'x', Evil: 'a\r\nInjected: 1' } }));
    assert.deepEqual(settings.headers, { Good: 'yes' });
    assert.equal(problems.length, 3);
    assert.ok(problems.some((p) => p.includes('"Num"') && p.includes('must be a string')));
    assert.ok(problems.some((p) => p.includes('"Bad Name"')));
    assert.ok(problems.some((p) => p.includes('"Evil"') && p.includes('line break')));
    assert.equal(readSettings(src({ 'ollama.headers': ['a'] })).problems.length, 1);
  });

  it('rejects out-of-range numbers, bad durations and wrong types', () => {
    const { settings, problems } = readSettings(
      src({ contextLength: -1, requestTimeoutSeconds: 1.5, maxSessions: 5, temperature: 3, keepAlive: 'soon', think: 'yes', provider: 'x' }),
    );
    assert.equal(problems.length, 7);
    assert.equal(settings.contextLength, 0);
    assert.equal(settings.requestTimeoutMs, 600_000);
    assert.equal(settings.maxSessions, 500);
    assert.equal(settings.temperature, undefined);
    assert.equal(settings.keepAlive, '30m');
    assert.equal(settings.think, true);
    assert.equal(settings.provider, 'ollama');
  });

  it('sends the bare keep-alive numbers as numbers (Ollama needs a unit in strings)', () => {
    assert.equal(readSettings(src({ keepAlive: '-1' })).settings.keepAlive, -1);
    assert.equal(readSettings(src({ keepAlive: '0' })).settings.keepAlive, 0);
    assert.equal(readSettings(src({ keepAlive: '90s' })).settings.keepAlive, '90s');
  });

  it('puts the API key in a Bearer header that replaces a configured Authorization, and changes the fingerprint', () => {
    const { settings } = readSettings(src({ 'ollama.headers': { authorization: 'Basic x', 'X-A': '1' } }));
    assert.deepEqual(providerConfig(settings, 'k3y').headers, { 'X-A': '1', Authorization: 'Bearer k3y' });
    assert.deepEqual(providerConfig(settings).headers, { authorization: 'Basic x', 'X-A': '1' });
    assert.notEqual(connectionFingerprint(settings, 'a'), connectionFingerprint(settings, 'b'));
    assert.equal(connectionFingerprint(settings), connectionFingerprint(readSettings(src({ 'ollama.headers': { authorization: 'Basic x', 'X-A': '1' }, model: 'other' })).settings));
  });

  it('an exclusion pattern that cannot work is named as a settings problem (it guards secrets)', () => {
    const { settings, problems } = readSettings(src({ 'context.exclude': ['**/.env*', '**/[a-Z]*'] }));
    assert.deepEqual(settings.context.exclude, ['**/.env*', '**/[a-Z]*']);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /hearth\.context\.exclude: "\*\*\/\[a-Z\]\*" is not a valid glob pattern/);
  });

  it('turn settings carry the per-turn options and the system prompt only when set', () => {
    const a = turnSettings(readSettings(src({})).settings);
    assert.deepEqual(a, { options: { keepAlive: '30m', think: true } });
    const b = turnSettings(readSettings(src({ contextLength: 4096, temperature: 0, systemPrompt: 'S' })).settings);
    assert.deepEqual(b, { systemPrompt: 'S', options: { keepAlive: '30m', think: true, contextLength: 4096, temperature: 0 } });
  });
});
