/**
 * Hearth's entry point. activate() only wires objects together: no network I/O,
 * no file reads, nothing awaited (the API key, the model list and the session
 * recovery all happen lazily, after activation). The heavy code (engine with
 * undici, chat service, session store, zod validators, gateway server) is
 * in a separate bundle (dist/core.js, see core.ts) loaded on first use. Everything created is disposed through context.subscriptions.
 */
import * as vscode from 'vscode';
import type { ChatService } from '../gateway/chat/types';
import { ChatController } from './chat/chatController';
import { askAboutSelection } from './commands/askAboutSelection';
import { GatewayCommands } from './commands/gatewayCommands';
import { ModelPicker } from './commands/selectModel';
import { EngineHolder } from './engine/engineHolder';
import { loadCore } from './loadCore';
import { createLog } from './log';
import { ModelState } from './models/modelState';
import { PullRunner } from './models/pullRunner';
import { ApiKeyStore, setApiKeyCommand } from './secrets';
import { connectionFingerprint, providerConfig, turnSettings } from './settings';
import { SettingsService } from './settingsService';
import { LazySessionStore } from './sessions/lazySessionStore';
import { ModelStatusBar } from './statusBar';
import { createTestApi, type HearthTestApi } from './testApi';
import { ChatViewProvider, CHAT_VIEW_ID } from './view/chatViewProvider';
import * as editor from './view/editorActions';

export interface HearthApi {
  /** Milliseconds activate() took. */
  readonly activationMs: number;
  /** Resolves once the hearth.chat view has been resolved. */
  whenChatViewResolved(): Promise<void>;
  /** Inspection hooks for the integration tests (not in production mode). */
  readonly test?: HearthTestApi;
}

export function activate(context: vscode.ExtensionContext): HearthApi {
  const started = performance.now();
  const channel = vscode.window.createOutputChannel('Hearth');
  const log = createLog(channel);
  const subs = context.subscriptions;
  subs.push(channel);

  const settings = new SettingsService(log);
  const apiKeys = new ApiKeyStore(context.secrets);
  subs.push(settings, apiKeys);

  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.toString();
  const openStore = async () => {
    const { ExtensionSessionStore } = await loadCore();
    return new ExtensionSessionStore({
      memento: context.globalState,
      dir: context.globalStorageUri.fsPath,
      ...(workspace ? { workspace } : {}),
      maxSessions: () => settings.current.maxSessions,
      log,
    });
  };
  const store = new LazySessionStore(openStore);

  const engines = new EngineHolder(async (config) => (await loadCore()).createEngine(config), () => ({
    config: providerConfig(settings.current, apiKeys.current),
    fingerprint: connectionFingerprint(settings.current, apiKeys.current),
  }));

  const models = new ModelState({
    source: () => engines,
    prepare: () => apiKeys.ensureLoaded(),
    memento: context.globalState,
    configuredModel: () => settings.current.model,
    writeConfiguredModel: (name) => settings.writeModel(name),
    baseUrl: () => settings.current.baseUrl,
  });
  subs.push(models);

  let chatService: Promise<ChatService> | undefined;
  const chat = (): Promise<ChatService> =>
    (chatService ??= loadCore().then(({ createChatService }) =>
      createChatService({
        store,
        engine: engines,
        settings: () => turnSettings(settings.current),
        log: (message) => log(`chat: ${message}`),
      }),
    ));

  // Recovery of replies a crashed window left "streaming": after activation, before the first snapshot.
  let recovery: Promise<void> | undefined;
  const recovered = (): Promise<void> =>
    (recovery ??= store
      .recoverInterrupted()
      .then(() => undefined)
      .catch((e: unknown) => log(`session recovery failed: ${e instanceof Error ? e.message : String(e)}`)));
  const recoveryTimer = setTimeout(() => void recovered(), 0);
  subs.push({ dispose: () => clearTimeout(recoveryTimer) });

  // The view is created before the controller so the controller can post through it.
  // eslint-disable-next-line prefer-const
  let controller: ChatController;
  const pulls = new PullRunner(
    () => engines,
    (m) => view.post(m),
    () => void models.refresh(),
  );
  subs.push(pulls);

  const view: ChatViewProvider = new ChatViewProvider({
    extensionUri: context.extensionUri,
    prepareSnapshot: async () => {
      await recovered();
      return controller.prepareSnapshot();
    },
    onResolved: () => void models.ensureChecked(),
    log,
    actions: {
      send: async (m) => {
        await apiKeys.ensureLoaded();
        if (m.model && m.model !== models.selected) await models.select(m.model);
        await controller.sendMessage(m.content, m.sessionId ? { sessionId: m.sessionId } : {});
      },
      cancel: () => controller.cancel(),
      newChat: () => controller.newChat(),
      regenerate: async () => {
        await apiKeys.ensureLoaded();
        await controller.regenerate();
      },
      editLast: async (m) => {
        await apiKeys.ensureLoaded();
        await controller.editLast(m.content);
      },
      selectModel: (m) => models.select(m.model),
      refreshModels: () => models.refresh(),
      retryConnection: () => models.refresh(),
      openSession: (m) => controller.openSession(m.sessionId),
      deleteSession: (m) => controller.deleteSession(m.sessionId),
      renameSession: (m) => controller.renameSession(m.sessionId, m.title),
      exportSession: async (m) => {
        const s = await store.get(m.sessionId);
        if (s) await editor.exportSession(s);
      },
      copy: (m) => editor.copyText(m.text),
      insertCode: (m) => editor.insertAtCursor(m.code),
      openInEditor: (m) => editor.openInEditor(m.code, m.language),
      openLink: (m) => editor.openLink(m.url, log),
      openSettings: () => editor.openSettings(),
      pullModel: (m) => pulls.pull(m.model),
      cancelPull: () => pulls.cancel(),
    },
  });
  subs.push(view, vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, view, { webviewOptions: { retainContextWhenHidden: false } }));

  controller = new ChatController({
    store,
    chat,
    models,
    post: (m) => view.post(m),
    ...(workspace ? { workspace } : {}),
    capabilities: () => ({ editor: true, pull: settings.current.provider === 'ollama' }),
    log,
  });
  subs.push(controller);

  const statusBar = new ModelStatusBar();
  subs.push(statusBar);
  const updateStatusBar = () =>
    statusBar.update({ model: models.selected, streaming: controller.streaming !== undefined, connection: models.connection });
  updateStatusBar();

  subs.push(
    controller.onStreamingChange.on((streaming) => {
      void vscode.commands.executeCommand('setContext', 'hearth.streaming', streaming);
      updateStatusBar();
    }),
    models.onDidChange.on((c) => {
      updateStatusBar();
      view.post({ type: 'models', models: c.models, ...(c.selectedModel ? { selectedModel: c.selectedModel } : {}) });
      view.post({ type: 'connection', connection: c.connection });
    }),
    settings.onDidChange.on((c) => {
      if (c.connectionChanged) models.reset();
      else if (c.modelChanged) models.notifySelectionChanged();
    }),
    apiKeys.onDidChange.on(() => models.reset()),
  );

  const picker = new ModelPicker(models);
  const gateway = new GatewayCommands({
    store,
    chat,
    engines,
    provider: () => ({ kind: settings.current.provider, url: settings.current.baseUrl }),
    webviewDir: vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview').fsPath,
    prepare: () => apiKeys.ensureLoaded(),
    log,
  });
  subs.push(gateway);

  // On shutdown (window closed or reloaded) open replies are stopped and their text
  // written before the engine closes; deactivate() returns this so VS Code waits for it.
  shutdown = async () => {
    await gateway.stop().catch(() => {});
    await chatService?.then((c) => c.dispose()).catch(() => {});
    await engines.close();
  };
  subs.push({ dispose: () => void shutdown?.() });

  const command = (id: string, fn: (...args: unknown[]) => unknown) => subs.push(vscode.commands.registerCommand(id, fn));
  command('hearth.askAboutSelection', (arg) =>
    askAboutSelection(
      {
        contextLength: () => settings.current.contextLength,
        reveal: () => view.reveal(true),
        send: async (content) => {
          await apiKeys.ensureLoaded();
          return controller.sendMessage(content);
        },
      },
      arg,
    ),
  );
  command('hearth.selectModel', (arg) => picker.run(arg));
  command('hearth.cancel', () => controller.cancel());
  command('hearth.newChat', async () => {
    controller.newChat();
    await view.reveal();
    view.postWhenReady({ type: 'focusInput' });
  });
  command('hearth.openChat', () => view.reveal());
  command('hearth.showHistory', async () => {
    await view.reveal();
    view.postWhenReady({ type: 'showHistory' });
  });
  command('hearth.setApiKey', () => setApiKeyCommand(apiKeys));
  command('hearth.startGateway', (arg) => gateway.start({ quiet: !!arg && typeof arg === 'object' && (arg as { quiet?: unknown }).quiet === true }));
  command('hearth.stopGateway', () => gateway.stop());

  const activationMs = performance.now() - started;
  log(`activated in ${activationMs.toFixed(1)} ms`);

  const api: HearthApi = {
    activationMs,
    whenChatViewResolved: () => view.whenResolved,
    ...(context.extensionMode !== vscode.ExtensionMode.Production
      ? { test: createTestApi({ store, controller, view, models, statusBar, picker, engines, gateway, recovered, storageDir: context.globalStorageUri.fsPath, reopen: openStore, apiKeys }) }
      : {}),
  };
  return api;
}

let shutdown: (() => Promise<void>) | undefined;

/** VS Code awaits this (briefly): the final writes of an open reply happen here. The rest is in context.subscriptions. */
export function deactivate(): Promise<void> | undefined {
  const s = shutdown;
  shutdown = undefined;
  return s?.();
}
