/**
 * The packaged extension, installed from its .vsix as a user would, works in a
 * real VS Code: the chat view renders and reaches the Ollama double. Catches a
 * .vscodeignore or build that leaves out something the running extension needs
 * (webview assets, the manifest of hashed files, the icon).
 */
import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { findRepoRoot } from '../../scripts/vscode-host/repo';
import { launchHearth, type HearthUi } from './harness';
import { packageVsix, type PackagedVsix } from './packageVsix';

describe('e2e packaged .vsix', function () {
  let vsix: PackagedVsix | undefined;
  let ui: HearthUi | undefined;

  before(async function () {
    this.timeout(420_000);
    vsix = await packageVsix(findRepoRoot(__dirname));
    ui = await launchHearth({ vsix: vsix.file });
  });
  after(async function () {
    this.timeout(60_000);
    await ui?.dispose();
    await vsix?.dispose();
  });

  it('is at most 8 MB (the tree-sitter grammars are most of it)', async () => {
    const { size } = await stat(vsix!.file);
    assert.ok(size <= 8 * 1024 * 1024, `${(size / 1024 / 1024).toFixed(2)} MB`);
  });

  it('installs into the extensions folder', async () => {
    const installed = await readdir(ui!.session.sandbox.extensionsDir);
    assert.ok(installed.some((d) => d.startsWith('hearth-dev.hearth-')), `installed: ${installed.join(', ')}`);
    const files = await readdir(path.join(ui!.session.sandbox.extensionsDir, installed.find((d) => d.startsWith('hearth-dev.hearth-'))!));
    assert.ok(!files.includes('src') && !files.includes('node_modules') && !files.includes('test'), `unexpected: ${files.join(', ')}`);
  });

  it('renders the chat view and lists the double\'s models', async () => {
    const chat = await ui!.openHearthView();
    await chat.locator('textarea[aria-label="Message"]').waitFor({ state: 'visible', timeout: 60_000 });
    // The model list travels double → extension host → webview.
    await chat.locator('select[aria-label="Model"] option[value="test-model:latest"]').waitFor({ state: 'attached', timeout: 60_000 });
    await ui!.screenshot('packaged-chat-view');
  });
});
