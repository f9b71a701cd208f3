// Hostile model output streamed through the real renderer in Chromium, via the
// real gateway and the Ollama double: nothing executes, no live markup appears,
// and no request leaves the gateway's origin.
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { XSS_CORPUS } from '../webview/corpus';
import { launchChromium } from './chromium';
import { startGateway, TEST_MODEL, type GatewayFixture } from './gateway';
import { splitEvery } from './split';

/** Small pieces, so each payload is re-rendered mid-way many times; big ones for the very long texts. */
const chunks = (text: string) => splitEvery(text, text.length > 20_000 ? 5000 : 9);

/** What the page holds that it should not: runs inside the page. */
function inspectPage() {
  const w = window as unknown as { __pwned?: unknown; __csp?: string[] };
  const live = Array.from(document.querySelectorAll('script, iframe, object, embed, img, svg, base, meta[http-equiv], frame, audio, video, source, form'))
    // The page's own bundle is the only script; its head has only the charset/viewport metas.
    .filter((el) => !(el.tagName === 'SCRIPT' && el.getAttribute('src')?.startsWith('/assets/')))
    .map((el) => el.outerHTML.slice(0, 120));
  const badAttrs: string[] = [];
  for (const el of Array.from(document.querySelectorAll('*'))) {
    for (const a of Array.from(el.attributes)) {
      if (/^on/i.test(a.name) || a.name === 'srcdoc') badAttrs.push(`${el.tagName} ${a.name}`);
      if ((a.name === 'href' || a.name === 'src' || a.name === 'action' || a.name === 'formaction') && !/^(https?:|mailto:|\/assets\/)/i.test(a.value)) badAttrs.push(`${el.tagName} ${a.name}=${a.value.slice(0, 60)}`);
    }
  }
  const styles = document.querySelectorAll('style, link[rel="stylesheet"]:not([href^="/assets/"])').length;
  return { pwned: w.__pwned ?? null, live, badAttrs, styles, csp: w.__csp ?? [], replyText: document.querySelector('.message-assistant')?.textContent?.length ?? 0 };
}

describe('XSS corpus through the real renderer (Chromium)', function () {
  let browser: Browser;
  let gw: GatewayFixture;
  let page: Page;
  const external: string[] = [];
  const dialogs: string[] = [];
  const cspReports: string[] = [];
  const pageErrors: string[] = [];

  before(async function () {
    browser = await launchChromium();
    gw = await startGateway();
    page = await browser.newPage();
    page.on('request', (r) => {
      if (!r.url().startsWith(gw.server.url + '/')) external.push(r.url());
    });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspReports.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(gw.openUrl);
    await page.locator('select[aria-label="Model"] option', { hasText: TEST_MODEL }).waitFor({ state: 'attached' });
    await page.evaluate(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        const w = window as unknown as { __csp?: string[] };
        (w.__csp ??= []).push(`${e.violatedDirective} ${e.blockedURI}`);
      });
    });
  });

  after(async function () {
    await browser?.close();
    await gw?.stop();
  });

  XSS_CORPUS.forEach(({ name, text }, i) => {
    it(`streams inert: ${name}`, async () => {
      await page.getByLabel('New chat').click();
      // The previous reply must be gone from the page before this one is awaited.
      await page.locator('.welcome').waitFor({ timeout: 30_000 });
      gw.double.enqueue({ tokens: chunks(text), tokenDelayMs: 1 });
      const input = page.getByLabel('Message');
      await input.fill(`case ${i}: ${name}`);
      await input.press('Enter');
      await page.locator('.message-assistant[aria-busy="false"]').waitFor({ timeout: 60_000 });
      const report = await page.evaluate(inspectPage);
      assert.equal(report.pwned, null, 'a payload ran');
      assert.deepEqual(report.live, [], 'live elements were created');
      assert.deepEqual(report.badAttrs, [], 'dangerous attributes were created');
      assert.equal(report.styles, 0, 'a style element was injected');
      assert.deepEqual(report.csp, [], 'the renderer tried something the CSP had to block');
      assert.ok(report.replyText > 0, `the hostile text is shown as text (page: ${await page.evaluate(() => (document.querySelector('.notices')?.textContent ?? '') + ' | ' + document.querySelector('.content')?.innerHTML.slice(0, 600))})`);
      assert.deepEqual(dialogs, []);
      assert.deepEqual(external, []);
    });
  });

  it('no dialog, CSP report, page error or outside request over the whole corpus', () => {
    assert.deepEqual(dialogs, []);
    assert.deepEqual(cspReports, []);
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(external, []);
  });

  // Last: it deliberately trips the CSP.
  it('the detector itself notices live markup (control)', async () => {
    const report = await page.evaluate(() => {
      const box = document.createElement('div');
      box.innerHTML = '<img src="/assets/control.png" onerror="window.__pwned=1"><a href="javascript:void 0">x</a>';
      document.body.appendChild(box);
      return null;
    });
    assert.equal(report, null);
    const seen = await page.evaluate(inspectPage);
    assert.equal(seen.live.length, 1);
    assert.equal(seen.badAttrs.length, 2);
    // And the page's CSP is a second wall: the injected handler was blocked, not run.
    await page.waitForFunction(() => ((window as unknown as { __csp?: string[] }).__csp ?? []).length > 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned ?? null), null);
    await page.evaluate(() => document.body.lastElementChild?.remove());
  });
});
