/**
 * Small rules that were once copied into several files, now each written once:
 * a new copy fails here (use the shared one instead).
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

async function files(dir: string, ext: RegExp): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...(await files(rel, ext)));
    else if (ext.test(e.name)) out.push(rel);
  }
  return out;
}

/** The source files (under src/ and webview/) whose text matches. */
async function where(re: RegExp): Promise<string[]> {
  const all = [...(await files('src', /\.tsx?$/)), ...(await files('webview', /\.tsx?$/))];
  const hits: string[] = [];
  for (const f of all) {
    const n = [...(await fs.readFile(path.join(ROOT, f), 'utf8')).matchAll(new RegExp(re.source, 'g'))].length;
    for (let i = 0; i < n; i++) hits.push(f);
  }
  return hits;
}

describe('logic written once', () => {
  it('baseName: src/shared/contextRules.ts', async () => {
    assert.deepEqual(await where(/function baseName\b/), ['src/shared/contextRules.ts']);
  });

  it('lineCount: src/shared/attachments.ts', async () => {
    assert.deepEqual(await where(/function lineCount\b/), ['src/shared/attachments.ts']);
    assert.deepEqual(await where(/\.replace\(\/\\n\$\/, ''\)\.split\('\\n'\)\.length/), ['src/shared/attachments.ts']);
  });

  it('the safe language id / fence name rule: src/shared/attachments.ts (safeLanguage)', async () => {
    assert.deepEqual(await where(/\[(?:\\w|A-Za-z0-9_)\+#\.-\]\{1,40\}/), ['src/shared/attachments.ts']);
  });

  it('the schemes of files a user works on: src/extension/context/fileReader.ts (FILE_SCHEMES)', async () => {
    assert.deepEqual(await where(/'vscode-vfs'/), ['src/extension/context/fileReader.ts']);
    assert.deepEqual(await where(/scheme === 'vscode-remote'/), []);
  });

  it('test files are named in camelCase like the sources', async () => {
    const tests = (await files('test', /\.test\.tsx?$/)).filter((f) => !f.includes('/fixtures/'));
    assert.ok(tests.length > 50);
    assert.deepEqual(tests.filter((f) => /[-_]/.test(path.basename(f).replace(/\.test\.tsx?$/, ''))), []);
  });
});
