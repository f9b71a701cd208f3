import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { checkText, decodeText, DEFAULT_CONTEXT_EXCLUDE, formatBytes, languageForFileName, MAX_ATTACHMENT_CHARS, sizeRefusal } from '../../../src/shared/contextRules';
import { attachmentSchema } from '../../../src/shared/session';

const enc = (s: string) => new TextEncoder().encode(s);

describe('context rules: what may become an attachment', () => {
  it('its attachment size cap is the one the schema enforces', () => {
    assert.ok(attachmentSchema.safeParse({ kind: 'file', name: 'a', content: 'x'.repeat(MAX_ATTACHMENT_CHARS) }).success);
    assert.ok(!attachmentSchema.safeParse({ kind: 'file', name: 'a', content: 'x'.repeat(MAX_ATTACHMENT_CHARS + 1) }).success);
  });

  it('reads UTF-8 text, dropping a BOM', () => {
    assert.deepEqual(decodeText('a.ts', enc('\ufeffconst é = "ü";\n'), 256), { ok: true, text: 'const é = "ü";\n' });
  });

  it('refuses a file over the size cap, naming it, its size, the cap and where the cap is set', () => {
    const r = decodeText('big.log', new Uint8Array(300 * 1024).fill(65), 256, 'hearth.context.maxFileKB');
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.reason === 'tooLarge');
    assert.equal(!r.ok && r.message, 'big.log is 300 KB, over the 256 KB limit for attachments (hearth.context.maxFileKB). Attach a selection of it instead.');
    assert.equal(sizeRefusal('x', 256 * 1024, 256), undefined, 'exactly the cap is allowed');
    assert.equal(checkText('open.ts', 'y'.repeat(2048), 1).ok, false, 'an open editor’s text too');
  });

  it('refuses binary files (a NUL byte, or mostly control characters), saying why', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const r = decodeText('logo.png', png, 256);
    assert.deepEqual(r, { ok: false, reason: 'binary', message: 'logo.png looks like a binary file; only text files can be attached.' });
    const noisy = new Uint8Array(1000).map((_, i) => (i % 3 === 0 ? 1 : 65));
    assert.equal(decodeText('blob.bin', noisy, 256).ok, false);
  });

  it('still reads text that is not UTF-8 (Latin-1), leniently', () => {
    const r = decodeText('old.txt', new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]), 256);
    assert.equal(r.ok, true);
    assert.ok(r.ok && r.text.startsWith('caf'));
  });

  it('formats sizes for messages', () => {
    assert.equal(formatBytes(512), '512 bytes');
    assert.equal(formatBytes(1536), '1.5 KB');
    assert.equal(formatBytes(300 * 1024), '300 KB');
    assert.equal(formatBytes(3 * 1024 * 1024), '3.0 MB');
  });

  it('guesses a language from the file name (never from Object.prototype)', () => {
    assert.equal(languageForFileName('src/app.ts'), 'typescript');
    assert.equal(languageForFileName('Dockerfile'), 'dockerfile');
    assert.equal(languageForFileName('notes'), undefined);
    assert.equal(languageForFileName('x.constructor'), undefined);
    assert.equal(languageForFileName('.env'), undefined);
  });

  it('excludes secrets by default, and the setting’s default in package.json is the same list', () => {
    for (const g of ['**/.env*', '**/*.pem', '**/*.key', '**/id_rsa*', '**/id_ed25519*', '**/.npmrc', '**/*.p12']) assert.ok(DEFAULT_CONTEXT_EXCLUDE.includes(g), g);
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { default: unknown; markdownDescription: string }> } } };
    const setting = pkg.contributes.configuration.properties['hearth.context.exclude']!;
    assert.deepEqual(setting.default, [...DEFAULT_CONTEXT_EXCLUDE]);
    for (const named of ['.npmrc', '.aws/credentials', '.git-credentials', 'kubeconfig', '.p12']) assert.ok(setting.markdownDescription.includes(named), named);
  });
});
