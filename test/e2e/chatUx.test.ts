/**
 * The chat as a user meets it in the real VS Code, in a narrow sidebar (~290 px):
 * one set of New chat / History buttons (the view's title bar), a fenced question
 * rendered as a code block, the history's one-line search field with the list
 * visible below it, focus after commands, following a streaming reply, and the
 * "Ollama is down" states said once.
 */
import assert from 'node:assert/strict';
import type { FrameLocator, Page } from 'playwright-core';
import { useHearth, type HearthUi } from './harness';

const SIDEBAR_PX = 290;

async function ask(chat: FrameLocator, question: string): Promise<void> {
  const input = chat.locator('textarea[aria-label="Message"]');
  await input.waitFor({ state: 'visible', timeout: 60_000 });
  await input.fill(question);
  await input.press('Enter');
}

/** Where the workbench's keyboard focus is: in an editor, in the Hearth webview, or elsewhere. */
function focusIn(page: Page): Promise<'editor' | 'webview' | 'other'> {
  return page.evaluate(() => {
    const a = document.activeElement;
    if (a?.closest('.monaco-editor')) return 'editor';
    if (a?.tagName === 'IFRAME' && a.closest('.webview, [class*="webview"]')) return 'webview';
    if (a?.classList.contains('webview')) return 'webview';
    return 'other';
  });
}

async function openFile(ui: HearthUi, name: string): Promise<void> {
  await ui.page.keyboard.press('Control+P');
  await ui.page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 30_000 });
  await ui.page.keyboard.type(name);
  await ui.page.locator('.quick-input-list .monaco-list-row').first().waitFor({ state: 'visible', timeout: 30_000 });
  await ui.page.keyboard.press('Enter');
  const editor = ui.page.locator('.editor-group-container .monaco-editor .view-lines').first();
  await editor.waitFor({ state: 'visible', timeout: 30_000 });
  await editor.click();
}

/** scrollTop, and how far from the bottom the transcript is scrolled. */
function scrollState(chat: FrameLocator) {
  return chat.locator('.messages').evaluate((el) => ({ top: el.scrollTop, fromBottom: el.scrollHeight - el.scrollTop - el.clientHeight }));
}

describe('e2e: the chat in a narrow sidebar', () => {
  const hearth = useHearth({ files: { 'src/calc.py': 'def add(a, b):\n    return a + b\n' } });

  it('has one set of New chat / History buttons: the view title bar, not the panel', async () => {
    const ui = hearth();
    const chat = await ui.openHearthView();
    assert.equal(await ui.setSidebarWidth(SIDEBAR_PX) <= SIDEBAR_PX + 2, true);
    await chat.locator('textarea[aria-label="Message"]').waitFor({ state: 'visible', timeout: 60_000 });
    await chat.locator('select, .model-select').first().waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await chat.locator('button[aria-label="New chat"]').count(), 0);
    assert.equal(await chat.locator('button[aria-label="Show history"]').count(), 0);
    await ui.page.locator('.part.sidebar a.action-label[aria-label="New Chat"]').filter({ visible: true }).first().waitFor({ timeout: 30_000 });
    await ui.page.locator('.part.sidebar a.action-label[aria-label="Show History"]').filter({ visible: true }).first().waitFor({ timeout: 30_000 });
  });

  it('renders a fenced question as a highlighted code block with Copy', async () => {
    const ui = hearth();
    ui.double.enqueue({ tokens: ['It ', 'divides ', 'by ', 'zero.'], tokenDelayMs: 10 });
    const chat = await ui.openHearthView();
    await ui.newChat();
    await ask(chat, 'Why does this fail?\n```python\nprint(1 / 0)\n```');
    await chat.getByText('It divides by zero.').waitFor({ timeout: 60_000 });
    const you = chat.locator('[aria-label="You"]').last();
    const code = you.locator('pre code');
    await code.waitFor({ timeout: 30_000 });
    assert.equal((await code.textContent())?.trim(), 'print(1 / 0)');
    assert.match((await code.getAttribute('class')) ?? '', /language-python/);
    assert.ok(!((await you.textContent()) ?? '').includes('```'), 'no literal fence in the bubble');
    await you.locator('button[aria-label="Copy code"]').waitFor({ timeout: 30_000 });
    await ui.screenshot('chat-ux-fenced-question');
  });

  it('shows the history as a one-line search field with the list below, first chat visible without scrolling', async () => {
    const ui = hearth();
    const chat = await ui.openHearthView();
    const width = await ui.setSidebarWidth(SIDEBAR_PX);
    await ui.viewAction('Show History');
    const search = chat.locator('input[aria-label="Search chats"]');
    await search.waitFor({ state: 'visible', timeout: 30_000 });
    const first = chat.locator('.history-open').first();
    await first.waitFor({ state: 'visible', timeout: 30_000 });

    const searchBox = (await search.boundingBox())!;
    const firstBox = (await first.boundingBox())!;
    const body = (await chat.locator('.history-body').boundingBox())!;
    const viewport = ui.page.viewportSize()!;
    console.log(`      [hearth] sidebar ${Math.round(width)} px: search field ${Math.round(searchBox.height)} px tall; first chat at y=${Math.round(firstBox.y)}`);
    assert.ok(searchBox.height <= 40, `the search field is one line (${searchBox.height} px)`);
    assert.ok(firstBox.y >= searchBox.y + searchBox.height, 'the list is below the search field');
    assert.ok(firstBox.y + firstBox.height <= body.y + body.height && firstBox.y + firstBox.height <= viewport.height, 'the first chat is visible without scrolling');
    assert.equal(await chat.locator('.history-body').evaluate((el) => el.scrollTop), 0);
    await ui.screenshot('chat-ux-history-narrow');

    // Keyboard: the search field has the focus; ArrowDown reaches the first chat, Enter opens it.
    await search.press('ArrowDown');
    await chat.locator('.history-open:focus').waitFor({ timeout: 10_000 });
    await chat.locator('.history-open:focus').press('Enter');
    await chat.locator('[aria-label="You"]').first().waitFor({ timeout: 30_000 });
    assert.equal(await chat.locator('.history').count(), 0);
  });

  it('Open Chat focuses the message box; Ask About Selection keeps the focus in the editor', async () => {
    const ui = hearth();
    await ui.openHearthView();
    // Away from Hearth (its webview is torn down), into the editor: the next reveal mounts the view afresh.
    await ui.page.keyboard.press('Control+Shift+E');
    await openFile(ui, 'calc.py');
    await ui.page.keyboard.press('Control+A');
    assert.equal(await focusIn(ui.page), 'editor');

    ui.double.enqueue({ tokens: ['It ', 'adds.'], tokenDelayMs: 10 });
    await ui.runCommand('Hearth: Ask About Selection');
    await ui.page.locator('.quick-input-list .monaco-list-row').first().waitFor({ state: 'visible', timeout: 30_000 });
    await ui.page.keyboard.press('Enter');
    const chat = ui.chatFrame();
    await chat.getByText('It adds.').waitFor({ timeout: 60_000 });
    await ui.page.waitForTimeout(1000); // VS Code polls webview focus every 250 ms
    assert.equal(await focusIn(ui.page), 'editor', 'Ask About Selection left the focus in the editor');

    await ui.runCommand('Hearth: Open Chat');
    const input = chat.locator('textarea[aria-label="Message"]');
    await ui.page.waitForFunction(() => document.activeElement?.tagName === 'IFRAME' || !!document.activeElement?.closest('.webview'), undefined, { timeout: 30_000 }).catch(() => undefined);
    assert.equal(await focusIn(ui.page), 'webview');
    // VS Code hands the focus to the webview asynchronously (it polls every 250 ms): wait for it to settle.
    let focused = false;
    for (let i = 0; i < 40 && !focused; i++) {
      focused = await input.evaluate((el) => document.activeElement === el);
      if (!focused) await ui.page.waitForTimeout(250);
    }
    assert.ok(focused, 'the message box has the focus');
    await ui.page.keyboard.type('typed straight away');
    assert.equal(await input.inputValue(), 'typed straight away');
    await input.fill('');
  });

  it('follows a streaming reply, stops following when the user scrolls up, and Jump to latest brings it back', async () => {
    const ui = hearth();
    ui.double.enqueue({ tokens: Array.from({ length: 600 }, (_, i) => (i % 12 === 11 ? `word${i}\n\n` : `word${i} `)), tokenDelayMs: 25 });
    const chat = await ui.openHearthView();
    await ui.newChat();
    await ask(chat, 'Tell me a long story');
    const reply = chat.locator('[aria-label="Reply"]').last();
    await reply.getByText(/word150/).waitFor({ timeout: 60_000 });
    const following = await scrollState(chat);
    assert.ok(following.top > 0 && following.fromBottom < 60, `pinned to the bottom while streaming (${JSON.stringify(following)})`);

    await chat.locator('.messages').hover();
    await ui.page.mouse.wheel(0, -600);
    await chat.locator('button[aria-label="Jump to latest"]').waitFor({ timeout: 10_000 });
    const parked = await scrollState(chat);
    await reply.getByText(/word250/).waitFor({ timeout: 60_000 });
    const later = await scrollState(chat);
    assert.ok(Math.abs(later.top - parked.top) <= 2, `stays where the reader is (${parked.top} → ${later.top})`);
    assert.ok(later.fromBottom > parked.fromBottom, 'while the text grows below');
    await ui.screenshot('chat-ux-jump-to-latest');

    await chat.locator('button[aria-label="Jump to latest"]').click();
    await reply.getByText(/word330/).waitFor({ timeout: 60_000 });
    const back = await scrollState(chat);
    assert.ok(back.fromBottom < 60, `following again (${JSON.stringify(back)})`);
    assert.equal(await chat.locator('button[aria-label="Jump to latest"]').count(), 0);
    await chat.locator('button[aria-label="Stop generating (Escape)"]').click();
    await chat.getByText('Stopped — the reply was cut short.').waitFor({ timeout: 30_000 });
  });

  it('a 20,000-token reply shows every word, in order, and the composer takes typing while it streams', async function () {
    this.timeout(300_000);
    const ui = hearth();
    const count = 20_000;
    // Paragraphs of 40 words: hundreds of blocks, most of them off screen by the end.
    ui.double.enqueue({ tokens: Array.from({ length: count }, (_, i) => (i % 40 === 39 ? `w${i}\n\n` : `w${i} `)), tokenDelayMs: 1 });
    const chat = await ui.openHearthView();
    await ui.newChat();
    await ask(chat, 'Tell me everything');
    const reply = chat.locator('[aria-label="Reply"]').last();
    await reply.getByText(/w1000 /).waitFor({ timeout: 120_000 });

    // Typing while it streams: every key lands, and the reply is still streaming afterwards.
    const input = chat.locator('textarea[aria-label="Message"]');
    await input.click();
    const typed = 'typed while the reply streams';
    const t0 = Date.now();
    await ui.page.keyboard.type(typed);
    // Each key was delivered; wait until the page shows them all (a stalled page would show them late or never).
    for (const deadline = Date.now() + 60_000; (await input.inputValue()) !== typed; ) assert.ok(Date.now() < deadline, `typed text shown: ${await input.inputValue()}`);
    const typingMs = Date.now() - t0;
    assert.equal(await chat.locator('button[aria-label="Stop generating (Escape)"]').count(), 1, 'typed while the reply was still streaming');
    console.log(`      typing ${typed.length} keys while streaming took ${typingMs} ms`);

    await reply.getByText(new RegExp(`w${count - 1}\\b`)).waitFor({ timeout: 240_000 });
    await chat.locator('button[aria-label="Stop generating (Escape)"]').waitFor({ state: 'detached', timeout: 60_000 });
    const words = await reply.evaluate((el) =>
      [...el.querySelectorAll('.md p')].map((p) => p.textContent ?? '').join(' ').split(/\s+/).filter(Boolean),
    );
    const missing = words.length === count ? words.findIndex((w, i) => w !== `w${i}`) : -2;
    assert.equal(missing, -1, `every word in order (${words.length} words; first wrong at ${missing}: ${words[missing]})`);
    assert.equal(await input.inputValue(), typed, 'the draft survived the stream');
    await input.fill('');
  });

  it('Ollama down: the banner says it once with `ollama serve` as code; the failed reply does not repeat it', async () => {
    const ui = hearth();
    const chat = await ui.openHearthView();
    await ui.newChat();
    await ui.double.stop();
    try {
      await ask(chat, 'Are you there?');
      const banner = chat.locator('.banner');
      await banner.waitFor({ timeout: 60_000 });
      await chat.locator('.reply-error').waitFor({ timeout: 60_000 });
      const bannerText = (await banner.textContent()) ?? '';
      assert.ok(!bannerText.includes('`'), `no raw backticks: ${bannerText}`);
      assert.equal(await banner.locator('code', { hasText: 'ollama serve' }).count(), 1);
      const page = (await chat.locator('.app').textContent()) ?? '';
      assert.equal(page.split('ollama serve').length - 1, 1, `said once: ${page}`);
      assert.equal((await chat.locator('.reply-error-text').textContent())?.trim(), 'Could not reach the model server.');
      await ui.screenshot('chat-ux-ollama-down');
    } finally {
      await ui.double.start();
    }
    await chat.locator('button[aria-label="Retry connection"]').click();
    await chat.locator('.banner').waitFor({ state: 'detached', timeout: 60_000 });
    // Retry on the failed reply asks the question again, now that Ollama is back.
    ui.double.enqueue({ tokens: ['Yes, ', 'here.'], tokenDelayMs: 10 });
    await chat.locator('.reply-error button[aria-label="Retry"]').click();
    await chat.getByText('Yes, here.').waitFor({ timeout: 60_000 });
  });
});
