/**
 * Smoke: in a real VS Code, the Hearth activity-bar entry opens the chat view
 * and its webview renders the chat UI (two iframes deep). Leaves a screenshot in
 * test-results/smoke-chat-view.png.
 */
import assert from 'node:assert/strict';
import { useHearth } from './harness';

describe('e2e smoke', () => {
  const hearth = useHearth();

  it('opens the Hearth view from the activity bar and renders the chat webview', async () => {
    const ui = hearth();
    const chat = await ui.openHearthView();
    await chat.locator('#root > *').first().waitFor({ state: 'visible', timeout: 60_000 });
    const input = chat.locator('textarea[aria-label="Message"]');
    await input.waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await input.isEditable(), true, 'the message box is editable');
    const shot = await ui.screenshot('smoke-chat-view');
    assert.ok(shot.endsWith('.png'));
  });

  it('runs Hearth: Select Model from the command palette and lists the server\'s models', async () => {
    const ui = hearth();
    await ui.runCommand('Hearth: Select Model');
    // The quick pick shows the double's models: palette → extension host → Ollama double → UI.
    const rows = ui.page.locator('.quick-input-list .monaco-list-row');
    await rows.filter({ hasText: 'test-model:latest' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await ui.screenshot('smoke-select-model');
    await ui.page.keyboard.press('Escape');
  });
});
