import assert from 'node:assert/strict';
import path from 'node:path';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(__dirname, '../../..');

/**
 * What activation loads (dist/extension.js) stays small: the validators (zod),
 * undici and the engine belong to the heavy half (dist/heavy.js), loaded on first
 * use. One value import from the wrong shared module pulls zod in unnoticed.
 */
describe('the activation bundle', function () {
  this.timeout(60_000);
  it('holds no zod, undici or engine code', async () => {
    const r = await esbuild.build({
      entryPoints: [path.join(ROOT, 'src/extension/extension.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      external: ['vscode'],
      write: false,
      metafile: true,
      logLevel: 'silent',
      // As esbuild.mjs does: the heavy half is a separate file.
      plugins: [{ name: 'heavy', setup: (b) => void b.onResolve({ filter: /^\.\/heavy$/ }, () => ({ path: './heavy.js', external: true })) }],
    });
    const inputs = Object.keys(r.metafile.inputs);
    const heavy = inputs.filter((f) => /node_modules\/(zod|undici)\/|src\/gateway\/(engine|ollama|openai|chat|sessions|server)\//.test(f));
    assert.deepEqual(heavy, []);
  });
});
