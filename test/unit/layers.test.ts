import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

// The checker is an ES module script; load it the way `npm test` runs it.
const load = () => import('../../scripts/check-layers.mjs');

describe('layering check', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'hearth-layers-'));
    for (const d of ['src/shared', 'src/gateway', 'src/core', 'src/extension', 'src/standalone', 'webview']) await mkdir(path.join(root, d), { recursive: true });
    await writeFile(path.join(root, 'src/shared/events.ts'), 'export type X = 1;\n');
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const write = (rel: string, body: string) => writeFile(path.join(root, rel), body);

  it('passes the real source tree', async () => {
    const { checkLayers } = await load();
    assert.deepEqual(await checkLayers(path.resolve(__dirname, '../..')), []);
  });

  it('fails when src/gateway imports vscode', async () => {
    await write('src/gateway/bad.ts', "import * as vscode from 'vscode';\nexport const x = vscode;\n");
    const { checkLayers } = await load();
    const v = await checkLayers(root);
    assert.equal(v.length, 1);
    assert.equal(v[0]!.file, path.join('src', 'gateway', 'bad.ts'));
    assert.match(v[0]!.reason, /must not import vscode/);
  });

  it('fails when the webview imports the gateway or a Node built-in', async () => {
    await write('webview/a.ts', "import { x } from '../src/gateway/thing';\nimport fs from 'node:fs';\nconst y = require('path');\n");
    const { checkLayers } = await load();
    const reasons = (await checkLayers(root)).map((v) => v.reason);
    assert.equal(reasons.length, 3);
    assert.ok(reasons.some((r) => /must not import src\/gateway/.test(r)));
    assert.ok(reasons.some((r) => /node:fs/.test(r)));
    assert.ok(reasons.some((r) => /'path'/.test(r)));
  });

  it('fails when src/shared imports upward, but allows the downward imports', async () => {
    await write('src/shared/bad.ts', "export { y } from '../extension/y';\n");
    await write('src/extension/ok.ts', "import * as vscode from 'vscode';\nimport { a } from '../gateway/a';\nimport type { X } from '../shared/events';\n");
    await write('src/gateway/ok.ts', "import { X } from '../shared/events';\nimport { request } from 'undici';\n// import 'vscode' in a comment is fine\n");
    const { checkLayers } = await load();
    const v = await checkLayers(root);
    assert.deepEqual(v.map((x) => x.file), [path.join('src', 'shared', 'bad.ts')]);
  });

  it('keeps the conversation core free of vscode, Node and its transports', async () => {
    await write('src/core/a.ts', "import * as vscode from 'vscode';\nimport { b } from '../extension/b';\nimport { c } from '../standalone/c';\nimport { setTimeout } from 'node:timers';\n");
    await write('src/core/ok.ts', "import type { ChatService } from '../gateway/chat/types';\nimport { foldEvent } from '../shared/fold';\n");
    const { checkLayers } = await load();
    const reasons = (await checkLayers(root)).map((v) => `${v.file}: ${v.reason}`);
    assert.equal(reasons.length, 4, reasons.join('\n'));
    assert.ok(reasons.every((r) => r.startsWith(path.join('src', 'core', 'a.ts'))));
    assert.ok(reasons.some((r) => /src\/core must not import vscode/.test(r)));
    assert.ok(reasons.some((r) => /must not import src\/extension/.test(r)));
    assert.ok(reasons.some((r) => /must not import src\/standalone/.test(r)));
    assert.ok(reasons.some((r) => /node:timers/.test(r)));
  });

  it('lets both transports use the core, but never each other, and the gateway never the core', async () => {
    await write('src/extension/ok.ts', "import { ConversationHub } from '../core/hub';\n");
    await write('src/standalone/ok.ts', "import { ConversationHub } from '../core/hub';\nimport fs from 'node:fs';\n");
    await write('src/standalone/bad.ts', "import { x } from '../extension/x';\n");
    await write('src/gateway/bad.ts', "import { ConversationHub } from '../core/hub';\n");
    const { checkLayers } = await load();
    const v = await checkLayers(root);
    assert.deepEqual(v.map((x) => x.file).sort(), [path.join('src', 'gateway', 'bad.ts'), path.join('src', 'standalone', 'bad.ts')]);
  });

  it('sees dynamic imports', async () => {
    await write('src/gateway/dyn.ts', "export const load = () => import('vscode');\n");
    const { checkLayers } = await load();
    assert.equal((await checkLayers(root)).length, 1);
  });

  it('follows imports: src/core reaching a Node built-in through gateway files fails, naming the path', async () => {
    await write('src/core/a.ts', "import { b } from '../gateway/b';\nexport const a = b;\n");
    await write('src/gateway/b.ts', "export { c as b } from './c';\n");
    await write('src/gateway/c.ts', "import { readFileSync } from 'node:fs';\nexport const c = readFileSync;\n");
    const { checkLayers } = await load();
    const v = await checkLayers(root);
    assert.equal(v.length, 1, JSON.stringify(v));
    assert.equal(v[0]!.file, path.join('src', 'core', 'a.ts'));
    assert.equal(v[0]!.specifier, 'node:fs');
    assert.match(v[0]!.reason, /src\/core must not reach 'node:fs', even indirectly: src\/core\/a\.ts → src\/gateway\/b\.ts → src\/gateway\/c\.ts imports it/);
  });

  it('follows imports from src/shared and the webview too, through a shared file that imports a Node built-in', async () => {
    await write('src/shared/util.ts', "import path from 'node:path';\nexport const j = path.join;\n");
    await write('src/shared/uses.ts', "import { j } from './util';\nexport const k = j;\n");
    await mkdir(path.join(root, 'webview/components'), { recursive: true });
    await write('webview/components/View.tsx', "import { k } from '../../src/shared/uses';\nexport const v = k;\n");
    const { checkLayers } = await load();
    const v = (await checkLayers(root)).map((x) => `${x.file}: ${x.reason}`).sort();
    assert.equal(v.length, 3, v.join('\n'));
    assert.match(v.find((x) => x.startsWith(path.join('src', 'shared', 'util.ts')))!, /must not import Node built-in 'node:path'/);
    assert.match(v.find((x) => x.startsWith(path.join('src', 'shared', 'uses.ts')))!, /even indirectly: src\/shared\/uses\.ts → src\/shared\/util\.ts imports it/);
    assert.match(v.find((x) => x.startsWith(path.join('webview', 'components', 'View.tsx')))!, /webview must not reach 'node:path'/);
  });

  it('a type-only import loads nothing, so it is not followed', async () => {
    await write('src/gateway/types.ts', "import type { Readable } from 'node:stream';\nimport { createHash } from 'node:crypto';\nexport type T = Readable;\nexport const h = createHash;\n");
    await write('src/core/t.ts', "import type { T } from '../gateway/types';\nimport { type T as U } from '../gateway/types';\nexport type { T } from '../gateway/types';\nexport type V = T | U;\n");
    const { checkLayers } = await load();
    assert.deepEqual(await checkLayers(root), []);
    await write('src/core/t.ts', "import { type T, h } from '../gateway/types';\nexport const x: T | undefined = h ? undefined : undefined;\n");
    assert.equal((await checkLayers(root)).length, 1, 'a value import next to a type one loads the module');
  });

  it('one rule list: importViolation (which ESLint runs) says the same as the script', async () => {
    const { importViolation } = await load();
    assert.match(importViolation('src/core/x.ts', 'node:fs')!, /src\/core must not import Node built-in/);
    assert.match(importViolation('src/core/deep/x.ts', '../../extension/log')!, /must not import src\/extension/);
    assert.equal(importViolation('src/core/deep/x.ts', '../../gateway/net/redact'), undefined);
    assert.match(importViolation('webview/components/A.tsx', '../../src/gateway/config')!, /webview must not import src\/gateway/);
    assert.equal(importViolation('webview/components/A.tsx', '../../src/shared/fold'), undefined);
    assert.match(importViolation('src/gateway/x.ts', 'vscode')!, /must not import vscode/);
    assert.equal(importViolation('test/unit/x.test.ts', 'vscode'), undefined, 'tests are outside the layers');
  });
});
