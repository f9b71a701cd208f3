/**
 * Hearth in the real VS Code (code-server) against the Ollama test double:
 * ask about a selection, pick a model, stop a reply, sessions that survive a
 * fresh store, settings and the API key applied live. Inspected through the
 * extension's test API (exports.test), never by scraping the UI.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HearthApi } from '../../src/extension/extension';
import type { HearthTestApi } from '../../src/extension/testApi';
import type { ChatMessage } from '../../src/shared/session';
import { double } from './support/double';

const EXTENSION_ID = 'hearth-dev.hearth';

async function hearth(): Promise<{ api: HearthApi; t: HearthTestApi }> {
  const ext = vscode.extensions.getExtension<HearthApi>(EXTENSION_ID);
  assert.ok(ext, 'Hearth is not loaded');
  const api = await ext.activate();
  assert.ok(api.test, 'the test API is exposed outside production mode');
  return { api, t: api.test };
}

async function waitUntil(probe: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function installedModels(): Promise<string[]> {
  return (await double.models({})).models;
}

/** Opens the chat view and waits until its webview has said `ready` and got a snapshot. */
async function openView(api: HearthApi, t: HearthTestApi): Promise<void> {
  await vscode.commands.executeCommand('hearth.openChat');
  await api.whenChatViewResolved();
  await waitUntil(() => t.viewReady(), 'the webview to say ready and get a snapshot', 60_000);
}

const reply = (m: ChatMessage[] | undefined) => m?.find((x) => x.role === 'assistant');
const user = (m: ChatMessage[] | undefined) => m?.find((x) => x.role === 'user');

describe('Hearth in VS Code', function () {
  this.timeout(120_000);
  let api: HearthApi;
  let t: HearthTestApi;

  before(async () => {
    ({ api, t } = await hearth());
    await openView(api, t);
    // Start from a model the double really has, whatever its name.
    const [first] = await installedModels();
    assert.ok(first, 'the double offers a model');
    await vscode.commands.executeCommand('hearth.selectModel', { model: first });
  });

  beforeEach(async () => {
    await double.reset();
    await t.idle();
    // A fresh chat as the page asks for one: the New Chat command would also focus the
    // panel's input, and that focus lands a frame or two later in the webview, closing
    // a quick pick a test has opened meanwhile (Select Model failed on it ~1 run in 3).
    await t.simulateWebviewMessage({ type: 'newChat' });
  });

  it('activates cheaply (the figure is printed; target < 50 ms, asserted loosely so a loaded machine cannot flake it)', async () => {
    console.log(`[hearth] activate() took ${api.activationMs.toFixed(1)} ms`);
    assert.ok(api.activationMs < 1000, `activation took ${api.activationMs} ms`);
  });

  it('askAboutSelection with a preset asks about the selected code, with file and language, and streams the reply into the webview', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(folder, 'the test window has a workspace folder');
    const file = vscode.Uri.joinPath(folder, 'src', 'calc.py');
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode('def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n'));
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
    editor.selection = new vscode.Selection(0, 0, 1, 16);
    await double.enqueue({ tokens: ['It ', 'adds ', 'two ', 'numbers.'], tokenDelayMs: 40 });
    const postedBefore = t.posted().length;

    await vscode.commands.executeCommand('hearth.askAboutSelection', { preset: 'explain' });

    const req = await double.waitForRequest({ path: '/api/chat' });
    const sent = req.body.messages.at(-1).content as string;
    assert.ok(sent.includes('def add(a, b):\n    return a + b'), sent);
    assert.ok(sent.includes('Selection from `src/calc.py` (python, lines 1-2)'), sent);
    assert.ok(sent.trimEnd().endsWith('Explain what this code does.'), sent);
    await t.idle();

    const id = t.currentSessionId();
    assert.ok(id);
    const s = await t.getSession(id);
    assert.equal(user(s?.messages)?.content, 'Explain what this code does.');
    assert.deepEqual(user(s?.messages)?.attachments?.map((a) => [a.kind, a.path, a.range, a.content]), [['selection', 'src/calc.py', { startLine: 1, endLine: 2 }, 'def add(a, b):\n    return a + b']]);
    assert.equal(reply(s?.messages)?.content, 'It adds two numbers.');
    assert.equal(reply(s?.messages)?.status, 'complete');
    assert.equal(s?.workspace, folder.toString());

    // What the webview got, in order: the turn, text, then done.
    const posted = t.posted().slice(postedBefore);
    const kinds = posted.map((p) => (p.type === 'event' ? `event:${p.event}` : p.type));
    const started = kinds.indexOf('turnStarted');
    const firstToken = kinds.indexOf('event:token');
    const done = kinds.indexOf('event:done');
    assert.ok(started >= 0 && firstToken > started && done > firstToken, kinds.join(','));
    const chars = posted.filter((p) => p.event === 'token').reduce((n, p) => n + (p.chars ?? 0), 0);
    assert.equal(chars, 'It adds two numbers.'.length);
  });

  it('selectModel lists the double\'s models live, and the status bar and the panel follow the choice', async () => {
    const names = await installedModels();
    assert.ok(names.length >= 2, 'the double offers at least two models');
    const picking = vscode.commands.executeCommand('hearth.selectModel');
    await waitUntil(() => {
      const items = t.modelPickItems();
      return !!items && [...items].sort().join('\n') === [...names].sort().join('\n');
    }, 'the pick to list the double\'s models').catch((e: Error) => {
      throw new Error(`${e.message}: it lists ${JSON.stringify(t.modelPickItems())}, the double has ${JSON.stringify(names)}`);
    });
    const choice = names.find((n) => n !== t.selectedModel())!;
    const postedBefore = t.posted().length;
    assert.equal(t.acceptModelPick(choice), true);
    assert.equal(await picking, choice);
    assert.equal(t.selectedModel(), choice);
    assert.ok(t.statusBar().text.includes(choice), t.statusBar().text);
    assert.ok(t.posted().slice(postedBefore).some((p) => p.type === 'models'), 'the panel picker is told');

    // The other way: the panel picks, the status bar follows.
    const other = names.find((n) => n !== choice)!;
    await t.simulateWebviewMessage({ type: 'selectModel', model: other });
    assert.ok(t.statusBar().text.includes(other), t.statusBar().text);

    // A model installed meanwhile shows up on the next pick (live, not cached).
    await double.models({ add: ['invented-model:1b'] });
    const again = vscode.commands.executeCommand('hearth.selectModel');
    await waitUntil(() => t.modelPickItems()?.includes('invented-model:1b') ?? false, 'the new model in the pick');
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(await again, undefined);
  });

  it('hearth.cancel mid-reply closes the request to the double and keeps the partial text, marked stopped', async () => {
    const tokens = Array.from({ length: 300 }, (_, i) => `w${i} `);
    await double.enqueue({ tokens, tokenDelayMs: 50 });
    await t.simulateWebviewMessage({ type: 'send', content: 'Tell me a very long story' });
    await waitUntil(() => (reply(t.currentSession()?.messages)?.content.length ?? 0) > 0, 'the first tokens');
    assert.ok(t.streaming(), 'a reply is streaming');
    assert.ok(t.statusBar().text.startsWith('$(loading~spin)'), t.statusBar().text);

    await vscode.commands.executeCommand('hearth.cancel');
    await t.idle();

    const s = await t.getSession(t.currentSessionId()!);
    const r = reply(s?.messages);
    assert.equal(r?.status, 'stopped');
    assert.ok(r && r.content.startsWith('w0 ') && !r.content.includes('w299'), r?.content);
    await waitUntil(async () => (await double.requests()).some((q) => q.path === '/api/chat' && q.clientClosedAt !== undefined), 'the double to see the connection closed');
    assert.ok(!t.statusBar().text.includes('loading~spin'));
  });

  it('a session and its messages are all there for a fresh store on the same storage (what a reloaded window reads)', async () => {
    await double.enqueue({ tokens: ['Persisted ', 'answer.'] });
    await t.simulateWebviewMessage({ type: 'send', content: 'Remember this' });
    await waitUntil(() => t.streaming() !== undefined || reply(t.currentSession()?.messages)?.status === 'complete', 'the turn to start');
    await t.idle();
    const id = t.currentSessionId()!;
    const fresh = t.reopenStore();
    const s = await fresh.get(id);
    assert.deepEqual(s?.messages.map((m) => [m.role, m.content, m.status]), [
      ['user', 'Remember this', 'complete'],
      ['assistant', 'Persisted answer.', 'complete'],
    ]);
    const listed = (await fresh.list()).find((x) => x.id === id);
    assert.equal(listed?.message_count, 2);
    assert.equal(listed?.workspace, vscode.workspace.workspaceFolders?.[0]?.uri.toString());
  });

  it('settings apply live: new headers rebuild the engine for the next request', async () => {
    const cfg = vscode.workspace.getConfiguration('hearth');
    const builds = t.engineBuilds();
    await cfg.update('ollama.headers', { 'X-Hearth-Test': 'on' }, vscode.ConfigurationTarget.Global);
    try {
      await t.simulateWebviewMessage({ type: 'send', content: 'with a header' });
      const req = await double.waitForRequest({ path: '/api/chat' });
      assert.equal(req.headers['x-hearth-test'], 'on');
      assert.ok(t.engineBuilds() > builds);
      await t.idle();
    } finally {
      await cfg.update('ollama.headers', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('the API key from secret storage goes out as a Bearer token, and can be removed', async () => {
    await t.setApiKey('integration-secret');
    try {
      await t.simulateWebviewMessage({ type: 'send', content: 'authenticated' });
      const req = await double.waitForRequest({ path: '/api/chat' });
      assert.equal(req.headers['authorization'], 'Bearer integration-secret');
      await t.idle();
    } finally {
      await t.setApiKey(undefined);
    }
    await vscode.commands.executeCommand('hearth.newChat');
    const before = (await double.requests()).length;
    await t.simulateWebviewMessage({ type: 'send', content: 'anonymous' });
    const req = await double.waitForRequest({ path: '/api/chat', afterIndex: before - 1 });
    assert.equal(req.headers['authorization'], undefined);
    await t.idle();
  });

  it('an unreachable Ollama turns the status bar into a warning, and Retry clears it', async () => {
    await double.stop();
    try {
      await t.simulateWebviewMessage({ type: 'retryConnection' });
      await waitUntil(() => t.statusBar().warning, 'the warning');
      assert.ok(t.statusBar().text.includes('$(warning)'));
    } finally {
      await double.start();
    }
    await t.simulateWebviewMessage({ type: 'retryConnection' });
    await waitUntil(() => !t.statusBar().warning, 'the warning to clear');
  });

  it('invalid webview messages are ignored', async () => {
    const before = (await t.listSessions()).length;
    await t.simulateWebviewMessage({ type: 'send', content: '' });
    await t.simulateWebviewMessage({ type: 'deleteSession', sessionId: '../../etc' });
    await t.simulateWebviewMessage('garbage');
    assert.equal((await t.listSessions()).length, before);
  });

  it('showHistory reveals the view and asks the webview to show the history', async () => {
    const before = t.posted().length;
    await vscode.commands.executeCommand('hearth.showHistory');
    await waitUntil(() => t.posted().slice(before).some((p) => p.type === 'showHistory'), 'showHistory to reach the webview');
  });

  it('startGateway serves this window\'s sessions over HTTP on 127.0.0.1 with a token, and stopGateway ends it', async () => {
    await double.enqueue({ tokens: ['Shared ', 'with ', 'the ', 'browser.'] });
    await t.simulateWebviewMessage({ type: 'send', content: 'Visible in the browser too?' });
    await waitUntil(() => t.currentSessionId() !== undefined, 'the session');
    await t.idle();
    const id = t.currentSessionId()!;

    assert.equal(await vscode.commands.executeCommand('hearth.startGateway', { quiet: true }), undefined, 'the token is not handed to whoever runs the command');
    const full = t.gatewayUrl();
    assert.ok(full);
    const url = new URL(full);
    assert.equal(url.hostname, '127.0.0.1');
    const token = new URLSearchParams(url.hash.slice(1)).get('token');
    assert.ok(token && token.length >= 20, 'a random token in the fragment');
    try {
      const denied = await fetch(`${url.origin}/sessions`);
      assert.equal(denied.status, 401);
      const res = await fetch(`${url.origin}/sessions/${id}`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { messages?: { content: string }[]; session?: { messages: { content: string }[] } };
      const messages = body.messages ?? body.session?.messages ?? [];
      assert.deepEqual(messages.map((m) => m.content), ['Visible in the browser too?', 'Shared with the browser.']);
      await vscode.commands.executeCommand('hearth.startGateway', { quiet: true });
      assert.equal(t.gatewayUrl(), full, 'a second start reuses the running server');
    } finally {
      await vscode.commands.executeCommand('hearth.stopGateway');
    }
    assert.equal(t.gatewayUrl(), undefined);
    await assert.rejects(fetch(`${url.origin}/health`));
  });
});
