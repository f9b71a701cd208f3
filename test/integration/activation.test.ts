/**
 * The wiring, proven in a real VS Code: Hearth activates, every command its
 * package.json contributes is registered, and its chat view resolves a webview.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'hearth-dev.hearth';

interface ContributedCommand {
  command: string;
}

/** The test hook the extension exposes on its activate() result. */
interface HearthTestHooks {
  /** Resolves once the hearth.chat WebviewViewProvider's resolveWebviewView ran. */
  whenChatViewResolved?: () => Promise<unknown>;
}

function hearth(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  return ext;
}

/** Rejects after ms with a message naming what did not happen. */
function within<T>(p: PromiseLike<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    Promise.resolve(p).finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
    }),
  ]);
}

async function waitUntil(probe: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('activation', () => {
  it('is contributed with no eager activation event', () => {
    const manifest = hearth().packageJSON as { activationEvents?: string[] };
    // Activation through the view and commands (VS Code derives those events), and after start-up (onStartupFinished)
    // so the "Ask Hearth to fix" quick fix exists before the view was opened; activate() does no I/O.
    assert.ok(!(manifest.activationEvents ?? []).includes('*'), 'activationEvents must not contain "*"');
  });

  it('opening the Hearth view activates the extension and resolves the hearth.chat webview', async () => {
    const ext = hearth();
    await vscode.commands.executeCommand('workbench.view.extension.hearth');
    await waitUntil(() => ext.isActive, 30_000, 'activation of Hearth after opening its view');
    // isActive is also true after a failed activation; activate() rethrows its error.
    await ext.activate();
    const hooks = ext.exports as HearthTestHooks | undefined;
    assert.equal(typeof hooks?.whenChatViewResolved, 'function', 'activate() must return the whenChatViewResolved() test hook');
    await within(hooks!.whenChatViewResolved!(), 30_000, 'resolveWebviewView for hearth.chat');
  });

  it('registers every command contributed in package.json', async () => {
    const ext = hearth();
    await ext.activate();
    const contributed = ((ext.packageJSON as { contributes?: { commands?: ContributedCommand[] } }).contributes?.commands ?? []).map((c) => c.command);
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });
});
