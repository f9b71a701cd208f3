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
});
