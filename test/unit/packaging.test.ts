/**
 * The .vsix ships only dist/, media/, README.md, CHANGELOG.md, LICENSE and
 * package.json (never sources, tests, build output for tests, or node_modules),
 * and its Marketplace icon is a 128×128 PNG. Checked with vsce's own file
 * selection (the same code `vsce package` uses), against a made-up tree that has
 * every kind of file, and against the real checkout.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { listFiles, PackageManager } from '@vscode/vsce';
import { TREE_SITTER_FILES } from '../../src/shared/codebase/syntaxChunker';

const root = path.resolve(__dirname, '../..');
const ALLOWED_TOP = ['dist', 'media', 'README.md', 'CHANGELOG.md', 'LICENSE', 'package.json'];

const list = async (cwd: string) => (await listFiles({ cwd, packageManager: PackageManager.None })).map((f) => f.split(path.sep).join('/')).sort();

describe('packaging (.vscodeignore)', function () {
  this.timeout(120_000);

  describe('on a tree with every kind of file', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'hearth-package-'));
      await copyFile(path.join(root, 'package.json'), path.join(dir, 'package.json'));
      await copyFile(path.join(root, '.vscodeignore'), path.join(dir, '.vscodeignore'));
      const files = [
        'README.md', 'CHANGELOG.md', 'LICENSE',
        'dist/extension.js', 'dist/extension.js.map', 'dist/gateway.js', 'dist/webview/main-ABC.js', 'dist/webview/manifest.json',
        'media/icon.png', 'media/hearth.svg',
        'src/extension/extension.ts', 'src/shared/events.ts', 'webview/main.tsx',
        'test/unit/a.test.ts', 'test/double/index.ts', 'test/README.md',
        'out/test/integration/index.js', 'node_modules/zod/index.js', 'bench/x.bench.ts',
        'scripts/test-vscode.mjs', '.ci/run', '.vscode-test/workspace/README.md', 'test-results/shot.png',
        'docs/notes.md', 'tsconfig.json', 'esbuild.mjs', 'package-lock.json', '.mocharc.unit.json',
        '.vscode-test.mjs', '.gitignore', 'hearth-0.0.9.vsix', 'npm-debug.log',
      ];
      for (const f of files) {
        await mkdir(path.dirname(path.join(dir, f)), { recursive: true });
        await writeFile(path.join(dir, f), 'x');
      }
    });
    after(() => rm(dir, { recursive: true, force: true }));

    it('selects exactly the shipped files', async () => {
      assert.deepEqual(await list(dir), [
        'CHANGELOG.md', 'LICENSE', 'README.md',
        'dist/extension.js', 'dist/extension.js.map', 'dist/gateway.js', 'dist/webview/main-ABC.js', 'dist/webview/manifest.json',
        'media/hearth.svg', 'media/icon.png', 'package.json',
      ]);
    });
  });

  describe('on the checkout', () => {
    before(async function () {
      // vsce lists what is on disk: the bundle must exist to be listed.
      if (!existsSync(path.join(root, 'dist', 'extension.js')) || !existsSync(path.join(root, 'dist', 'tree-sitter', 'tree-sitter.wasm'))) {
        await promisify(execFile)(process.execPath, ['esbuild.mjs', '--production'], { cwd: root });
      }
    });

    it('ships the bundle, icon and docs and nothing outside the allowed paths', async () => {
      const files = await list(root);
      for (const required of ['package.json', 'dist/extension.js', 'media/icon.png', 'README.md', 'CHANGELOG.md', 'LICENSE']) {
        assert.ok(files.includes(required), `${required} is missing from the package`);
      }
      const stray = files.filter((f) => !ALLOWED_TOP.includes(f.split('/')[0]!));
      assert.deepEqual(stray, [], 'files outside dist/, media/ and the docs');
      assert.deepEqual(files.filter((f) => /(^|\/)(src|test|node_modules)\//.test(f)), []);
    });

    it('ships the tree-sitter runtime, every grammar the codebase chunker loads, and their licence', async () => {
      const files = await list(root);
      for (const f of [...TREE_SITTER_FILES, 'LICENSE']) assert.ok(files.includes(`dist/tree-sitter/${f}`), `dist/tree-sitter/${f} is missing from the package`);
    });
  });

  it('points package.json at a 128×128 PNG icon', async () => {
    const manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { icon?: string };
    assert.equal(manifest.icon, 'media/icon.png');
    const png = await readFile(path.join(root, manifest.icon));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
    assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
    assert.equal(png.readUInt32BE(16), 128, 'width');
    assert.equal(png.readUInt32BE(20), 128, 'height');
  });
});
