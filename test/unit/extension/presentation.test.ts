import assert from 'node:assert/strict';
import { formatBytes, modelPickItems } from '../../../src/extension/models/modelPickItems';
import { statusBarView } from '../../../src/extension/statusBarView';
import { allowedExternalUrl } from '../../../src/shared/links';
import { contentSecurityPolicy, parseAssetManifest, renderHtml } from '../../../src/extension/view/html';

describe('model pick items', () => {
  it('shows name, size, quantization, capabilities and a loaded marker', () => {
    const items = modelPickItems(
      [
        { name: 'alpha:7b', size: 4_100_000_000, parameter_size: '7B', quantization: 'Q4_K_M', capabilities: ['completion', 'vision', 'tools'], loaded: true, loaded_context_length: 8192 },
        { name: 'beta', size: 900_000_000 },
      ],
      'beta',
    );
    assert.equal(items[0]!.label, 'alpha:7b');
    assert.equal(items[0]!.description, '7B · Q4_K_M · 4.1 GB');
    assert.match(items[0]!.detail, /loaded \(context 8192\)/);
    assert.match(items[0]!.detail, /vision, tools/);
    assert.ok(!items[0]!.detail.includes('completion'));
    assert.equal(items[1]!.picked, true);
    assert.equal(items[1]!.model, 'beta');
    assert.equal(items[1]!.label, '$(check) beta');
    assert.equal(formatBytes(0), '');
    assert.equal(formatBytes(512), '512 B');
  });
});

describe('status bar view', () => {
  const ok = { status: 'ok' as const, url: 'http://127.0.0.1:11434' };
  it('shows the model, a spinner while streaming, and a warning with advice when unreachable', () => {
    assert.deepEqual(statusBarView({ model: 'm', streaming: false, connection: ok }).text, '$(hubot) m');
    assert.equal(statusBarView({ model: 'm', streaming: true, connection: ok }).text, '$(loading~spin) m');
    const down = statusBarView({ model: 'm', streaming: false, connection: { status: 'unreachable', url: 'http://h:1', error: 'ECONNREFUSED', server: 'Ollama', startHint: 'start it with `ollama serve`' } });
    assert.equal(down.warning, true);
    assert.match(down.tooltip, /Ollama is not reachable.*http:\/\/h:1/);
    assert.match(down.tooltip, /Start it with `ollama serve`/);
    const other = statusBarView({ model: 'm', streaming: false, connection: { status: 'unreachable', url: 'http://h:1', error: 'The model server at http://h:1 is not reachable: start it.', server: 'The model server', startHint: 'start it' } });
    assert.match(other.tooltip, /The model server is not reachable/);
    assert.ok(!/ollama serve|Ollama is|Ollama app/.test(other.tooltip), 'no Ollama advice for another server');
    assert.match(statusBarView({ model: undefined, streaming: false, connection: ok }).text, /No model/);
  });
});

describe('safe links', () => {
  it('allows http, https and mailto only', () => {
    assert.ok(allowedExternalUrl('https://example.com/a?b'));
    assert.ok(allowedExternalUrl('http://example.com'));
    assert.ok(allowedExternalUrl('mailto:a@example.com'));
    for (const bad of ['javascript:alert(1)', 'data:text/html,x', 'file:///etc/passwd', 'vscode://x', 'command:workbench.action.quit', 'nonsense', 'JaVaScRiPt:alert(1)']) {
      assert.equal(allowedExternalUrl(bad), undefined, bad);
    }
  });
});

describe('webview html', () => {
  it('has a strict CSP with the nonce and no network access', () => {
    const csp = contentSecurityPolicy('vscode-resource:', 'abc');
    assert.equal(csp, "default-src 'none'; img-src vscode-resource: data:; style-src vscode-resource:; font-src vscode-resource:; script-src 'nonce-abc'; connect-src 'none'; base-uri 'none'; form-action 'none'");
    const html = renderHtml({ cspSource: 'vscode-resource:', nonce: 'abc', scriptUri: 'https://x/main-1.js', styleUri: 'https://x/main-1.css' });
    assert.ok(html.includes(`content="${csp.replace(/'/g, "'")}"`));
    assert.ok(html.includes('<script nonce="abc" src="https://x/main-1.js"></script>'));
    assert.ok(html.includes('<link rel="stylesheet" href="https://x/main-1.css">'));
    assert.ok(html.includes('<div id="root"></div>'));
  });

  it('accepts only plain file names from manifest.json', () => {
    assert.deepEqual(parseAssetManifest({ js: 'main-ABC.js', css: 'main-ABC.css' }), { js: 'main-ABC.js', css: 'main-ABC.css' });
    assert.deepEqual(parseAssetManifest({ js: 'main-ABC.js' }), { js: 'main-ABC.js' });
    for (const bad of [{}, { js: '../x.js' }, { js: 'a/b.js' }, { js: 'main.css' }, { js: 'm.js', css: '../x.css' }, null]) assert.throws(() => parseAssetManifest(bad));
  });
});
