/**
 * Every `hearth.*` setting, once: its type, default, allowed range, description
 * and, when the standalone gateway reads it too, its environment variable.
 *
 * Read from here: the VS Code settings reader (src/extension/settings.ts), the
 * standalone gateway's environment (src/gateway/config.ts), and the generator
 * (`npm run settings:write`, scripts/settingsDocs.ts) that writes package.json's
 * `contributes.configuration` and the README's settings and environment tables.
 * A unit test fails when those files are not what the table makes.
 *
 * Adding a setting is one row in SETTINGS (its place is its order in the
 * Settings UI), then `npm run settings:write`, then reading it where it is used
 * (`settingValue(ROW, raw)` validates a value against the row). Give it `env`
 * when the standalone gateway should read it as well: the same range applies.
 *
 * Pure data and checks: no `vscode`, no Node, no zod (the activation bundle loads it).
 */

/** How the standalone gateway reads a setting from its environment. */
export interface EnvBinding {
  name: string;
  /** The variable's value is the setting's times this (HEARTH_REQUEST_TIMEOUT_MS holds milliseconds of a seconds setting). */
  scale?: number;
  /** For the README's environment table, when it says more than the setting's description. */
  description?: string;
}

interface RowBase {
  /** Under `hearth.`, e.g. 'context.maxFileKB'. */
  key: string;
  /** Markdown, shown in the Settings UI and the README (`#hearth.x#` links become code in the README). */
  description: string;
  env?: EnvBinding;
  /** The README's default column, when the value itself says it badly (an empty string, a list). */
  readmeDefault?: string;
}

export type SettingRow = RowBase &
  (
    | { type: 'integer'; default: number; minimum: number; maximum: number }
    /** Empty (null) means "the model's own value". */
    | { type: 'number'; default: null; minimum: number; maximum: number }
    | { type: 'boolean'; default: boolean }
    | { type: 'string'; default: string; multiline?: boolean; url?: boolean }
    | { type: 'enum'; default: string; values: readonly { value: string; description: string }[] }
    /** Ollama's keep_alive: a Go duration, or -1 / 0. */
    | { type: 'duration'; default: string }
    | { type: 'headers'; default: Readonly<Record<string, string>> }
    | { type: 'globs'; default: readonly string[] }
    /** Language id (or "*") → on/off. */
    | { type: 'toggles'; default: Readonly<Record<string, boolean>> }
  );

/** The durations Ollama parses (Go's time.ParseDuration), or the bare -1 (forever) and 0 (unload at once). */
export const DURATION_PATTERN = '^(-1|0|-?\\d+(\\.\\d+)?(ns|us|µs|ms|s|m|h)(\\d+(\\.\\d+)?(ns|us|µs|ms|s|m|h))*)$';
const DURATION_RE = new RegExp(DURATION_PATTERN);
/** The manifest's check of hearth.ollama.url (settings.ts's validateUrl says more). */
export const URL_PATTERN = '^https?://[^\\s/]+(/.*)?$';

export const SETTINGS = [
  {
    key: 'ollama.url',
    type: 'string',
    url: true,
    default: 'http://127.0.0.1:11434',
    description:
      'URL of the Ollama server (or of an OpenAI-compatible server when `#hearth.provider#` is `openai`). `127.0.0.1` is preferred over `localhost`, which may resolve to IPv6 first. Under Remote-SSH/WSL this is the machine VS Code runs on.',
    env: { name: 'OLLAMA_HOST', description: "Ollama's URL; also `host:port`, a bare host or `:port`, as Ollama's CLI accepts" },
  },
  {
    key: 'provider',
    type: 'enum',
    default: 'ollama',
    values: [
      { value: 'ollama', description: "Ollama's native API (/api/chat)." },
      { value: 'openai', description: 'An OpenAI-compatible server (/v1/chat/completions): vLLM, llama.cpp server, LM Studio.' },
    ],
    description: 'Which API the server at `#hearth.ollama.url#` speaks: `ollama` (native) or `openai` (an OpenAI-compatible `/v1/chat/completions`).',
    env: { name: 'HEARTH_PROVIDER', description: '`ollama`, or `openai` for an OpenAI-compatible server' },
  },
  {
    key: 'ollama.headers',
    type: 'headers',
    default: {},
    description:
      "Extra HTTP headers sent with every request to the server, e.g. for Ollama behind an authenticating proxy. Prefer **Hearth: Set API Key** for secrets: it keeps the key in VS Code's secret storage and sends it as `Authorization: Bearer …`.",
    env: { name: 'HEARTH_OLLAMA_HEADERS', description: 'JSON object of extra headers sent to the model server, e.g. `{"Authorization":"Bearer …"}`' },
  },
  {
    key: 'model',
    type: 'string',
    default: '',
    readmeDefault: 'empty',
    description: 'The model to chat with, exactly as Ollama names it (see **Hearth: Select Model**). Empty: the last model you chose, else the first one installed.',
  },
  {
    key: 'contextLength',
    type: 'integer',
    default: 0,
    minimum: 0,
    maximum: 1_048_576,
    description:
      "Context window (`num_ctx`) in tokens. `0` uses the model's own value (its Modelfile `num_ctx`, else its maximum), capped at 8192. The same value is sent every turn so Ollama never reloads the model; older turns are left out (and you are told) when a conversation does not fit.",
    env: { name: 'HEARTH_CONTEXT_LENGTH', description: "Context window (`num_ctx`) in tokens; `0` uses the model's own, capped at 8192" },
  },
  {
    key: 'keepAlive',
    type: 'duration',
    default: '30m',
    description: 'How long Ollama keeps the model loaded after a reply (`keep_alive`), e.g. `30m`, `1h`; `-1` forever, `0` unload at once.',
    env: { name: 'HEARTH_KEEP_ALIVE', description: 'How long Ollama keeps the model loaded after a reply (`-1` forever, `0` unload at once)' },
  },
  {
    key: 'temperature',
    type: 'number',
    default: null,
    minimum: 0,
    maximum: 2,
    readmeDefault: 'empty',
    description: "Sampling temperature (0–2). Empty (`null`) uses the model's default.",
    env: { name: 'HEARTH_TEMPERATURE', description: "Sampling temperature; unset uses the model's default" },
  },
  {
    key: 'systemPrompt',
    type: 'string',
    multiline: true,
    default: '',
    readmeDefault: 'empty',
    description: 'A system prompt sent at the start of every conversation. Empty: none is sent.',
    env: { name: 'HEARTH_SYSTEM_PROMPT', description: 'A system prompt for every conversation (none is sent otherwise)' },
  },
  {
    key: 'requestTimeoutSeconds',
    type: 'integer',
    default: 600,
    minimum: 10,
    maximum: 86_400,
    description: 'Upper bound for one reply, in seconds, including the time a cold model takes to load (which can be minutes).',
    env: { name: 'HEARTH_REQUEST_TIMEOUT_MS', scale: 1000, description: 'Upper bound for one reply, in milliseconds, including loading a cold model' },
  },
  {
    key: 'maxSessions',
    type: 'integer',
    default: 500,
    minimum: 10,
    maximum: 10_000,
    description: 'How many chat sessions to keep; beyond this the least recently updated go to the trash (kept 30 days).',
    env: { name: 'HEARTH_MAX_SESSIONS', description: 'Sessions kept; beyond this the least recently updated go to `<HEARTH_DATA_DIR>/trash/` for 30 days' },
  },
  {
    key: 'think',
    type: 'boolean',
    default: true,
    description: 'Ask thinking-capable models to show their reasoning (shown collapsed, apart from the answer). Ignored by models without the capability.',
    env: { name: 'HEARTH_THINK', description: 'Ask thinking-capable models to show their reasoning' },
  },
  {
    key: 'context.includeCurrentFile',
    type: 'boolean',
    default: false,
    description:
      'Send the file open in the editor with every question. It shows as a chip above the message box (with its estimated tokens); ✕ leaves it out of one question. Off: the current file is offered as a chip that one click adds.',
  },
  {
    key: 'context.maxFileKB',
    type: 'integer',
    default: 256,
    minimum: 1,
    // A file must still fit one attachment (contextRules.ts's MAX_ATTACHMENT_CHARS); a test holds the two together.
    maximum: 960,
    description:
      'Largest file (in KB) that can be attached with `@`, **Hearth: Add File to Chat** or the current-file chip. Larger files are refused with a message; attach a selection of them instead. Binary files are always refused. An `@diff` (uncommitted changes) larger than this is cut at a line and marked cut.',
  },
  {
    key: 'context.exclude',
    type: 'globs',
    // Built from gitleaks' path rule (PKCS#12 files) and the file-name signatures of gitrob and shhgit.
    // Names that say "secrets" or "credentials" exactly are matched; words that only start so
    // (`secretary.ts`, `credentialsProvider.ts`) are not.
    default: [
      // Environment files (.env, .env.local, direnv's .envrc).
      '**/.env*',
      // Private keys and certificates: PEM, SSH (every ssh-keygen type), PuTTY.
      '**/*.pem', '**/*.key', '**/id_rsa*', '**/id_dsa*', '**/id_ecdsa*', '**/id_ed25519*', '**/*.ppk', '**/.ssh/**',
      // Keystores: PKCS#12, Java, KeePass, OpenVPN profiles (keys inline).
      '**/*.p12', '**/*.pfx', '**/*.pkcs12', '**/*.jks', '**/*.keystore', '**/*.kdbx', '**/*.ovpn', '**/.gnupg/**',
      // Package registry tokens.
      '**/.npmrc', '**/.pypirc', '**/.gem/credentials',
      // Cloud and container credentials (.aws/credentials and .cargo/credentials.toml by the names below).
      '**/.docker/config.json', '**/.dockercfg', '**/.kube/config', '**/kubeconfig*', '**/*.kubeconfig', '**/.s3cfg',
      // Git, network and database logins.
      '**/.git-credentials', '**/.netrc', '**/_netrc', '**/.pgpass', '**/.my.cnf', '**/.htpasswd',
      // Terraform state and variables.
      '**/*.tfstate', '**/*.tfstate.*', '**/*.tfvars', '**/*.tfvars.json',
      // Files named for what they hold.
      '**/secrets', '**/secrets.*', '**/credentials', '**/credentials.*',
    ],
    description:
      'Glob patterns (relative to the workspace folder) of files that may hold secrets. They are never offered by `@`, as the current file or in `@diff`, never indexed for `@codebase`, and **Hearth: Add File to Chat** attaches them only after you confirm. The default covers environment files, private keys (PEM, SSH of every type, PuTTY), keystores (`.p12`, `.pfx`, `.jks`, `.keystore`, KeePass), registry tokens (`.npmrc`, `.pypirc`), cloud and container credentials (`.aws/credentials`, `.docker/config.json`, kubeconfig), `.git-credentials`, `.netrc`, Terraform state and variables, and files named `secrets.*` or `credentials.*`; replacing the list drops these, so keep the ones you need. A file reached through a symbolic link is judged by its real path too. Applies on top of `#files.exclude#`, `#search.exclude#` and `.gitignore`, which `@` also respects.',
  },
  {
    key: 'completion.enabled',
    type: 'boolean',
    default: true,
    description:
      'Show inline completions (grey ghost text, **Tab** accepts) from a local model as you type. Also **Hearth: Toggle Inline Completions** and the status-bar item. Never in files matched by `#hearth.context.exclude#`, ignored by `.gitignore` or outside the workspace.',
  },
  {
    key: 'completion.model',
    type: 'string',
    default: '',
    readmeDefault: 'empty',
    description:
      'The model for inline completions, exactly as Ollama names it: a small code model that can fill in the middle (e.g. `qwen2.5-coder:1.5b`, `starcoder2:3b`), so chat can use a large model and completion a small one. Empty: the smallest installed model that can fill in the middle.',
  },
  {
    key: 'completion.debounceMs',
    type: 'integer',
    default: 150,
    minimum: 0,
    maximum: 2000,
    description: 'How long typing must pause (ms) before a completion is requested. Each keystroke closes the request it makes stale.',
  },
  {
    key: 'completion.maxTokens',
    type: 'integer',
    default: 128,
    minimum: 1,
    maximum: 2048,
    description: 'The most tokens one completion may have (`num_predict`). One-line completions stop at the end of their line.',
  },
  {
    key: 'completion.languages',
    type: 'toggles',
    default: { '*': true, plaintext: false, markdown: false, scminput: false },
    description: 'Inline completions per language id: `true` or `false`; `"*"` is every other language. The status-bar item turns the current language on or off.',
  },
  {
    key: 'codebase.embeddingModel',
    type: 'string',
    default: '',
    readmeDefault: 'empty',
    description:
      'An Ollama model with the `embedding` capability (e.g. `nomic-embed-text`, `all-minilm`) for codebase search by meaning; **Hearth: Select Embedding Model** offers the installed ones. The index\'s chunks are embedded in the background in batches (progress in the status bar; a reload goes on where it stopped) and fused with the lexical results once every chunk has a vector. Until then, and whenever Ollama is down or the model fails, `@codebase` searches lexically; embedding is tried again a minute later. Empty: lexical search only, which needs no model. Only an Ollama server embeds.',
    env: { name: 'HEARTH_EMBEDDING_MODEL', description: 'An Ollama embedding model (e.g. `nomic-embed-text`): codebase search also by meaning once its vectors are complete; empty: lexical only' },
  },
  {
    key: 'codebase.auto',
    type: 'boolean',
    default: false,
    description:
      'Search the codebase index for every question, as if `@codebase` were typed: the best snippets go with it as chips (each counted against the context window; ✕ removes one). Off: type `@codebase` to search for one question.',
  },
  {
    key: 'codebase.maxSnippets',
    type: 'integer',
    default: 6,
    minimum: 1,
    maximum: 20,
    description: 'How many snippets a codebase search (`@codebase`, `hearth.codebase.auto`) sends with a question, best first.',
  },
] as const satisfies readonly SettingRow[];

export type SettingKey = (typeof SETTINGS)[number]['key'];

export type SettingRowOf<K extends SettingKey> = Extract<(typeof SETTINGS)[number], { key: K }>;

/** The row of a key; a typo is a type error. */
export function settingRow<K extends SettingKey>(key: K): SettingRowOf<K> {
  return SETTINGS.find((r) => r.key === key) as SettingRowOf<K>;
}

/** Variables only the standalone gateway has (no VS Code setting matches them). */
export interface GatewayEnvRow {
  name: string;
  /** The README's default column. */
  readmeDefault: string;
  description: string;
  /** Whole numbers only; absent for free text. */
  range?: { default: number; minimum: number; maximum: number };
}

export const GATEWAY_ENV = [
  { name: 'HEARTH_GATEWAY_PORT', readmeDefault: '`6120`', description: 'Port to listen on (`0` = any free port)', range: { default: 6120, minimum: 0, maximum: 65_535 } },
  { name: 'HEARTH_GATEWAY_TOKEN', readmeDefault: 'random each start', description: 'A fixed API token (8–512 printable characters, no spaces)' },
  { name: 'HEARTH_DATA_DIR', readmeDefault: '`~/.hearth/sessions`', description: 'Where sessions are stored (one JSON file each)' },
  {
    name: 'HEARTH_HEARTBEAT_MS',
    readmeDefault: '`15000`',
    description: 'Interval of `: keep-alive` lines while a reply is open, also while the model loads',
    range: { default: 15_000, minimum: 10, maximum: 3_600_000 },
  },
  { name: 'HEARTH_WORKSPACE', readmeDefault: 'none', description: 'A folder to index for codebase search (`GET /index`, `GET /search`, `"codebase": true`); `npm start -- --workspace <folder>` does the same and wins' },
] as const satisfies readonly GatewayEnvRow[];

export type ValueResult<T> = { ok: true; value: T } | { ok: false; error: string };

export type ScalarRow = Extract<SettingRow, { type: 'integer' | 'number' | 'boolean' | 'enum' | 'duration' }>;

/** What a scalar row's value is once checked. */
export type ScalarValue<R extends ScalarRow> = R extends { type: 'integer' | 'number' }
  ? number
  : R extends { type: 'boolean' }
    ? boolean
    : R extends { type: 'duration' }
      ? string | number
      : R extends { values: readonly { value: infer V }[] }
        ? V
        : string;

/** "a whole number from 0 to 1048576": what a bad value is told. */
export function allowedText(row: ScalarRow, scale = 1): string {
  switch (row.type) {
    case 'integer':
      return `a whole number from ${row.minimum * scale} to ${row.maximum * scale}`;
    case 'number':
      return `a number from ${row.minimum} to ${row.maximum}`;
    case 'boolean':
      return 'true or false';
    case 'enum':
      return row.values.map((v) => `"${v.value}"`).join(' or ');
    case 'duration':
      return 'a duration such as 30m, 1h, -1 or 0';
  }
}

/**
 * Checks a value as VS Code's settings hold it (JSON) against its row. A duration's
 * bare "-1" and "0" become numbers: Ollama parses strings as Go durations, which need a unit.
 */
export function settingValue<R extends ScalarRow>(row: R, raw: unknown): ValueResult<ScalarValue<R>> {
  const ok = (value: unknown): ValueResult<ScalarValue<R>> => ({ ok: true, value: value as ScalarValue<R> });
  const bad: ValueResult<ScalarValue<R>> = { ok: false, error: `must be ${allowedText(row)}` };
  switch (row.type) {
    case 'integer':
      return typeof raw === 'number' && Number.isInteger(raw) && raw >= row.minimum && raw <= row.maximum ? ok(raw) : bad;
    case 'number':
      return typeof raw === 'number' && Number.isFinite(raw) && raw >= row.minimum && raw <= row.maximum ? ok(raw) : bad;
    case 'boolean':
      return typeof raw === 'boolean' ? ok(raw) : bad;
    case 'enum':
      return row.values.some((v) => v.value === raw) ? ok(raw) : bad;
    case 'duration': {
      if (typeof raw === 'number' && Number.isFinite(raw)) return ok(raw);
      if (typeof raw !== 'string' || !DURATION_RE.test(raw.trim())) return bad;
      const k = raw.trim();
      return ok(k === '-1' ? -1 : k === '0' ? 0 : k);
    }
  }
}

/**
 * Reads a scalar row's environment variable as the standalone gateway does: unset or
 * blank is undefined (the default applies); anything else must be valid, else an
 * error sentence naming the variable. The same range as the VS Code setting; a
 * whole number comes in the variable's own unit (the setting's times `env.scale`).
 */
export function envValue<R extends ScalarRow & { env: EnvBinding }>(row: R, env: Readonly<Record<string, string | undefined>>): ValueResult<ScalarValue<R> | undefined> {
  const name = row.env.name;
  const text = env[name]?.trim();
  if (!text) return { ok: true, value: undefined };
  const scale = row.env.scale ?? 1;
  const fail = (allowed: string): ValueResult<never> => ({ ok: false, error: `${name} must be ${allowed} (got '${text}')` });
  if (row.type === 'integer') {
    const n = wholeNumber(text, row.minimum * scale, row.maximum * scale);
    return n === undefined ? fail(allowedText(row, scale)) : { ok: true, value: n as ScalarValue<R> };
  }
  let parsed: unknown = text;
  if (row.type === 'number') parsed = /^(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : NaN;
  else if (row.type === 'boolean') parsed = /^(true|1|yes|on)$/i.test(text) ? true : /^(false|0|no|off)$/i.test(text) ? false : text;
  else if (row.type === 'enum') parsed = text.toLowerCase();
  const v = settingValue(row, parsed);
  return v.ok ? v : fail(row.type === 'boolean' ? 'true or false (or 1 / 0)' : allowedText(row));
}

/** A gateway-only whole-number variable (GATEWAY_ENV), with the same wording. */
export function gatewayEnvInt(row: GatewayEnvRow & { range: NonNullable<GatewayEnvRow['range']> }, env: Readonly<Record<string, string | undefined>>): ValueResult<number> {
  const text = env[row.name]?.trim();
  if (!text) return { ok: true, value: row.range.default };
  const n = wholeNumber(text, row.range.minimum, row.range.maximum);
  return n === undefined ? { ok: false, error: `${row.name} must be a whole number from ${row.range.minimum} to ${row.range.maximum} (got '${text}')` } : { ok: true, value: n };
}

function wholeNumber(text: string, min: number, max: number): number | undefined {
  const n = Number(text);
  return /^-?\d+$/.test(text) && n >= min && n <= max ? n : undefined;
}

// RFC 9110 token characters for header names; values must not smuggle line breaks.
const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE_RE = /^[^\r\n\0]*$/;

/** hearth.ollama.headers / HEARTH_OLLAMA_HEADERS: the valid headers, and one sentence per invalid one. */
export function checkHeaders(raw: unknown): { headers: Record<string, string>; problems: string[] } {
  const headers: Record<string, string> = {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { headers, problems: ['must be an object of header names to string values'] };
  const problems: string[] = [];
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!HEADER_NAME_RE.test(name)) problems.push(`"${name}" is not a valid header name`);
    else if (typeof value !== 'string') problems.push(`the value of "${name}" must be a string`);
    else if (!HEADER_VALUE_RE.test(value)) problems.push(`the value of "${name}" contains a line break`);
    else headers[name] = value;
  }
  return { headers, problems };
}
