// The HTTP API changes a session an open page shows: the page follows (Chromium,
// the real standalone gateway). A rename shows in the history; a delete makes the
// page leave the chat and drop it from the history.
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium';
import { startGateway, TEST_MODEL, type GatewayFixture } from './gateway';

describe('the store tells the page: DELETE / PATCH /sessions/{id} (Chromium)', function () {
  let browser: Browser;
  let gw: GatewayFixture;
  let page: Page;
  const pageErrors: string[] = [];

  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${gw.server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${gw.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  before(async function () {
    browser = await launchChromium();
    gw = await startGateway();
    page = await browser.newPage({ viewport: { width: 880, height: 720 } });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(gw.openUrl);
    await page.locator('select[aria-label="Model"] option', { hasText: TEST_MODEL }).waitFor({ state: 'attached' });
  });

  after(async function () {
    await browser?.close();
    await gw?.stop();
  });

  it('a session renamed over HTTP is renamed in the open page, and one deleted over HTTP leaves it', async () => {
    gw.double.enqueue({ tokens: ['An answer ', 'to keep.'] });
    const input = page.getByLabel('Message');
    await input.fill('a question to rename and delete');
    await input.press('Enter');
    await page.locator('.message-assistant[aria-busy="false"]', { hasText: 'An answer to keep.' }).waitFor();
    const list = (await (await api('GET', '/sessions')).json()) as { sessions: { session_id: string }[] };
    assert.equal(list.sessions.length, 1);
    const id = list.sessions[0]!.session_id;

    await page.getByLabel('Show history').click();
    await page.locator('.history-title', { hasText: 'a question to rename and delete' }).waitFor();
    assert.equal((await api('PATCH', `/sessions/${id}`, { title: 'Renamed from a script' })).status, 200);
    await page.locator('.history-title', { hasText: 'Renamed from a script' }).waitFor();

    assert.equal((await api('DELETE', `/sessions/${id}`)).status, 204);
    await page.locator('.history-title', { hasText: 'Renamed from a script' }).waitFor({ state: 'detached' });
    await page.locator('.message-assistant').first().waitFor({ state: 'detached' });
    assert.equal(await page.locator('.message-user').count(), 0, 'the page left the deleted chat');
    assert.deepEqual(pageErrors, []);
  });
});
