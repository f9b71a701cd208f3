/**
 * Apply as a diff, through the real UI (code-server + Chromium): select a buggy
 * function, Ask About Selection with the Fix preset, the double answers with a
 * corrected block, Apply opens VS Code's diff editor, Accept puts the fix in the
 * editor (unsaved), and one Undo brings the old code back. A second run rejects
 * and nothing changes. Also takes the README screenshot of the diff review:
 * test-results/apply-diff.png, or media/screenshots/apply-diff.png with
 * HEARTH_UPDATE_SCREENSHOTS=1.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { useHearth, type HearthUi } from './harness';

const ROOT = path.resolve(__dirname, '..', '..');
const BUGGY = 'def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n';
const FIXED = BUGGY.replace('return a - b', 'return a + b');
const ANSWER = [
  '`add` subtracts instead of adding. Here is the corrected function:\n\n',
  '```python\n',
  'def add(a, b):\n',
  '    return a + b\n',
  '```\n\n',
  'It now returns the **sum** of `a` and `b`.',
];
const APPLY = 'button[aria-label="Apply to a file (review the change as a diff)"]';

describe('e2e: Apply a fix as a reviewable diff', () => {
  const hearth = useHearth({ files: { 'src/calc.py': BUGGY } });

  /** The text of the editor showing calc.py (Monaco renders spaces as non-breaking ones). */
  async function editorText(ui: HearthUi): Promise<string> {
    const lines = ui.page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
    const text = (await lines.innerText()).replace(/\u00a0/g, ' ');
    return text;
  }

  async function waitForEditorText(ui: HearthUi, want: RegExp): Promise<void> {
    const deadline = Date.now() + 30_000;
    let last = '';
    while (Date.now() < deadline) {
      last = await editorText(ui).catch(() => '');
      if (want.test(last)) return;
      await ui.page.waitForTimeout(100);
    }
    assert.fail(`the editor never showed ${want}; it shows:\n${last}`);
  }

  /** Quick Open (Ctrl+P) by name; the first file search of a cold workbench can be slow, so it is tried again. */
  async function openFile(ui: HearthUi, name: string): Promise<void> {
    const page = ui.page;
    // The chat view takes focus once its page is up, which would close Quick Open: let it settle first.
    await ui.chatFrame().locator('textarea[aria-label="Message"]').waitFor({ state: 'visible', timeout: 60_000 });
    for (let attempt = 1; ; attempt++) {
      try {
        await page.keyboard.press('Control+P');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor({ state: 'visible', timeout: 10_000 });
        await input.fill(name, { timeout: 5_000 });
        await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ state: 'visible', timeout: 15_000 });
        await page.keyboard.press('Enter');
        await page.locator('.tabs-container .tab', { hasText: name }).first().waitFor({ state: 'visible', timeout: 10_000 });
        break;
      } catch (e) {
        await page.keyboard.press('Escape');
        if (attempt >= 4) throw e;
      }
    }
    await waitForEditorText(ui, /def add/);
  }

  /** Opens calc.py, selects the buggy function (lines 1–2) and asks with the Fix preset. */
  async function askFix(ui: HearthUi, chat: FrameLocator): Promise<void> {
    const page = ui.page;
    const tokens = ANSWER.flatMap((part) => part.match(/[\s\S]{1,6}/g) ?? []);
    ui.double.enqueue({ tokens, tokenDelayMs: 10 });
    await openFile(ui, 'calc.py');
    await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    const replies = await chat.locator('[aria-label="Reply"]').count();
    await ui.runCommand('Hearth: Ask About Selection');
    const fix = page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: /^Fix$/ }) }).first();
    await fix.waitFor({ state: 'visible', timeout: 30_000 });
    await fix.click();
    // The reply is there and finished (its last words arrived, nothing streams any more).
    await chat.locator('[aria-label="Reply"]').nth(replies).getByText('It now returns the').waitFor({ timeout: 60_000 });
    await chat.locator('button[aria-label="Stop generating (Escape)"]').waitFor({ state: 'hidden', timeout: 30_000 });
    const asked = ui.double.requests.filter((r) => r.path === '/api/chat').at(-1)?.body.messages.at(-1)?.content as string;
    assert.match(asked, /Fix the bugs in this code/);
  }

  /** Clicks Apply on the newest reply's block and waits for the diff editor. */
  async function applyAndReview(ui: HearthUi, chat: FrameLocator): Promise<void> {
    await chat.locator(APPLY).last().click();
    const tab = ui.page.locator('.tabs-container .tab', { hasText: 'calc.py ↔ Hearth proposal' });
    await tab.waitFor({ state: 'visible', timeout: 30_000 });
    // The diff editor: the file as it is on the left, the proposal on the right.
    await ui.page.locator('.monaco-diff-editor .editor.original .view-lines', { hasText: 'a - b' }).waitFor({ timeout: 30_000 });
    await ui.page.locator('.monaco-diff-editor .editor.modified .view-lines', { hasText: 'a + b' }).waitFor({ timeout: 30_000 });
  }

  function titleAction(ui: HearthUi, title: string) {
    // The diff editor's title bar: the menu entries package.json contributes to editor/title.
    return ui.page.locator(`.editor-actions a.action-label[aria-label="${title}"]`).first();
  }

  it('Fix → Apply → the diff → Accept: the editor holds the fix (unsaved), Undo brings the old code back', async () => {
    const ui = hearth();
    const chat = await ui.openHearthView();
    await askFix(ui, chat);
    await applyAndReview(ui, chat);

    // README screenshot: the chat with its Apply button beside the diff under review.
    const dir = process.env.HEARTH_UPDATE_SCREENSHOTS ? path.join(ROOT, 'media', 'screenshots') : path.join(ROOT, 'test-results');
    await mkdir(dir, { recursive: true });
    await ui.page.mouse.move(700, 850);
    await ui.page.screenshot({ path: path.join(dir, 'apply-diff.png') });

    await titleAction(ui, 'Accept Proposed Change').click();
    await ui.page.locator('.tabs-container .tab', { hasText: 'Hearth proposal' }).waitFor({ state: 'detached', timeout: 30_000 });
    await chat.getByRole('status').filter({ hasText: 'Applied' }).waitFor({ timeout: 30_000 });
    await waitForEditorText(ui, /return a \+ b/);
    assert.match(await editorText(ui), /def add\(a, b\):\s+return a \+ b\s+def mul\(a, b\):\s+return a \* b/);
    const onDisk = await readFile(path.join(ui.session.sandbox.workspaceDir, 'src', 'calc.py'), 'utf8');
    assert.equal(onDisk, BUGGY, 'the file is not saved for the user');
    assert.notEqual(FIXED, BUGGY);

    await ui.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    await ui.page.keyboard.press('Control+Z');
    await waitForEditorText(ui, /return a - b/);
    assert.match(await editorText(ui), /def add\(a, b\):\s+return a - b\s+def mul/, 'one Undo restores the old code');
  });

  it('a second run rejects: the diff closes and nothing changes', async () => {
    const ui = hearth();
    const chat = ui.chatFrame();
    await askFix(ui, chat);
    await applyAndReview(ui, chat);
    await titleAction(ui, 'Reject Proposed Change').click();
    await ui.page.locator('.tabs-container .tab', { hasText: 'Hearth proposal' }).waitFor({ state: 'detached', timeout: 30_000 });
    await chat.getByRole('status').filter({ hasText: 'Rejected' }).waitFor({ timeout: 30_000 });
    await waitForEditorText(ui, /return a - b/);
    assert.doesNotMatch(await editorText(ui), /return a \+ b/);
    const onDisk = await readFile(path.join(ui.session.sandbox.workspaceDir, 'src', 'calc.py'), 'utf8');
    assert.equal(onDisk, BUGGY);
  });
});
