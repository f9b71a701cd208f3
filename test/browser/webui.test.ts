// The browser UI against the real standalone gateway and the Ollama double:
// open with #token, send, watch it stream, stop a long reply (the request to
// Ollama is closed), reload and find the session in the history.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium';
import { startGateway, TEST_MODEL, type GatewayFixture } from './gateway';
import { splitEvery } from './split';

/**
 * The README's screenshot (media/screenshots, shipped with the .vsix) is refreshed on request
 * with HEARTH_UPDATE_SCREENSHOTS=1, as the e2e tests do, so ordinary runs leave the tree clean.
 */
const SCREENSHOT = process.env.HEARTH_UPDATE_SCREENSHOTS
  ? path.resolve(__dirname, '..', '..', 'media', 'screenshots', 'browser-ui.png')
  : path.join(os.tmpdir(), 'hearth-browser-ui.png');

/** A markdown answer with a code block, cut into small tokens as a model would send it. */
const ANSWER = [
  'Here is a small **TypeScript** function that debounces calls:\n\n',
  '```ts\n',
  'export function debounce<T extends unknown[]>(fn: (...args: T) => void, ms: number) {\n',
  '  let timer: ReturnType<typeof setTimeout> | undefined;\n',
  '  return (...args: T) => {\n',
  '    clearTimeout(timer);\n',
  '    timer = setTimeout(() => fn(...args), ms);\n',
  '  };\n',
  '}\n',
  '```\n\n',
  'Each call restarts the timer, so `fn` runs once the calls stop for `ms` milliseconds.\n',
].join('');


describe('web UI on the standalone gateway (Chromium)', function () {
  let browser: Browser;
  let gw: GatewayFixture;
  let page: Page;
  const external: string[] = [];
  const pageErrors: string[] = [];

  before(async function () {
    browser = await launchChromium();
    gw = await startGateway();
    page = await browser.newPage({ viewport: { width: 880, height: 720 }, colorScheme: 'dark' });
    page.on('request', (r) => {
      if (!r.url().startsWith(gw.server.url + '/')) external.push(r.url());
    });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
  });

  after(async function () {
    await browser?.close();
    await gw?.stop();
  });

  it('opens with #token and removes the token from the address bar', async () => {
    await page.goto(gw.openUrl);
    await page.locator('select[aria-label="Model"] option', { hasText: TEST_MODEL }).waitFor({ state: 'attached' });
    assert.doesNotMatch(page.url(), /token/);
    assert.equal(await page.evaluate(() => location.hash), '');
  });

  it('sends a message and shows the reply streaming, then complete with a highlighted code block', async () => {
    gw.double.enqueue({ tokens: splitEvery(ANSWER, 4), tokenDelayMs: 20 });
    const input = page.getByLabel('Message');
    await input.fill('Show me a debounce function in TypeScript');
    await input.press('Enter');
    // Mid-stream: some text is visible while the reply is still busy.
    const partial = await page.waitForFunction(() => {
      const el = document.querySelector('.message-assistant[aria-busy="true"] .md');
      return el && el.textContent && el.textContent.length > 10 ? el.textContent : null;
    });
    const partialText = (await partial.jsonValue()) as string;
    await page.locator('.message-assistant[aria-busy="false"] .reply-footer').waitFor();
    const finalText = await page.locator('.message-assistant .md').innerText();
    assert.ok(partialText.length < finalText.length, 'the reply grew after the first render');
    assert.match(finalText, /Each call restarts the timer/);
    assert.ok((await page.locator('.code-block .hljs-keyword').count()) > 0, 'the code block is highlighted');
    assert.match(await page.locator('.reply-footer').innerText(), new RegExp(TEST_MODEL.replace(/[.:]/g, '\\$&')));
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
  });

  it('stops a long reply: the request to Ollama is closed and the partial text is kept', async () => {
    gw.double.enqueue({ tokens: Array.from({ length: 2000 }, (_, i) => `word${i} `), tokenDelayMs: 30 });
    const input = page.getByLabel('Message');
    await input.fill('Write a very long essay');
    await input.press('Enter');
    await page.waitForFunction(() => (document.querySelectorAll('.message-assistant')[1]?.textContent ?? '').includes('word5'));
    // The view follows the stream to the bottom…
    await page.waitForFunction(() => {
      const el = document.querySelector('.messages')!;
      return el.scrollHeight > el.clientHeight + 200 && el.scrollHeight - el.scrollTop - el.clientHeight < 50;
    });
    // …until the user scrolls up: then it stays where they are while text keeps coming.
    await page.locator('.messages').evaluate((el) => el.scrollTo({ top: 0 }));
    const before = await page.locator('.message-assistant').nth(1).evaluate((el) => el.textContent!.length);
    await page.waitForFunction((n) => document.querySelectorAll('.message-assistant')[1]!.textContent!.length > n + 200, before);
    assert.ok((await page.locator('.messages').evaluate((el) => el.scrollTop)) < 50, 'the view was pulled back down');
    await page.getByLabel('Stop generating (Escape)').click();
    // The latest /api/chat request, i.e. this reply's, was closed by the gateway.
    const closed = await gw.double.waitForClientClose();
    assert.equal(closed.body && (closed.body as { messages: Array<{ content: string }> }).messages.at(-1)?.content, 'Write a very long essay');
    await page.locator('.reply-marker', { hasText: 'Stopped' }).waitFor();
    const kept = await page.locator('.message-assistant').nth(1).innerText();
    assert.match(kept, /word5/);
    assert.doesNotMatch(kept, /word1999/);
  });

  it('after a reload the session is in the history', async () => {
    await page.reload();
    await page.locator('select[aria-label="Model"] option', { hasText: TEST_MODEL }).waitFor({ state: 'attached' });
    await page.getByLabel('Show history').click();
    await page.locator('.history-title', { hasText: 'Show me a debounce function in TypeScript' }).waitFor();
    await page.locator('.history-title', { hasText: 'Show me a debounce function in TypeScript' }).click();
    await page.locator('.message-assistant .md', { hasText: 'Each call restarts the timer' }).waitFor();
    await page.locator('.message-assistant .reply-marker', { hasText: 'Stopped' }).waitFor();
  });

  it('attaches local files (file picker, drag and drop): chips, then the model receives their content', async () => {
    await page.getByLabel('New chat').click();
    const code = 'def greet(name):\n    return f"Hello, {name}!"\n';
    await page.locator('input[aria-label="Files to attach"]').setInputFiles({ name: 'greet.py', mimeType: 'text/x-python', buffer: Buffer.from(code) });
    await page.locator('.context-bar .chip', { hasText: 'greet.py' }).waitFor();
    // Dropped on the message box: read in the page, like the picker's.
    const dt = await page.evaluateHandle(() => {
      const d = new DataTransfer();
      d.items.add(new File(['# Notes\nUse greet() for greetings.\n'], 'notes.md', { type: 'text/markdown' }));
      return d;
    });
    await page.locator('.composer').dispatchEvent('drop', { dataTransfer: dt });
    await page.locator('.context-bar .chip', { hasText: 'notes.md' }).waitFor();
    // A binary file is refused with the reason; nothing else is lost.
    await page.locator('input[aria-label="Files to attach"]').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]) });
    await page.getByText('logo.png looks like a binary file').waitFor();
    const before = gw.double.requests.length;
    const input = page.getByLabel('Message');
    await input.fill('What does greet return?');
    await input.press('Enter');
    const req = await gw.double.waitForRequest((r) => r.index >= before && r.path === '/api/chat' && r.body !== undefined, 30_000);
    const sent = req.body.messages.at(-1).content as string;
    assert.ok(sent.includes('File `greet.py` (python)\n```python\n' + code + '```'), sent);
    assert.ok(sent.includes('File `notes.md` (markdown)'), sent);
    assert.ok(sent.trimEnd().endsWith('What does greet return?'), sent);
    await page.locator('.message-user .chip', { hasText: 'greet.py' }).waitFor();
  });

  it('made no request outside the gateway and threw no page errors', () => {
    assert.deepEqual(external, []);
    assert.deepEqual(pageErrors, []);
  });
});
