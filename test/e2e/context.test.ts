/**
 * Workspace context in the real VS Code UI (code-server + Chromium): type `@`
 * in the chat, pick a workspace file, send, and the Ollama double receives the
 * file's content in the one attachment format; run the "Ask Hearth to fix"
 * quick fix on a diagnostic. Also takes the README screenshot of chips:
 * test-results/context-chips.png, or media/screenshots/context-chips.png with
 * HEARTH_UPDATE_SCREENSHOTS=1.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { useHearth, type HearthUi } from './harness';

const ROOT = path.resolve(__dirname, '..', '..');

const STRINGS = 'export function shout(s: string): string {\n  return s.toUpperCase() + "!";\n}\n';
const BROKEN_JSON = '{\n  "name": "demo",\n  "version": 1,\n  "private": true\n  "license": "MIT"\n}\n';

/** The last /api/chat request the double got after `from`, once it arrives. */
async function chatRequest(ui: HearthUi, from: number): Promise<string> {
  const req = await ui.double.waitForRequest((r) => r.path === '/api/chat' && r.index >= from && r.body !== undefined, 60_000);
  return req.body.messages.at(-1).content as string;
}

/** Opens a workspace file in the editor with Quick Open. */
async function openFile(ui: HearthUi, name: string): Promise<void> {
  const page = ui.page;
  // The first search of a fresh window waits for the file indexer: one retry, generous waits.
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('Control+P');
    const quick = page.locator('.quick-input-widget input');
    await quick.waitFor({ state: 'visible', timeout: 30_000 });
    await quick.fill(name);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
    try {
      await row.waitFor({ timeout: 45_000 });
      break;
    } catch (e) {
      if (attempt > 0) throw e;
      await page.keyboard.press('Escape');
    }
  }
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab', { hasText: name }).first().waitFor({ timeout: 30_000 });
}

/** The sidebar (its lower `height` pixels when given), widened first. */
async function sidebarShot(ui: HearthUi, name: string, height?: number): Promise<void> {
  // Wide enough for the chips in the picture.
  await ui.setSidebarWidth(440);
  const sidebar = ui.page.locator('.part.sidebar');
  await ui.page.mouse.move(700, 600);
  // Tracked screenshots change only when asked to, so a test run leaves the tree clean.
  const dir = process.env.HEARTH_UPDATE_SCREENSHOTS ? path.join(ROOT, 'media', 'screenshots') : path.join(ROOT, 'test-results');
  await mkdir(dir, { recursive: true });
  const after = await sidebar.boundingBox();
  const file = path.join(dir, `${name}.png`);
  if (after && height && height < after.height) await ui.page.screenshot({ path: file, clip: { x: after.x, y: after.y + after.height - height, width: after.width, height } });
  else await sidebar.screenshot({ path: file });
}

async function options(chat: FrameLocator): Promise<string[]> {
  return chat.locator('[role="option"]').evaluateAll((els) => els.map((e) => e.textContent ?? ''));
}

describe('e2e: workspace context', () => {
  const hearth = useHearth({
    settings: { 'hearth.model': 'test-model:latest' },
    files: {
      'src/strings_util.ts': STRINGS,
      'src/calc.py': 'def add(a, b):\n    return a + b\n',
      'README.md': '# Demo\n\nA tiny project.\n',
      '.gitignore': 'build/\n',
      'build/strings_util.js': '// generated, ignored by git\n',
      '.env': 'API_KEY=do-not-send\n',
      'config/broken.json': BROKEN_JSON,
    },
  });

  it('types @, picks a workspace file with the keyboard, sends, and the model receives the file', async () => {
    const ui = hearth();
    const chat = await ui.openHearthView();
    // The file in the editor is offered as a one-click chip.
    await openFile(ui, 'README.md');
    await chat.locator('button[aria-label="Add current file README.md"]').waitFor({ timeout: 30_000 });
    const input = chat.locator('textarea[aria-label="Message"]');
    await input.waitFor({ state: 'visible', timeout: 60_000 });
    await input.click();

    // Secrets are never offered.
    await input.pressSequentially('@.en', { delay: 20 });
    await chat.getByText(/No matching files/).waitFor({ timeout: 60_000 });
    await input.press('Escape');
    await input.fill('');

    await input.pressSequentially('Explain @strings', { delay: 20 });
    const option = chat.locator('[role="option"]', { hasText: 'strings_util.ts' }).first();
    await option.waitFor({ timeout: 60_000 });
    // .gitignore'd build output is not offered, only the source file.
    assert.deepEqual((await options(chat)).filter((t) => t.includes('strings_util')), ['strings_util.tssrc']);
    await input.press('Enter');
    await chat.locator('.context-bar .chip', { hasText: 'strings_util.ts' }).waitFor({ timeout: 30_000 });
    assert.equal(await input.inputValue(), 'Explain ', 'the @text became the chip');

    // A second chip with Tab, for the picture: two files, their tokens and the total.
    await input.pressSequentially('@calc', { delay: 20 });
    await chat.locator('[role="option"]', { hasText: 'calc.py' }).first().waitFor({ timeout: 30_000 });
    await input.press('Tab');
    await chat.locator('.context-bar .chip', { hasText: 'calc.py' }).waitFor({ timeout: 30_000 });
    await input.pressSequentially('what these do', { delay: 10 });
    await chat.getByLabel(/^Context use:/).waitFor();
    // The picture: the chips, the total, the current file offered, and the picker open on a bare @.
    await input.pressSequentially(' @', { delay: 10 });
    await chat.locator('[role="option"]').first().waitFor({ timeout: 30_000 });
    await sidebarShot(ui, 'context-chips', 420);
    await input.press('Escape');
    assert.equal(await input.inputValue(), 'Explain what these do @', 'Escape keeps the typed @');
    await input.press('Backspace');
    await input.press('Backspace');

    const before = ui.double.requests.length;
    await input.press('Enter');
    const sent = await chatRequest(ui, before);
    assert.ok(sent.includes('File `src/strings_util.ts` (typescript)'), sent);
    assert.ok(sent.includes(STRINGS), sent);
    assert.ok(sent.includes('File `src/calc.py` (python)'), sent);
    assert.ok(sent.trimEnd().endsWith('Explain what these do'), sent);
    assert.ok(!sent.includes('do-not-send'));
    // The question in the transcript shows what went with it.
    await chat.locator('.message-user .chip', { hasText: 'strings_util.ts' }).waitFor({ timeout: 30_000 });
    await chat.locator('.message-user .chip', { hasText: 'calc.py' }).waitFor({ timeout: 30_000 });
    await chat.locator('button[aria-label="Stop generating (Escape)"]').waitFor({ state: 'hidden', timeout: 60_000 });
    await ui.screenshot('context-sent');
  });

  it('runs the "Ask Hearth to fix" quick fix on a diagnostic: the model receives the problem, where it is and the code around it', async () => {
    const ui = hearth();
    const chat = await ui.openHearthView();
    await ui.newChat();
    const page = ui.page;
    // New Chat puts the caret in the message box; Quick Open needs the workbench's focus.
    await page.locator('.part.editor').click();
    await openFile(ui, 'broken.json');
    // The JSON language server reports the missing comma.
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'attached', timeout: 90_000 });
    await page.locator('.monaco-editor .view-lines').first().click();
    // To the problem (F8), close its peek, then the quick fixes (Ctrl+.).
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('F8');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+.');
    const widget = page.locator('.action-widget');
    await widget.getByText(/Ask Hearth to fix/).first().waitFor({ state: 'visible', timeout: 30_000 });
    await ui.screenshot('context-quick-fix');
    // The menu is keyboard-driven (a pointer block covers it); JSON has no other quick fix, so ours is the first entry.
    const before = ui.double.requests.length;
    await page.keyboard.press('Enter');

    const sent = await chatRequest(ui, before);
    assert.match(sent, /^Problems in `config\/broken\.json` \(line 5\)\n```+\nconfig\/broken\.json:5:\d+ error/, sent);
    assert.ok(sent.includes('Selection from `config/broken.json` (json, lines 1-7)'), sent);
    assert.ok(sent.includes('"private": true\n  "license": "MIT"'), 'the code around the problem');
    assert.match(sent, /Fix this error at line 5 of config\/broken\.json: .+\nExplain the cause briefly, then show the corrected code\.$/, sent);
    await chat.locator('.message-user .chip', { hasText: 'broken.json:5' }).waitFor({ timeout: 30_000 });
    await ui.screenshot('context-fix-sent');
  });
});
