// `@codebase` in the browser UI, against the real gateway process (src/standalone/main.ts,
// what `npm start` runs) started with `--workspace` on a fixture folder and the Ollama
// double: the picker offers @codebase, the question goes with the snippets of the file
// that answers (the model receives them), they show as chips with path, lines and
// ≈ tokens in the question and again after a reload (the history); the .env that
// mentions the same words never appears. A second gateway without a workspace says why.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startOllamaDouble, type OllamaDouble } from '../double';
import { spawnGateway, type GatewayProcess } from '../unit/server/spawnGateway';
import { launchChromium } from './chromium';
import { TEST_MODEL } from './gateway';
import { buildWebview } from './webviewBuild';

const TOKEN = 'c0debase'.repeat(4);

function fixture(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hearth-browser-ws-'));
  const put = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  };
  put('billing/ledger.py', 'def reconcile_invoice_ledger(entries):\n    """Sums the ledger entries of an invoice."""\n    return sum(entries)\n');
  put('billing/.env', 'RECONCILE_INVOICE_LEDGER_KEY=sk-ledger-secret\n');
  put('docs/garden.md', '# Garden\nTomatoes like sun.\n');
  put('src/app.ts', 'export function greet(name: string) {\n  return `hello ${name}`;\n}\n');
  return dir;
}

async function start(double: OllamaDouble, args: string[]): Promise<{ g: GatewayProcess; url: string; data: string }> {
  const data = mkdtempSync(path.join(os.tmpdir(), 'hearth-browser-data-'));
  const g = spawnGateway({ HEARTH_DATA_DIR: data, OLLAMA_HOST: double.url, HEARTH_GATEWAY_TOKEN: TOKEN, HEARTH_WEBVIEW_DIR: buildWebview() }, args);
  const port = await g.ready;
  return { g, url: `http://127.0.0.1:${port}`, data };
}

async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 900, height: 760 } });
  await page.goto(`${url}/#token=${TOKEN}`);
  await page.locator('select[aria-label="Model"] option', { hasText: TEST_MODEL }).waitFor({ state: 'attached', timeout: 60_000 });
  return page;
}

describe('@codebase in the browser UI (the real gateway process with --workspace)', function () {
  let browser: Browser;
  let double: OllamaDouble;
  let ws: string;
  const running: { g: GatewayProcess; data: string }[] = [];

  before(async function () {
    this.timeout(180_000);
    browser = await launchChromium();
    double = await startOllamaDouble({ models: [TEST_MODEL] });
    ws = fixture();
  });

  after(async function () {
    this.timeout(60_000);
    await browser?.close();
    for (const r of running) {
      await r.g.kill();
      rmSync(r.data, { recursive: true, force: true });
    }
    await double?.stop();
    if (ws) rmSync(ws, { recursive: true, force: true });
  });

  it('offers @codebase; the model receives the snippets of the file that answers, shown as chips (path, lines, ≈ tokens) with the question and after a reload; never the .env', async function () {
    this.timeout(180_000);
    const s = await start(double, ['--workspace', ws]);
    running.push(s);
    // The index is built in the background: the test waits for it as a user would see it (GET /index).
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = await fetch(`${s.url}/index`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      const body = (await r.json()) as { state: string };
      if (body.state === 'ready') break;
      assert.ok(Date.now() < deadline, `the index is still ${body.state}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const page = await openPage(browser, s.url);
    const input = page.getByLabel('Message');
    await input.click();
    await input.pressSequentially('Where is the invoice ledger reconciled? @cod', { delay: 5 });
    const row = page.locator('[role="option"]', { hasText: '@codebase' });
    await row.waitFor({ timeout: 30_000 });
    assert.match(await row.innerText(), /Search 3 files for your question/);
    assert.ok(await page.getByLabel('Attach files').isVisible(), 'the attach button stays');
    await input.press('Enter');
    await page.locator('.context-bar .chip-codebase').waitFor({ timeout: 30_000 });
    const before = double.requests.length;
    await input.press('Enter');

    const req = await double.waitForRequest((r) => r.path === '/api/chat' && r.index >= before && r.body !== undefined, 60_000);
    const sent = (req.body as { messages: { content: string }[] }).messages.at(-1)!.content;
    assert.match(sent, /Snippet from `billing\/ledger\.py` \(python, lines 1-3\)\n```python\ndef reconcile_invoice_ledger/, sent.slice(0, 600));
    assert.ok(!sent.includes('sk-ledger-secret') && !sent.includes('.env'), 'the secret file is never sent');

    const question = page.locator('.message-user').last();
    const snippet = question.locator('.chip-snippet', { hasText: 'billing/ledger.py:1-3' });
    await snippet.waitFor({ timeout: 30_000 });
    assert.match(await snippet.locator('.chip-tokens').innerText(), /^≈\d+$/);
    assert.match(await question.locator('.chip-summary').innerText(), /^Searched 3 files$/);
    assert.equal(await page.locator('.chip', { hasText: '.env' }).count(), 0);
    await page.locator('.message-assistant[aria-busy="false"] .reply-footer').waitFor({ timeout: 60_000 });

    // The history: the stored question shows the same chips after a reload.
    await page.reload();
    await page.locator('.message-user .chip-snippet', { hasText: 'billing/ledger.py:1-3' }).waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('.chip', { hasText: '.env' }).count(), 0);
    await page.screenshot({ path: path.join(os.tmpdir(), 'hearth-browser-codebase.png') });
    await page.close();
  });

  it('a gateway without a workspace: the picker says how to get one, and picking it says why not', async function () {
    this.timeout(120_000);
    const s = await start(double, []);
    running.push(s);
    const page = await openPage(browser, s.url);
    const input = page.getByLabel('Message');
    await input.click();
    await input.pressSequentially('@cod', { delay: 5 });
    const row = page.locator('[role="option"]', { hasText: '@codebase' });
    await row.waitFor({ timeout: 30_000 });
    assert.match(await row.innerText(), /no workspace.*--workspace/);
    await input.press('Enter');
    await page.locator('.notice', { hasText: 'no workspace to search' }).waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('.context-bar .chip').count(), 0);
    await page.close();
  });
});
