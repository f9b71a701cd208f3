/**
 * What the settings table (src/shared/settingsTable.ts) makes of package.json's
 * `contributes.configuration` and of the README's settings and environment
 * tables. `npm run settings:write` writes them; test/unit/tooling/settingsDocs.test.ts
 * fails when the files on disk differ, so the table and the docs cannot drift.
 */
import { DURATION_PATTERN, GATEWAY_ENV, SETTINGS, URL_PATTERN, type SettingRow } from '../src/shared/settingsTable';

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** One `contributes.configuration.properties` entry; `order` is the row's place in the table. */
function schemaOf(row: SettingRow, order: number): Record<string, Json> {
  const typed = ((): Record<string, Json> => {
    switch (row.type) {
      case 'integer':
        return { type: 'integer', default: row.default, minimum: row.minimum, maximum: row.maximum };
      case 'number':
        return { type: ['number', 'null'], default: row.default, minimum: row.minimum, maximum: row.maximum };
      case 'boolean':
        return { type: 'boolean', default: row.default };
      case 'string':
        return {
          type: 'string',
          default: row.default,
          ...(row.url ? { format: 'uri', pattern: URL_PATTERN, patternErrorMessage: 'Use an http(s) URL such as http://127.0.0.1:11434' } : {}),
          ...(row.multiline ? { editPresentation: 'multilineText' } : {}),
        };
      case 'enum':
        return { type: 'string', enum: row.values.map((v) => v.value), enumDescriptions: row.values.map((v) => v.description), default: row.default };
      case 'duration':
        return {
          type: 'string',
          default: row.default,
          pattern: DURATION_PATTERN,
          patternErrorMessage: 'Use a duration such as 30m, 1h or 90s; -1 keeps the model loaded forever, 0 unloads it after each reply.',
        };
      case 'headers':
        return { type: 'object', default: { ...row.default }, additionalProperties: { type: 'string' } };
      case 'globs':
        return { type: 'array', items: { type: 'string' }, default: [...row.default] };
      case 'toggles':
        return { type: 'object', default: { ...row.default }, additionalProperties: { type: 'boolean' } };
    }
  })();
  return { ...typed, markdownDescription: row.description, order };
}

/** package.json's `contributes.configuration.properties`, in table order. */
export function manifestProperties(): Record<string, Record<string, Json>> {
  return Object.fromEntries((SETTINGS as readonly SettingRow[]).map((row, i) => [`hearth.${row.key}`, schemaOf(row, i)]));
}

/** package.json with its settings block replaced; everything else is kept as it is. */
export function writeManifest(packageJson: string): string {
  const pkg = JSON.parse(packageJson) as { contributes: { configuration: { properties: unknown } } };
  pkg.contributes.configuration.properties = manifestProperties();
  return JSON.stringify(pkg, null, 2) + '\n';
}

const num = (n: number) => n.toLocaleString('en-US');
/** Settings-UI links (`#hearth.x#`) mean nothing on GitHub; table cells must not break on a `|`. */
const cell = (md: string) => md.replace(/#([\w.]+)#/g, '$1').replace(/\|/g, '\\|');
const code = (s: string) => `\`${s}\``;

function defaultText(row: SettingRow, scale = 1): string {
  if (row.readmeDefault) return row.readmeDefault;
  switch (row.type) {
    case 'integer':
      return code(String(row.default * scale));
    case 'number':
      return 'empty';
    case 'headers':
    case 'toggles':
      return code(JSON.stringify(row.default));
    case 'globs':
      return row.default.map(code).join(', ');
    case 'boolean':
    case 'string':
    case 'enum':
    case 'duration':
      return code(String(row.default));
  }
}

function allowedText(row: SettingRow, scale = 1, inEnv = false): string {
  switch (row.type) {
    case 'integer':
      return `${num(row.minimum * scale)}–${num(row.maximum * scale)}`;
    case 'number':
      return `${row.minimum}–${row.maximum}, or empty`;
    case 'boolean':
      return inEnv ? '`true`, `false` (or `1`, `0`)' : '`true`, `false`';
    case 'enum':
      return row.values.map((v) => code(v.value)).join(', ');
    case 'duration':
      return 'a duration (`30m`, `1h`, `90s`), `-1`, `0`';
    case 'string':
      return row.url ? 'an http(s) URL' : 'text';
    case 'headers':
      return 'header name → text';
    case 'toggles':
      return 'language id or `"*"` → `true`, `false`';
    case 'globs':
      return 'glob patterns';
  }
}

const BEGIN = (name: string) => `<!-- ${name}: generated from src/shared/settingsTable.ts by \`npm run settings:write\`; edit the table, not these lines -->`;
const END = (name: string) => `<!-- /${name} -->`;

export function readmeSettingsTable(): string {
  const rows = (SETTINGS as readonly SettingRow[]).map((r) => `| ${code(`hearth.${r.key}`)} | ${defaultText(r)} | ${allowedText(r)} | ${cell(r.description)} |`);
  return ['| setting | default | allowed | what it does |', '|---|---|---|---|', ...rows].join('\n');
}

export function readmeEnvTable(): string {
  const fromSettings = (SETTINGS as readonly SettingRow[]).flatMap((r) => {
    if (!r.env) return [];
    const scale = r.env.scale ?? 1;
    const meaning = `${cell(r.env.description ?? r.description).replace(/\.$/, '')} (as ${code(`hearth.${r.key}`)})`;
    return [`| ${code(r.env.name)} | ${defaultText(r, scale)} | ${allowedText(r, scale, true)} | ${meaning} |`];
  });
  const own = GATEWAY_ENV.map((r) => `| ${code(r.name)} | ${r.readmeDefault} | ${'range' in r ? `${num(r.range.minimum)}–${num(r.range.maximum)}` : 'text'} | ${cell(r.description)} |`);
  return ['| variable | default | allowed | meaning |', '|---|---|---|---|', ...own, ...fromSettings].join('\n');
}

/** The README with both generated tables replaced between their markers; throws when a marker is missing. */
export function writeReadme(readme: string): string {
  let out = readme;
  for (const [name, table] of [
    ['settings-table', readmeSettingsTable()],
    ['environment-table', readmeEnvTable()],
  ] as const) {
    const begin = out.indexOf(BEGIN(name));
    const end = out.indexOf(END(name));
    if (begin < 0 || end < begin) throw new Error(`README.md has no ${name} markers: put\n${BEGIN(name)}\n${END(name)}\nwhere the table goes`);
    out = out.slice(0, begin) + `${BEGIN(name)}\n${table}\n` + out.slice(end);
  }
  return out;
}
