import assert from 'node:assert/strict';
import { readSettings, type HearthSettings } from '../../../src/extension/settings';
import { ConfigError, parseGatewayConfig, type GatewayConfig } from '../../../src/gateway/config';
import { PROVIDER_NAMES } from '../../../src/gateway/engine/registry';
import { MAX_ATTACHMENT_CHARS, MAX_FILE_KB_LIMIT } from '../../../src/shared/contextRules';
import { SETTINGS, type SettingRow } from '../../../src/shared/settingsTable';

/** Where each setting the gateway also reads lands, on either side. */
const LANDS: Record<string, { vscode: (s: HearthSettings) => unknown; gateway: (c: GatewayConfig) => unknown }> = {
  provider: { vscode: (s) => s.provider, gateway: (c) => c.provider.provider },
  contextLength: { vscode: (s) => s.contextLength, gateway: (c) => c.turn.contextLength },
  keepAlive: { vscode: (s) => s.keepAlive, gateway: (c) => c.turn.keepAlive },
  temperature: { vscode: (s) => s.temperature, gateway: (c) => c.turn.temperature },
  think: { vscode: (s) => s.think, gateway: (c) => c.turn.think },
  requestTimeoutSeconds: { vscode: (s) => s.requestTimeoutMs, gateway: (c) => c.provider.requestTimeoutMs },
  maxSessions: { vscode: (s) => s.maxSessions, gateway: (c) => c.maxSessions },
  systemPrompt: { vscode: (s) => s.systemPrompt, gateway: (c) => c.turn.systemPrompt },
  'ollama.headers': { vscode: (s) => s.headers, gateway: (c) => c.provider.headers ?? {} },
  'codebase.embeddingModel': { vscode: (s) => s.embeddingModel, gateway: (c) => c.embeddingModel },
};
/** Read by the gateway with a grammar of its own (Ollama's CLI's OLLAMA_HOST), tested in config.test.ts. */
const OWN_GRAMMAR = new Set(['ollama.url']);

/** Values on and just past each edge of a row's range, as VS Code's settings would hold them. */
function probes(row: SettingRow): unknown[] {
  switch (row.type) {
    case 'integer':
      return [row.minimum, row.maximum, row.minimum - 1, row.maximum + 1, row.minimum + 0.5, row.default];
    case 'number':
      return [row.minimum, row.maximum, row.minimum - 0.1, row.maximum + 0.1, (row.minimum + row.maximum) / 2];
    case 'boolean':
      return [true, false];
    case 'enum':
      return [...row.values.map((v) => v.value), 'bogus'];
    case 'duration':
      return ['30m', '1h30m', '-1', '0', '90s', 'soon', '1 hour'];
    case 'string':
      return ['Be terse.'];
    case 'headers':
      return [{ 'X-Team': 'a' }, { 'Bad Name': 'x' }];
    case 'globs':
    case 'toggles':
      return [];
  }
}

function asEnvText(row: SettingRow & { env: { scale?: number } }, v: unknown): string {
  if (row.type === 'integer' && typeof v === 'number') return String(v * (row.env.scale ?? 1));
  return typeof v === 'string' ? v : JSON.stringify(v);
}

describe('the settings table: VS Code and the standalone gateway agree', () => {
  const withEnv = SETTINGS.filter((r): r is Extract<(typeof SETTINGS)[number], { env: object }> => 'env' in r);

  it('the gateway reads context length, temperature, thinking and keep-alive from the environment', () => {
    const names: string[] = withEnv.map((r) => r.env.name);
    for (const n of ['HEARTH_CONTEXT_LENGTH', 'HEARTH_TEMPERATURE', 'HEARTH_THINK', 'HEARTH_KEEP_ALIVE', 'HEARTH_MAX_SESSIONS', 'HEARTH_REQUEST_TIMEOUT_MS']) assert.ok(names.includes(n), n);
    assert.equal(new Set(names).size, names.length, 'each variable names one setting');
  });

  for (const row of withEnv) {
    if (OWN_GRAMMAR.has(row.key)) continue;
    it(`hearth.${row.key} and ${row.env.name} accept and refuse the same values, with the same result`, () => {
      const lands = LANDS[row.key];
      assert.ok(lands, `say in LANDS where hearth.${row.key} lands on both sides, so the two are compared`);
      // A variable in a finer unit (milliseconds of a seconds setting) rightly takes what is a fraction of the setting.
      const cases = probes(row).filter((v) => !('scale' in row.env) || Number.isInteger(v));
      assert.ok(cases.length > 0);
      for (const v of cases) {
        const { settings, problems } = readSettings({ get: (k) => (k === row.key ? v : undefined) });
        let gateway: GatewayConfig | undefined;
        let refusal: unknown;
        try {
          gateway = parseGatewayConfig({ [row.env.name]: asEnvText(row, v) }, '/h');
        } catch (e) {
          refusal = e;
        }
        const label = `${JSON.stringify(v)} (${row.env.name}=${asEnvText(row, v)})`;
        if (problems.length === 0) {
          assert.ok(gateway, `VS Code accepts ${label}; the gateway refused it: ${String(refusal)}`);
          assert.deepEqual(lands.gateway(gateway), lands.vscode(settings), label);
        } else {
          assert.ok(refusal instanceof ConfigError, `VS Code refuses ${label} (${problems[0]}); the gateway accepted it`);
          assert.match(refusal.message, new RegExp(row.env.name), 'the error names the variable');
        }
      }
    });
  }

  it('the defaults agree when nothing is set', () => {
    const { settings } = readSettings({ get: () => undefined });
    const c = parseGatewayConfig({}, '/h');
    for (const [key, lands] of Object.entries(LANDS)) assert.deepEqual(lands.gateway(c), lands.vscode(settings), key);
  });

  it("the provider setting's values are the providers the engine registry can run", () => {
    const row = SETTINGS.find((r) => r.key === 'provider');
    assert.ok(row && row.type === 'enum');
    assert.deepEqual(row.values.map((v) => v.value).sort(), [...PROVIDER_NAMES].sort());
  });

  it('the largest hearth.context.maxFileKB still fits one attachment', () => {
    assert.ok(MAX_FILE_KB_LIMIT * 1024 <= MAX_ATTACHMENT_CHARS, `${MAX_FILE_KB_LIMIT} KB > ${MAX_ATTACHMENT_CHARS} characters`);
  });

  it('every row is well formed: unique keys, a description, a default inside its range', () => {
    const keys = SETTINGS.map((r) => r.key);
    assert.equal(new Set(keys).size, keys.length);
    for (const r of SETTINGS as readonly SettingRow[]) {
      assert.ok(r.description.trim().length > 20, r.key);
      if (r.type === 'integer') assert.ok(r.default >= r.minimum && r.default <= r.maximum && r.minimum <= r.maximum, r.key);
      if (r.type === 'enum') assert.ok(r.values.some((v) => v.value === r.default), r.key);
    }
  });
});
