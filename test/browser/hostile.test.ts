// Hostile markdown through the real web UI in Chromium, via the real
// gateway and the Ollama double: every shape of the corpus streamed as one turn of
// the same session. The panel never blanks, each reply shows its text, the turn
// after them renders formatted, and reopening the session renders all of it again.
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { HOSTILE_MARKDOWN } from '../webview/corpus';
import { launchChromium } from './chromium';
import { startGateway, TEST_MODEL, type GatewayFixture } from './gateway';
import { splitEvery } from './split';


describe('hostile markdown through the real renderer (Chromium)', function () {
  let browser: Browser;
  let gw: GatewayFixture;
  let page: Page;
  const pageErrors: string[] = [];
  const renderErrors: string[] = [];

  before(async function () {
    browser = await launchChromium();
    gw = await startGateway();
    page = await browser.newPage({ viewport: { width: 900, height: 760 } });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      // The boundaries log what they caught: the guards should keep anything from getting there.
      if (m.type() === 'error' && /Hearth:/.test(m.text())) renderErrors.push(m.text());
    });
    await page.goto(gw.openUrl);
    await page.locator('select[aria-label="Model"] option', { hasText: TEST_MODEL }).waitFor({ state: 'attached' });
  });

  after(async function () {
    await browser?.close();
    await gw?.stop();
  });

  const replies = () => page.locator('.message-assistant[aria-busy="false"]');

  HOSTILE_MARKDOWN.forEach(({ name, text }, i) => {
    it(`streams and shows: ${name}`, async () => {
      gw.double.enqueue({ tokens: splitEvery(text, 400), tokenDelayMs: 1 });
      const input = page.getByLabel('Message');
      await input.fill(`hostile ${i}: ${name}`);
      await input.press('Enter');
      await page.waitForFunction((n) => document.querySelectorAll('.message-assistant[aria-busy="false"]').length === n, i + 1, { timeout: 60_000 });
      const shown = await replies().nth(i).evaluate((el) => el.textContent ?? '');
      assert.match(shown, /END/, 'the end of the reply is on screen');
      assert.ok(shown.length > 1000, `the reply is not blank (${shown.length} characters shown)`);
    });
  });

  it('the next turn renders formatted, below all of them', async () => {
    gw.double.enqueue({ tokens: ['A **normal** ', 'answer with `code`.'], tokenDelayMs: 5 });
    const input = page.getByLabel('Message');
    await input.fill('and now something ordinary');
    await input.press('Enter');
    const last = replies().nth(HOSTILE_MARKDOWN.length);
    await last.locator('strong', { hasText: 'normal' }).waitFor();
    assert.equal(await last.locator('code.md-codespan').innerText(), 'code');
  });

  it('reopening the session after a reload renders every reply again', async () => {
    await page.reload();
    await page.locator('select[aria-label="Model"] option', { hasText: TEST_MODEL }).waitFor({ state: 'attached' });
    await page.getByLabel('Show history').click();
    await page.locator('.history-title', { hasText: 'hostile 0' }).click();
    await page.locator('.message-assistant strong', { hasText: 'normal' }).waitFor({ timeout: 60_000 });
    const texts = await page.locator('.message-assistant').evaluateAll((els) => els.map((e) => e.textContent ?? ''));
    assert.equal(texts.length, HOSTILE_MARKDOWN.length + 1);
    texts.slice(0, -1).forEach((t, i) => assert.match(t, /END/, `reply ${i} (${HOSTILE_MARKDOWN[i]!.name})`));
    assert.ok(await page.getByLabel('Message').isVisible(), 'the composer is still there');
  });

  it('threw no page error, and nothing reached an error boundary', () => {
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(renderErrors, []);
  });
});
