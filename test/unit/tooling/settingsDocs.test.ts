import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { manifestProperties, readmeEnvTable, readmeSettingsTable, writeManifest, writeReadme } from '../../../scripts/settingsDocs';
import { GATEWAY_ENV, SETTINGS } from '../../../src/shared/settingsTable';

const ROOT = path.resolve(__dirname, '../../..');
const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');
const FIX = 'edit src/shared/settingsTable.ts, then run `npm run settings:write`';

/** package.json's settings and the README's tables are what the settings table makes (the table is the one source). */
describe('settings docs generated from the table', () => {
  it("package.json's contributes.configuration is the table's", () => {
    const pkg = JSON.parse(read('package.json')) as { contributes: { configuration: { properties: Record<string, unknown> } } };
    const onDisk = pkg.contributes.configuration.properties;
    const want = manifestProperties();
    const missing = Object.keys(onDisk).filter((k) => !(k in want));
    assert.deepEqual(missing, [], `settings in package.json but not in the table: add a row for each, then run \`npm run settings:write\``);
    assert.deepEqual(onDisk, want, `package.json's settings differ from the table: ${FIX}`);
    assert.equal(writeManifest(read('package.json')), read('package.json'), `package.json is not as written: run \`npm run settings:write\``);
  });

  it("the README's settings and environment tables are the table's", () => {
    const readme = read('README.md');
    assert.equal(writeReadme(readme), readme, `README.md's settings tables differ from the table: ${FIX}`);
  });

  it('each setting and variable has its row in the README, with its range', () => {
    const settings = readmeSettingsTable();
    for (const r of SETTINGS) assert.match(settings, new RegExp(`^\\| \`hearth\\.${r.key.replace(/\./g, '\\.')}\` \\|`, 'm'), r.key);
    assert.match(settings, /\| `hearth\.maxSessions` \| `500` \| 10–10,000 \|/);
    const env = readmeEnvTable();
    for (const name of [...SETTINGS.flatMap((r) => ('env' in r ? [r.env.name] : [])), ...GATEWAY_ENV.map((r) => r.name)]) assert.match(env, new RegExp(`^\\| \`${name}\` \\|`, 'm'), name);
    assert.match(env, /\| `HEARTH_REQUEST_TIMEOUT_MS` \| `600000` \| 10,000–86,400,000 \|/, 'a variable in milliseconds shows its range in milliseconds');
  });

  it('a table row changed without regenerating fails the check', () => {
    const pkg = JSON.parse(read('package.json')) as { contributes: { configuration: { properties: Record<string, { maximum?: number }> } } };
    pkg.contributes.configuration.properties['hearth.maxSessions']!.maximum = 100_000;
    assert.notDeepEqual(pkg.contributes.configuration.properties, manifestProperties());
    assert.notEqual(writeReadme(read('README.md').replace('10–10,000', '1–100,000')), read('README.md').replace('10–10,000', '1–100,000'));
    assert.throws(() => writeReadme('# no markers here\n'), /settings-table markers/);
  });
});
