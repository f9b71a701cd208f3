/**
 * Sessions outlive the window, for real: a workbench reload brings the session
 * and its messages back, and a reply cut off by a killed extension host (SIGKILL,
 * no chance to clean up) comes back marked "interrupted", partial text kept.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { useHearth, type HearthUi } from './harness';

/** Children of each pid, from /proc (Linux). */
function processTree(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The command name in field 2 may hold spaces: parse after its closing parenthesis.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      // Gone meanwhile.
    }
  }
  return children;
}

/** The extension host processes code-server forked for this run (descendants with --type=extensionHost). */
function extensionHostPids(rootPid: number): number[] {
  const tree = processTree();
  const found: number[] = [];
  const queue = [rootPid];
  while (queue.length) {
    const pid = queue.shift()!;
    for (const child of tree.get(pid) ?? []) {
      queue.push(child);
      try {
        if (readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('--type=extensionHost')) found.push(child);
      } catch {
        // Gone meanwhile.
      }
    }
  }
  return found;
}

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The folder holding Hearth's transcripts in this sandbox's global storage. */
async function sessionsDir(ui: HearthUi): Promise<string> {
  const dir = path.join(ui.session.sandbox.userDataDir, 'User', 'globalStorage', 'hearth-dev.hearth', 'sessions');
  await readdir(dir);
  return dir;
}

async function reloadWorkbench(page: Page): Promise<void> {
  await page.reload();
  await page.locator('.monaco-workbench .activitybar').waitFor({ state: 'visible', timeout: 120_000 });
}

/**
 * After a reload the workbench restores the open Hearth view on its own; clicking
 * the activity-bar icon then could race with the restore and close it. So wait for
 * the restored view first, and open it only if it does not come back.
 */
async function showChatAfterReload(ui: HearthUi): Promise<FrameLocator> {
  const chat = ui.chatFrame();
  try {
    await chat.locator('textarea[aria-label="Message"]').waitFor({ state: 'visible', timeout: 15_000 });
    return chat;
  } catch {
    return ui.openHearthView();
  }
}

async function ask(chat: FrameLocator, question: string): Promise<void> {
  const input = chat.locator('textarea[aria-label="Message"]');
  await input.waitFor({ state: 'visible', timeout: 60_000 });
  await input.fill(question);
  await input.press('Enter');
}

async function openFromHistory(chat: FrameLocator, title: string): Promise<void> {
  await chat.locator('button[aria-label="Show history"]').click();
  await chat.getByText(title).first().click();
}

describe('e2e: sessions across a reload and a crashed extension host', () => {
  const hearth = useHearth();

  it('after reloading the window the session and its messages are back', async () => {
    const ui = hearth();
    ui.double.enqueue({ tokens: ['The ', 'answer ', 'survives ', 'reloads.'], tokenDelayMs: 20 });
    let chat = await ui.openHearthView();
    await ask(chat, 'Will you remember this?');
    await chat.getByText('The answer survives reloads.').waitFor({ timeout: 60_000 });

    await reloadWorkbench(ui.page);
    chat = await showChatAfterReload(ui);
    await openFromHistory(chat, 'Will you remember this?');
    await chat.getByText('The answer survives reloads.').waitFor({ timeout: 60_000 });
    await chat.locator('[aria-label="You"]').getByText('Will you remember this?').waitFor({ timeout: 30_000 });
  });

  it('a reload in the middle of a reply keeps the text streamed so far', async () => {
    const ui = hearth();
    ui.double.enqueue({ tokens: Array.from({ length: 500 }, (_, i) => `bit${i} `), tokenDelayMs: 60 });
    let chat = await ui.openHearthView();
    await chat.locator('button[aria-label="New chat"]').click();
    await ask(chat, 'Reload while you answer');
    await chat.locator('[aria-label="Reply"]').last().getByText(/bit12 /).waitFor({ timeout: 60_000 });

    await reloadWorkbench(ui.page);
    await ui.double.waitForClientClose(undefined, 60_000);
    chat = await showChatAfterReload(ui);
    await openFromHistory(chat, 'Reload while you answer');
    const reply = chat.locator('[aria-label="Reply"]').last();
    await reply.getByText(/bit0 /).waitFor({ timeout: 60_000 });

    const dir = await sessionsDir(ui);
    const stored = await waitFor(async () => {
      for (const f of (await readdir(dir)).filter((n) => n.endsWith('.json'))) {
        const s = JSON.parse(await readFile(path.join(dir, f), 'utf8'));
        if (s.messages?.[0]?.content === 'Reload while you answer' && s.messages[1]?.status !== 'streaming') return s;
      }
      return undefined;
    }, 'the reply to be finalized');
    console.log(`      [hearth] after a reload mid-reply the reply is "${stored.messages[1].status}" with ${stored.messages[1].content.length} characters`);
    // deactivate() stopped the turn and wrote its final text before the host went away.
    assert.equal(stored.messages[1].status, 'stopped');
    assert.ok(stored.messages[1].content.includes('bit12 '), 'the text streamed before the reload is kept');
  });

  it('after the extension host is killed mid-reply the turn is shown as interrupted, partial text kept', async () => {
    const ui = hearth();
    ui.double.enqueue({ tokens: Array.from({ length: 500 }, (_, i) => `part${i} `), tokenDelayMs: 60 });
    let chat = await ui.openHearthView();
    await chat.locator('button[aria-label="New chat"]').click();
    await ask(chat, 'Stream until the crash');
    await chat.locator('[aria-label="Reply"]').last().getByText(/part12 /).waitFor({ timeout: 60_000 });

    const serverPid = ui.session.server.process.pid;
    assert.ok(serverPid, 'code-server runs');
    const hosts = extensionHostPids(serverPid);
    assert.equal(hosts.length, 1, `exactly one extension host under code-server (found ${hosts.join(', ')})`);
    // What a crash does: no deactivate, no final write.
    process.kill(hosts[0]!, 'SIGKILL');
    await ui.double.waitForClientClose(undefined, 30_000);

    // On disk the reply is still "streaming", with the partial text flushed so far.
    const dir = await sessionsDir(ui);
    const transcripts = await Promise.all((await readdir(dir)).filter((f) => f.endsWith('.json')).map(async (f) => JSON.parse(await readFile(path.join(dir, f), 'utf8'))));
    const crashed = transcripts.find((s) => s.messages?.[0]?.content === 'Stream until the crash');
    assert.ok(crashed, 'the session was written ahead');
    assert.equal(crashed.messages[1].status, 'streaming');

    // A new window (a new extension host) recovers it.
    await reloadWorkbench(ui.page);
    await waitFor(() => (extensionHostPids(serverPid).some((p) => p !== hosts[0]) ? true : undefined), 'a new extension host');
    chat = await showChatAfterReload(ui);
    await chat.locator('button[aria-label="Show history"]').click();
    await chat.getByText(/· interrupted/).first().waitFor({ timeout: 60_000 });
    await chat.getByText('Stream until the crash').first().click();
    // The UI shows the stored reason ("… stopped before this reply finished.") beside the partial text.
    await chat.getByText(/stopped before this reply finished/).first().waitFor({ timeout: 60_000 });
    const replyText = (await chat.locator('[aria-label="Reply"]').last().textContent()) ?? '';
    assert.ok(replyText.includes('part0'), 'the partial text is kept');

    const after = JSON.parse(await readFile(path.join(dir, `${crashed.id}.json`), 'utf8'));
    assert.equal(after.messages[1].status, 'interrupted');
    assert.equal(after.messages[1].error.code, 'interrupted');
    assert.ok(after.messages[1].content.startsWith('part0 '));
  });
});
