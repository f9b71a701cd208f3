/**
 * Sessions outlive the window, for real: a workbench reload reopens the session
 * that was open (no trip through History), scrolled to its end; a reply the reload
 * cut off, or a killed extension host (SIGKILL, no chance to clean up), comes back
 * marked "interrupted" with Retry, partial text kept; another workspace opens its
 * own last session, or an empty chat.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { workbenchUrl } from '../../scripts/vscode-host/workbench';
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

/** How far from the bottom the transcript is scrolled (0 = at its end). */
function fromBottom(chat: FrameLocator): Promise<number> {
  return chat.locator('.messages').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
}

/** The id of the stored session whose first question is `question` (its transcript is written ahead of the reply). */
async function sessionIdOf(ui: HearthUi, question: string): Promise<string> {
  const dir = await sessionsDir(ui);
  return waitFor(async () => {
    for (const f of (await readdir(dir)).filter((n) => n.endsWith('.json'))) {
      try {
        const s = JSON.parse(await readFile(path.join(dir, f), 'utf8'));
        if (s.messages?.[0]?.content === question && typeof s.id === 'string') return s.id as string;
      } catch {
        // Being replaced meanwhile: read again on the next round.
      }
    }
    return undefined;
  }, `the transcript of "${question}"`);
}

/**
 * Resolves once the web workbench has written, to its IndexedDB, Hearth's globalState
 * with `sessionId` remembered as some workspace's open chat. The update travels from the
 * extension host to the page and is flushed to IndexedDB later still; a page left before
 * that loses it (as closing a browser tab can), and how long it takes depends on the load.
 */
async function rememberedDurably(ui: HearthUi, sessionId: string): Promise<void> {
  await waitFor(
    () =>
      ui.page
        .evaluate(
          async ({ extensionId, key, id }) => {
            const names = (await indexedDB.databases()).map((d) => d.name ?? '').filter((n) => n.startsWith('vscode-web-state-db-'));
            for (const name of names) {
              const value = await new Promise<unknown>((resolve) => {
                const open = indexedDB.open(name);
                open.onerror = () => resolve(undefined);
                open.onsuccess = () => {
                  const db = open.result;
                  try {
                    const get = db.transaction('ItemTable', 'readonly').objectStore('ItemTable').get(extensionId);
                    get.onsuccess = () => {
                      db.close();
                      resolve(get.result);
                    };
                    get.onerror = () => {
                      db.close();
                      resolve(undefined);
                    };
                  } catch {
                    db.close();
                    resolve(undefined);
                  }
                };
              });
              if (typeof value !== 'string') continue;
              try {
                const remembered = (JSON.parse(value) as Record<string, unknown>)[key];
                if (remembered && typeof remembered === 'object' && Object.values(remembered).includes(id)) return true;
              } catch {
                // Not JSON: not ours.
              }
            }
            return undefined;
          },
          { extensionId: 'hearth-dev.hearth', key: 'hearth.lastSession', id: sessionId },
        )
        .then((found) => found ?? undefined),
    `session ${sessionId} to be remembered in the workbench's IndexedDB`,
  );
}

/**
 * The same workbench on another folder: what a new window on another workspace shows.
 * `openChat` is the first question of the chat open now: the page is left only once
 * that chat is durably remembered as this workspace's open one.
 */
async function openFolder(ui: HearthUi, folder: string, openChat: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  const asked = Date.now();
  await rememberedDurably(ui, await sessionIdOf(ui, openChat));
  console.log(`      [hearth] the open chat was stored in IndexedDB ${Date.now() - asked} ms after the reply was shown`);
  const url = workbenchUrl({ serverUrl: ui.session.server.url, folder, extensionDevelopmentPath: ui.session.root });
  await ui.page.goto(url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
  await ui.page.locator('.monaco-workbench .activitybar').waitFor({ state: 'visible', timeout: 120_000 });
}

describe('e2e: sessions across a reload and a crashed extension host', () => {
  const hearth = useHearth();

  it('after reloading the window the open session is back without opening History, scrolled to its end, the composer ready', async () => {
    const ui = hearth();
    // Long enough to scroll: the end is only visible if the view was scrolled there.
    const paragraphs = Array.from({ length: 40 }, (_, i) => `Paragraph ${i} of a long answer.\n\n`);
    ui.double.enqueue({ tokens: [...paragraphs, 'The ', 'answer ', 'survives ', 'reloads.'], tokenDelayMs: 5 });
    let chat = await ui.openHearthView();
    await ask(chat, 'Will you remember this?');
    await chat.getByText('The answer survives reloads.').waitFor({ timeout: 60_000 });

    await reloadWorkbench(ui.page);
    chat = await showChatAfterReload(ui);
    const last = chat.getByText('The answer survives reloads.');
    await last.waitFor({ timeout: 60_000 });
    await chat.locator('[aria-label="You"]').getByText('Will you remember this?').waitFor({ state: 'attached', timeout: 30_000 });
    assert.equal(await chat.locator('.history').count(), 0, 'the chat itself, not the history');
    assert.ok((await fromBottom(chat)) < 30, 'scrolled to the end');
    assert.ok(await last.isVisible());
    const input = chat.locator('textarea[aria-label="Message"]');
    assert.equal(await input.isEnabled(), true);
    await input.fill('and a follow-up');
    assert.equal(await chat.locator('button[aria-label="Send"]').isEnabled(), true, 'ready to send');
    await input.fill('');
  });

  it('a reload in the middle of a reply keeps the text streamed so far, shown as interrupted with Retry', async () => {
    const ui = hearth();
    ui.double.enqueue({ tokens: Array.from({ length: 500 }, (_, i) => `bit${i} `), tokenDelayMs: 60 });
    let chat = await ui.openHearthView();
    await ui.newChat();
    await ask(chat, 'Reload while you answer');
    await chat.locator('[aria-label="Reply"]').last().getByText(/bit12 /).waitFor({ timeout: 60_000 });

    await reloadWorkbench(ui.page);
    await ui.double.waitForClientClose(undefined, 60_000);
    chat = await showChatAfterReload(ui);
    // Reopened by itself: the session that was open, its reply marked as cut off.
    const reply = chat.locator('[aria-label="Reply"]').last();
    await reply.getByText(/bit0 /).waitFor({ timeout: 60_000 });
    await reply.getByText(/Interrupted/).waitFor({ timeout: 30_000 });
    assert.equal(await chat.locator('.history').count(), 0);

    const dir = await sessionsDir(ui);
    const stored = await waitFor(async () => {
      for (const f of (await readdir(dir)).filter((n) => n.endsWith('.json'))) {
        const s = JSON.parse(await readFile(path.join(dir, f), 'utf8'));
        if (s.messages?.[0]?.content === 'Reload while you answer' && s.messages[1]?.status !== 'streaming') return s;
      }
      return undefined;
    }, 'the reply to be finalized');
    console.log(`      [hearth] after a reload mid-reply the reply is "${stored.messages[1].status}" with ${stored.messages[1].content.length} characters`);
    // deactivate() stopped the turn and wrote its final text before the host went away;
    // nobody pressed Stop, so it is recorded as interrupted, as after a crash.
    assert.equal(stored.messages[1].status, 'interrupted');
    assert.ok(stored.messages[1].content.includes('bit12 '), 'the text streamed before the reload is kept');

    // Retry asks the same question again.
    ui.double.enqueue({ tokens: ['A ', 'whole ', 'answer ', 'this ', 'time.'], tokenDelayMs: 10 });
    await reply.locator('button[aria-label="Retry"]').click();
    await chat.getByText('A whole answer this time.').waitFor({ timeout: 60_000 });
    assert.equal(await chat.locator('[aria-label="You"]').count(), 1, 'the same question, answered anew');
  });

  it('after the extension host is killed mid-reply the turn is shown as interrupted, partial text kept', async () => {
    const ui = hearth();
    ui.double.enqueue({ tokens: Array.from({ length: 500 }, (_, i) => `part${i} `), tokenDelayMs: 60 });
    let chat = await ui.openHearthView();
    await ui.newChat();
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
    // The crashed session was the open one: it is back by itself, the reply marked, with Retry.
    await chat.getByText(/stopped before this reply finished/).first().waitFor({ timeout: 60_000 });
    await chat.locator('[aria-label="Reply"]').last().locator('button[aria-label="Retry"]').waitFor({ timeout: 30_000 });
    // The history says so too.
    await ui.viewAction('Show History');
    await chat.getByText(/· interrupted/).first().waitFor({ timeout: 60_000 });
    await chat.getByText('Stream until the crash').first().click();
    await chat.getByText(/stopped before this reply finished/).first().waitFor({ timeout: 60_000 });
    const replyText = (await chat.locator('[aria-label="Reply"]').last().textContent()) ?? '';
    assert.ok(replyText.includes('part0'), 'the partial text is kept');

    const after = JSON.parse(await readFile(path.join(dir, `${crashed.id}.json`), 'utf8'));
    assert.equal(after.messages[1].status, 'interrupted');
    assert.equal(after.messages[1].error.code, 'interrupted');
    assert.ok(after.messages[1].content.startsWith('part0 '));
  });

  it('a new window on another workspace opens that workspace’s last session, or an empty chat', async () => {
    const ui = hearth();
    const home = ui.session.sandbox.workspaceDir;
    const other = path.join(ui.session.sandbox.root, 'other-workspace');
    let chat = await ui.openHearthView();
    await ui.newChat();
    ui.double.enqueue({ tokens: ['Home ', 'answer.'], tokenDelayMs: 5 });
    await ask(chat, 'A question in the first workspace');
    await chat.getByText('Home answer.').waitFor({ timeout: 60_000 });

    await openFolder(ui, other, 'A question in the first workspace');
    chat = await showChatAfterReload(ui);
    await chat.getByText('Ask anything').waitFor({ timeout: 60_000 });
    assert.equal(await chat.locator('[aria-label="You"]').count(), 0, 'nothing of the other workspace is opened here');
    ui.double.enqueue({ tokens: ['Other ', 'answer.'], tokenDelayMs: 5 });
    await ask(chat, 'A question in the other workspace');
    await chat.getByText('Other answer.').waitFor({ timeout: 60_000 });

    await openFolder(ui, home, 'A question in the other workspace');
    chat = await showChatAfterReload(ui);
    await chat.getByText('Home answer.').waitFor({ timeout: 60_000 });
    assert.equal(await chat.getByText('Other answer.').count(), 0);

    await openFolder(ui, other, 'A question in the first workspace');
    chat = await showChatAfterReload(ui);
    await chat.getByText('Other answer.').waitFor({ timeout: 60_000 });
  });
});
