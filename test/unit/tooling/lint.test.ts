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
});
