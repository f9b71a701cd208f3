/**
 * `@diff` in the real VS Code UI (code-server + Chromium, the built-in Git
 * extension turned on): a user changes a committed file, types "@diff" in the
 * chat, adds the uncommitted changes as a chip, asks for a review, and the
 * Ollama double receives the diff.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { useHearth } from './harness';

const CALC = 'def add(a, b):\n    return a + b\n';

describe('e2e: @diff', () => {
  const hearth = useHearth({ settings: { 'hearth.model': 'test-model:latest', 'git.enabled': true }, files: { 'src/calc.py': CALC } });

  it('types @diff, adds the uncommitted changes as a chip, asks for a review, and the model receives the diff', async () => {
    const ui = hearth();
    const dir = ui.session.sandbox.workspaceDir;
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Hearth Test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, stdio: 'pipe' });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'first');
    await writeFile(path.join(dir, 'src', 'calc.py'), 'def add(a, b):\n    return b + a\n');

    const chat = await ui.openHearthView();
    const input = chat.locator('textarea[aria-label="Message"]');
    await input.waitFor({ state: 'visible', timeout: 60_000 });
    // The page has its snapshot (the models, and with them the workspace context the @ picker needs).
    await chat.locator('option', { hasText: 'test-model:latest' }).first().waitFor({ state: 'attached', timeout: 60_000 });
    await input.click();
    await input.pressSequentially('Review my changes ', { delay: 10 });
    const row = chat.locator('[role="option"]', { hasText: 'Uncommitted changes' });
    // The Git extension finds the repository made after the window opened on its own; until then the row says so, and typing @diff again asks again.
    const deadline = Date.now() + 90_000;
    for (;;) {
      await input.pressSequentially('@diff', { delay: 20 });
      const said = await row.waitFor({ timeout: 15_000 }).then(
        () => row.textContent(),
        () => 'no row',
      );
      if (said?.includes('1 file changed')) break;
      if (Date.now() > deadline) throw new Error(`the @diff row still says: ${said}`);
      await input.press('Escape');
      for (let i = 0; i < 5; i++) await input.press('Backspace');
    }
    assert.equal(await row.locator('.codicon').getAttribute('class'), 'codicon codicon-git-compare');
    await input.press('Enter');
    const chip = chat.locator('.context-bar .chip-diff');
    await chip.waitFor({ timeout: 30_000 });
    assert.equal(await chip.locator('.chip-name').textContent(), path.basename(dir));
    assert.equal(await input.inputValue(), 'Review my changes ', 'the @diff text gave way to the chip');

    const before = ui.double.requests.length;
    await input.press('Enter');
    const req = await ui.double.waitForRequest((r) => r.path === '/api/chat' && r.index >= before && r.body !== undefined, 60_000);
    const sent = req.body.messages.at(-1).content as string;
    assert.ok(sent.startsWith(`Uncommitted changes in \`${path.basename(dir)}\` (diff)\n\`\`\`diff\n`), sent.slice(0, 200));
    assert.ok(sent.includes('-    return a + b\n+    return b + a\n'), sent);
    assert.ok(sent.trimEnd().endsWith('Review my changes'), sent);
    await chat.locator('.message-user .chip-diff').waitFor({ timeout: 30_000 });
  });
});
