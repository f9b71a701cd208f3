/**
 * `@codebase` in the real VS Code UI, from the packaged extension: a user types
 * a question and "@codebase", adds it as a chip, sends, and the Ollama double
 * receives the snippets of the file that holds the answer, shown as chips with
 * the question; the secret file (.env) that mentions the same words never goes.
 * Search Codebase names a result by the symbol tree-sitter found, which shows
 * that the package ships the grammars and the extension loads them.
 */
import assert from 'node:assert/strict';
import { findRepoRoot } from '../../scripts/vscode-host/repo';
import { launchHearth, type HearthUi } from './harness';
import { packageVsix, type PackagedVsix } from './packageVsix';

const LEDGER = [
  'def reconcile_invoice_ledger(entries):',
  '    """Sums the ledger entries of an invoice."""',
  '    return sum(entries)',
  '',
].join('\n');

describe('e2e: @codebase (packaged .vsix)', function () {
  let vsix: PackagedVsix | undefined;
  let launched: HearthUi | undefined;

  before(async function () {
    this.timeout(420_000);
    // As a user gets it: the index code must be in the package and load from it.
    vsix = await packageVsix(findRepoRoot(__dirname));
    launched = await launchHearth({
      vsix: vsix.file,
      settings: { 'hearth.model': 'test-model:latest' },
      files: {
        'billing/ledger.py': LEDGER,
        'billing/.env': 'RECONCILE_INVOICE_LEDGER_KEY=sk-ledger-secret\n',
        'docs/garden.md': '# Garden\nTomatoes like sun.\n',
        // An anonymous default export: only tree-sitter names it (after its module: the folder of an index file).
        'latefees/index.ts': 'export default function (daysOverdue: number): number {\n  return Math.min(daysOverdue * 1.5, 40);\n}\n',
      },
    });
  });
  after(async function () {
    this.timeout(60_000);
    await launched?.dispose();
    await vsix?.dispose();
  });

  it('types a question and @codebase; the model receives the snippets of the file that answers, as chips; never the .env', async function () {
    this.timeout(300_000);
    const ui = launched!;
    const chat = await ui.openHearthView();
    const input = chat.locator('textarea[aria-label="Message"]');
    await input.waitFor({ state: 'visible', timeout: 60_000 });
    await input.click();
    await input.pressSequentially('Where is the invoice ledger reconciled? ', { delay: 10 });
    await input.pressSequentially('@codebase', { delay: 20 });
    const row = chat.locator('[role="option"]', { hasText: '@codebase' });
    await row.waitFor({ timeout: 30_000 });
    await input.press('Enter');
    const chip = chat.locator('.context-bar .chip-codebase');
    await chip.waitFor({ timeout: 30_000 });

    // The index starts a moment after activation; a search while it builds answers from what it has, so wait for it to have the file.
    const deadline = Date.now() + 90_000;
    let sent = '';
    for (;;) {
      const before = ui.double.requests.length;
      await input.press('Enter');
      const req = await ui.double.waitForRequest((r) => r.path === '/api/chat' && r.index >= before && r.body !== undefined, 60_000);
      sent = req.body.messages.at(-1).content as string;
      if (sent.includes('Snippet from `billing/ledger.py`') || Date.now() > deadline) break;
      // Not indexed yet: ask again as a new question with a new @codebase chip.
      await chat.locator('.message-user').last().waitFor({ timeout: 30_000 });
      await input.click();
      await input.pressSequentially('Where is the invoice ledger reconciled? @codebase', { delay: 10 });
      await row.waitFor({ timeout: 30_000 });
      await input.press('Enter');
      await chip.waitFor({ timeout: 30_000 });
    }
    assert.match(sent, /Snippet from `billing\/ledger\.py` \(python, lines \d+-\d+\)\n```python\ndef reconcile_invoice_ledger/, sent.slice(0, 600));
    assert.ok(!sent.includes('sk-ledger-secret') && !sent.includes('.env'), 'the secret file is never sent');
    assert.ok(sent.trimEnd().endsWith('Where is the invoice ledger reconciled?'), sent.slice(-200));
    // Shown with the question: the snippet as a chip of its own kind, naming its file.
    const snippet = chat.locator('.message-user').last().locator('.chip-snippet', { hasText: 'ledger.py' });
    await snippet.waitFor({ timeout: 30_000 });
    assert.equal(await chat.locator('.message-user .chip-snippet', { hasText: '.env' }).count(), 0);
    await ui.screenshot('codebase-snippets');
  });

  it('Search Codebase labels a result with the symbol tree-sitter found (the grammars load from the package)', async function () {
    this.timeout(180_000);
    const ui = launched!;
    // The workbench is up and Hearth active (this test may run alone).
    await ui.openHearthView();
    const label = ui.page.locator('.quick-input-list .monaco-list-row .label-name', { hasText: /^\W*latefees\s*$/ });
    const deadline = Date.now() + 90_000;
    for (;;) {
      await ui.runCommand('Hearth: Search Codebase');
      const input = ui.page.locator('.quick-input-widget input');
      await input.fill('late fees days overdue');
      try {
        await label.first().waitFor({ timeout: 10_000 });
        break;
      } catch (e) {
        // The index may still be building: ask again.
        await ui.page.keyboard.press('Escape');
        if (Date.now() > deadline) throw e;
      }
    }
    // Without the grammar the label would be the file name, index.ts.
    const row = ui.page.locator('.quick-input-list .monaco-list-row', { has: ui.page.locator('.label-name', { hasText: /^\W*latefees\s*$/ }) });
    assert.match((await row.first().textContent()) ?? '', /latefees\/index\.ts:1-3/);
    await ui.page.keyboard.press('Escape');
  });
});
