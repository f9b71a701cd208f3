// `npm run settings:write`: package.json's settings and the README's tables, from src/shared/settingsTable.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeManifest, writeReadme } from './settingsDocs';

const root = path.resolve(__dirname, '..');
for (const [file, write] of [
  ['package.json', writeManifest],
  ['README.md', writeReadme],
] as const) {
  const full = path.join(root, file);
  const before = readFileSync(full, 'utf8');
  const after = write(before);
  if (after !== before) writeFileSync(full, after);
  console.log(`${file}: ${after === before ? 'up to date' : 'written'}`);
}
