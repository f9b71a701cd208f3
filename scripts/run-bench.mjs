#!/usr/bin/env node
// Runs every benchmark in bench/ (files named *.bench.ts), one process each, in
// order, and fails if any of them fails. Each prints its own figures.
//   npm run bench               all of them
//   npm run bench -- engine     only those whose file name contains "engine"
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const filter = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = readdirSync(path.join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filter.length === 0 || filter.some((w) => f.includes(w)))
  .sort();

let failed = 0;
for (const f of files) {
  console.log(`\n=== bench/${f} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', path.join('bench', f)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`bench/${f} failed (exit ${r.status})`);
  }
}
if (files.length === 0) console.log('no benchmarks matched');
process.exit(failed ? 1 : 0);
