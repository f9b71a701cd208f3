import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';

const ROOT = path.resolve(__dirname, '../../..');

/** The lint rules catch the bugs they are there for (a config that matched nothing would pass every file). */
describe('lint (npm run lint)', function () {
  this.timeout(120_000);
  const file = path.join(ROOT, 'test', 'unit', 'tooling', `lintFixture${process.pid}.ts`);
  after(() => fs.rm(file, { force: true }));

  it('reports a floating promise, a non-exhaustive switch and an unused variable', async () => {
    await fs.writeFile(
      file,
      [
        "type Shape = { kind: 'circle' } | { kind: 'square' };",
        'export function sides(s: Shape): number {',
        '  switch (s.kind) {',
        "    case 'circle':",
        '      return 0;',
        '  }',
        '  return -1;',
        '}',
        'async function save(): Promise<void> {}',
        'export function onClick(): void {',
        '  save();',
        '  const unused = 1;',
        '}',
        '',
      ].join('\n'),
    );
    const [result] = await new ESLint({ cwd: ROOT }).lintFiles([file]);
    const rules = (result?.messages ?? []).map((m) => m.ruleId).sort();
    assert.deepEqual(rules, ['@typescript-eslint/no-floating-promises', '@typescript-eslint/no-unused-vars', '@typescript-eslint/switch-exhaustiveness-check']);
  });

  it('hearth/layers marks a wrong-way import in each layer, at the import (so the editor shows it)', async () => {
    const fixtures: Record<string, string> = {
      'src/core': "import { readFileSync } from 'node:fs';\nimport { foldEvent } from '../shared/fold';\nimport type { Log } from '../extension/log';\nexport const a: [unknown, unknown, Log?] = [readFileSync, foldEvent];\n",
      'src/gateway': "import * as vscode from 'vscode';\nexport const b = vscode;\n",
      'src/shared': "export const c = () => import('../core/hub');\n",
      webview: "export { parseGatewayConfig } from '../src/gateway/config';\n",
    };
    const files = Object.keys(fixtures).map((dir) => path.join(ROOT, dir, `layersFixture${process.pid}.ts`));
    try {
      await Promise.all(Object.values(fixtures).map((body, i) => fs.writeFile(files[i]!, body)));
      const results = await new ESLint({ cwd: ROOT }).lintFiles(files);
      const found = results.map((r) => ({
        dir: path.relative(ROOT, path.dirname(r.filePath)).split(path.sep).join('/'),
        messages: r.messages.filter((m) => m.ruleId === 'hearth/layers').map((m) => `${m.line}: ${m.message}`),
      }));
      const byDir = Object.fromEntries(found.map((f) => [f.dir, f.messages]));
      assert.equal(byDir['src/core']!.length, 2, byDir['src/core']!.join('\n'));
      assert.match(byDir['src/core']![0]!, /^1: src\/core must not import Node built-in 'node:fs'/);
      assert.match(byDir['src/core']![1]!, /^3: src\/core must not import src\/extension/);
      assert.deepEqual(byDir['src/gateway']!.map((m) => m.split('.')[0]), ['1: src/gateway must not import vscode']);
      assert.match(byDir['src/shared']!.join(), /^1: src\/shared must not import src\/core/);
      assert.match(byDir['webview']!.join(), /^1: webview must not import src\/gateway/);
    } finally {
      await Promise.all(files.map((f) => fs.rm(f, { force: true })));
    }
  });
});
