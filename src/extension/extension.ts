/**
 * Hearth's entry point. activate() only wires objects together: no network I/O,
 * no file reads, nothing awaited (the API key, the model list and the session
 * recovery all happen lazily, after activation). The heavy code (engine with
 * undici, chat service, session store, zod validators, gateway server) is
 * in a separate bundle (dist/heavy.js, see heavy.ts) loaded on first use, and
 * so is the conversation core that answers the chat view. Everything created is
 * disposed through context.subscriptions.
 */
import * as vscode from 'vscode';
import type { Conversation } from '../core/conversation';
import type { ConversationHub } from '../core/hub';
import { ModelState } from '../core/models';
import type { CoreServices } from '../core/platform';
import type { ChatService } from '../gateway/chat/types';
import type { ProposalManager } from './apply/proposals';
import type { Attachment } from '../shared/session';
import { estimateMessageTokens } from '../shared/tokens';
import { addFileToChat } from './commands/addFileToChat';
import { askAboutSelection } from './commands/askAboutSelection';
import { ASK_TO_FIX, askToFix, AskToFixProvider } from './commands/askToFix';
import { GatewayCommands } from './commands/gatewayCommands';
import { ModelPicker } from './commands/selectModel';
import { EmbeddingModelPicker } from './commands/selectEmbeddingModel';
import { EngineHolder } from './engine/engineHolder';
import { loadHeavy } from './loadHeavy';
import { rebuildCodebaseIndex, searchCodebase } from './codebase/commands';
import type { VsCodeWorkspaceContext } from './context/workspaceContext';
import { createLog } from './log';
import { ApiKeyStore, setApiKeyCommand } from './secrets';
import { completionServiceSettings, connectionFingerprint, providerConfig, turnSettings } from './settings';
import { InlineCompletions, type CompletionBackend } from './completion/inlineCompletions';
import { SettingsService } from './settingsService';
import { LazySessionStore } from './sessions/lazySessionStore';
import { ModelStatusBar } from './statusBar';
import { createTestApi, type HearthTestApi } from './testApi';
import { ChatViewProvider, CHAT_VIEW_ID } from './view/chatViewProvider';
import { vscodePlatform } from './view/vscodePlatform';

/** How long after activation the codebase index starts (the window's own start-up work comes first). */
const CODEBASE_START_DELAY_MS = 1500;

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
    const { ExtensionSessionStore } = await loadHeavy();
    return new ExtensionSessionStore({
      memento: context.globalState,
      dir: context.globalStorageUri.fsPath,
      ...(workspace ? { workspace } : {}),
      maxSessions: () => settings.current.maxSessions,
      log,
    });
  };
  const store = new LazySessionStore(openStore);
  subs.push(store);

  const engines = new EngineHolder(async (config) => (await loadHeavy()).createEngine(config), () => ({
    config: providerConfig(settings.current, apiKeys.current),
    fingerprint: connectionFingerprint(settings.current, apiKeys.current),
  }));

  /** The heavy half once loaded (what only it knows: the provider registry). */
  let heavyLoaded: Awaited<ReturnType<typeof loadHeavy>> | undefined;
  const models = new ModelState({
    source: () => engines,
    prepare: () => apiKeys.ensureLoaded(),
    memento: context.globalState,
    configuredModel: () => settings.current.model,
    writeConfiguredModel: (name) => settings.writeModel(name),
    baseUrl: () => settings.current.baseUrl,
    // Known once the heavy half is loaded (the server is asked only after that).
    server: () => heavyLoaded?.providerPresentation(settings.current.provider),
  });
  subs.push(models);

  let chatService: Promise<ChatService> | undefined;
  /** The same service once created, for the synchronous first step of shutdown. */
  let chatServiceNow: ChatService | undefined;
  const chat = (): Promise<ChatService> =>
    (chatService ??= loadHeavy().then(({ createChatService }) =>
      (chatServiceNow = createChatService({
        store,
        engine: engines,
        settings: () => turnSettings(settings.current),
        log: (message) => log(`chat: ${message}`),
        interruptedBy: 'editor',
      })),
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

  // The workspace as context (@ picker, current file, commands): loaded with the heavy half on first use; the file index on the first search.
  let wsContext: Promise<VsCodeWorkspaceContext> | undefined;
  const workspaceContext = (): Promise<VsCodeWorkspaceContext> =>
    (wsContext ??= loadHeavy().then(({ VsCodeWorkspaceContext }) => {
      const c = new VsCodeWorkspaceContext(() => settings.current.context, log, context.storageUri, () => {
        // Only an Ollama server embeds (/api/embed): with another provider, search stays lexical.
        const s = settings.current;
        return s.embeddingModel && s.provider === 'ollama' ? { model: s.embeddingModel, config: providerConfig(s, apiKeys.current) } : undefined;
      });
      subs.push(c);
      return c;
    }));

  // The conversation core (one conversation: this window's chat view), loaded with the heavy half on first use.
  const services: CoreServices = {
    store,
    chat,
    models,
    puller: () => engines,
    // Read once the heavy half is loaded (the hub only exists after that).
    canPull: () => heavyLoaded?.providerCanPull(settings.current.provider) ?? false,
    ready: recovered,
    prepare: () => apiKeys.ensureLoaded(),
    prefs: context.globalState,
    log,
    fitSettings: () => {
      const s = settings.current;
      return { contextLength: s.contextLength, reservedTokens: s.systemPrompt ? estimateMessageTokens({ content: s.systemPrompt }) : 0, maxFileKB: s.context.maxFileKB };
    },
  };
  /** The conversation once it exists (nothing streams before it does). */
  let current: Conversation | undefined;
  /** Apply-as-diff reviews; created with the conversation (nothing can be proposed before it exists). */
  let proposals: ProposalManager | undefined;
  let coreP: Promise<{ hub: ConversationHub; conversation: Conversation }> | undefined;
  const core = () =>
    (coreP ??= loadHeavy().then(async (heavy) => {
      heavyLoaded = heavy;
      const { ConversationHub, ProposalManager } = heavy;
      const context = await workspaceContext();
      const hub = new ConversationHub(services);
      proposals = new ProposalManager(log);
      const c = hub.open(vscodePlatform(workspace, log, proposals, context), view.send);
      current = c;
      subs.push(
        proposals,
        { dispose: () => hub.dispose() },
        c.onStreamingChange.on((streaming) => {
          void vscode.commands.executeCommand('setContext', 'hearth.streaming', streaming);
          updateStatusBar();
        }),
      );
      return { hub, conversation: c };
    }).catch((e: unknown) => {
      // Not for good: the next message (or command) tries again.
      coreP = undefined;
      log(`the chat could not start: ${e instanceof Error ? `${e.name}: ${e.message.slice(0, 200)}` : 'unknown error'}`);
      throw e;
    }));
  const conversation = async (): Promise<Conversation> => (await core()).conversation;

  const view: ChatViewProvider = new ChatViewProvider({
    extensionUri: context.extensionUri,
    conversation,
    onResolved: () => void models.ensureChecked(),
    log,
  });
  subs.push(view, vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, view, { webviewOptions: { retainContextWhenHidden: false } }));

  const statusBar = new ModelStatusBar();
  subs.push(statusBar);
  function updateStatusBar(): void {
    statusBar.update({ model: models.selected, streaming: current?.streaming !== undefined, connection: models.connection });
  }
  updateStatusBar();

  subs.push(
    models.onDidChange.on(() => updateStatusBar()),
    settings.onDidChange.on((c) => {
      if (c.connectionChanged) models.reset();
      else if (c.modelChanged) models.notifySelectionChanged();
      // The window, the system prompt or hearth.context.* may have changed: pages count with the new values.
      void coreP?.then(({ hub }) => hub.contextChanged());
      // hearth.codebase.embeddingModel, or the server it embeds with.
      void wsContext?.then((w) => w.embeddings.settingsChanged());
    }),
    apiKeys.onDidChange.on(() => {
      models.reset();
      void wsContext?.then((w) => w.embeddings.settingsChanged());
    }),
  );

  // Inline completions: the provider and status bar now; the model call with the heavy half on the first request.
  let completionBackend: Promise<CompletionBackend> | undefined;
  const inline = new InlineCompletions({
    settings: () => settings.current,
    log,
    backend: () =>
      (completionBackend ??= loadHeavy()
        .then(async ({ CompletionService, completionCandidates }) => {
          await apiKeys.ensureLoaded();
          const service = new CompletionService(engines, () => completionServiceSettings(settings.current));
          const ctx = await workspaceContext();
          return {
            complete: (input: Parameters<CompletionBackend['complete']>[0]) => service.complete(input),
            forgetChoice: () => service.forgetChoice(),
            mayComplete: (uri: vscode.Uri) => ctx.mayComplete(uri),
            // Chunks the codebase index finds (it follows the picker's rules; each file is asked again like any snippet's).
            codebaseSnippets: async (query: string, exclude: vscode.Uri, limit: number, signal: AbortSignal) => {
              if (ctx.codebase.status().state === 'off') return [];
              const hits = await ctx.codebase.search(query, limit + 2, signal);
              const out: { path: string; text: string }[] = [];
              for (const h of hits) {
                if (out.length >= limit) break;
                if (h.uri.toString() === exclude.toString() || !(await ctx.mayComplete(h.uri))) continue;
                out.push({ path: h.displayPath, text: h.text });
              }
              return out;
            },
            fimModels: async () => completionCandidates(await engines.listModels()),
          };
        })
        .catch((e: unknown) => {
          completionBackend = undefined;
          throw e;
        })),
  });
  subs.push(
    inline,
    settings.onDidChange.on(() => inline.settingsChanged()),
    apiKeys.onDidChange.on(() => inline.settingsChanged()),
  );

  const picker = new ModelPicker(models);
  const embeddingPicker = new EmbeddingModelPicker({
    models,
    current: () => settings.current.embeddingModel,
    write: (model) => settings.writeEmbeddingModel(model),
    canEmbed: () => settings.current.provider === 'ollama',
  });
  const gateway = new GatewayCommands({
    store,
    chat,
    engines,
    ui: async () => {
      const { hub } = await core();
      const { PageConnections } = await loadHeavy();
      return new PageConnections(hub, { settingsHelp: "This window's gateway uses VS Code's Hearth settings (Settings → search \"Hearth\")." });
    },
    provider: () => ({ kind: settings.current.provider, url: settings.current.baseUrl }),
    webviewDir: vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview').fsPath,
    prepare: () => apiKeys.ensureLoaded(),
    log,
  });
  subs.push(gateway);

  // On shutdown (window closed or reloaded) open replies are stopped and their text
  // written before the engine closes; deactivate() returns this so VS Code waits for it.
  shutdown = async () => {
    // First, synchronously: VS Code disposes context.subscriptions right after calling deactivate(),
    // and the hub among them would stop the reply as if the user had pressed Stop. Cut off by the
    // chat service, it is stored as interrupted (the window went away), with Retry in the chat.
    const closing = chatServiceNow?.dispose().catch(() => {});
    await gateway.stop().catch(() => {});
    await (closing ?? chatService?.then((c) => c.dispose()).catch(() => {}));
    await engines.close();
  };
  subs.push({ dispose: () => void shutdown?.() });

  const command = (id: string, fn: (...args: unknown[]) => unknown) => subs.push(vscode.commands.registerCommand(id, fn));
  command('hearth.askAboutSelection', (arg) =>
    askAboutSelection(
      {
        reveal: () => view.reveal(true),
        // As a typed question: validated, and checked against the context window (never cut silently).
        send: async (content, attachments) => (await conversation()).receive({ type: 'send', content, attachments }, 'command'),
      },
      arg,
    ),
  );
  // Chips added before the view is ready are queued for it by the core's channel.
  const addChips = (attachments: Attachment[]): Promise<void> => view.post({ type: 'attachmentsAdded', attachments });
  command('hearth.addFileToChat', (arg, all) => addFileToChat({ context: workspaceContext, reveal: () => view.reveal(true), addChips }, arg, all));
  command(ASK_TO_FIX, (arg, diagnostic) =>
    askToFix(
      {
        context: workspaceContext,
        reveal: () => view.reveal(true),
        // As if typed in the chat: read again, fitted (a question that does not fit comes back to the composer).
        ask: async (content, attachments) => void (await (await conversation()).receive({ type: 'send', content, attachments }, 'command')),
      },
      arg,
      diagnostic,
    ),
  );
  subs.push(
    vscode.languages.registerCodeActionsProvider(
      AskToFixProvider.selector,
      new AskToFixProvider(),
      AskToFixProvider.metadata,
    ),
  );
  command('hearth.selectModel', (arg) => picker.run(arg));
  command('hearth.selectEmbeddingModel', (arg) => embeddingPicker.run(arg));
  command('hearth.cancel', () => current?.cancel() ?? false);
  command('hearth.newChat', async () => {
    (await conversation()).newChat();
    await view.reveal();
    await view.post({ type: 'focusInput' });
  });
  command('hearth.openChat', async () => {
    await view.reveal();
    await view.post({ type: 'focusInput' });
  });
  command('hearth.showHistory', async () => {
    await view.reveal();
    await view.post({ type: 'showHistory' });
  });
  command('hearth.setApiKey', () => setApiKeyCommand(apiKeys));
  const noProposal = () => void vscode.window.showInformationMessage('Hearth: there is no proposed change to review. Use Apply on a code block in the chat.');
  command('hearth.acceptChange', (arg) => (proposals ? proposals.accept(arg) : noProposal()));
  command('hearth.rejectChange', (arg) => (proposals ? proposals.reject(arg) : noProposal()));
  command('hearth.startGateway', (arg) => gateway.start({ quiet: !!arg && typeof arg === 'object' && (arg as { quiet?: unknown }).quiet === true }));
  command('hearth.stopGateway', () => gateway.stop());

  // The codebase index: only with a folder open (no folder, no storageUri, nothing to index).
  const codebase = async () => (vscode.workspace.workspaceFolders?.length ? (await workspaceContext()).codebase : undefined);
  const codebaseDeps = { codebase, open: async (uri: string, range: { startLine: number; endLine: number }) => (await workspaceContext()).open(uri, range) };
  command('hearth.searchCodebase', (arg) => searchCodebase(codebaseDeps, typeof arg === 'string' ? arg : undefined));
  command('hearth.rebuildCodebaseIndex', () => rebuildCodebaseIndex(codebaseDeps));
  // Indexing starts in the background once the window has settled: activation never loads the index code.
  const indexTimer = setTimeout(() => void codebase().then((c) => c?.start()).catch((e) => log(`codebase index: could not start (${e instanceof Error ? e.message : String(e)})`)), CODEBASE_START_DELAY_MS);
  subs.push({ dispose: () => clearTimeout(indexTimer) });

  const activationMs = performance.now() - started;
  log(`activated in ${activationMs.toFixed(1)} ms`);

  const api: HearthApi = {
    activationMs,
    whenChatViewResolved: () => view.whenResolved,
    ...(context.extensionMode !== vscode.ExtensionMode.Production
      ? { test: createTestApi({ store, conversation, current: () => current, proposals: () => proposals, view, models, statusBar, picker, embeddingPicker, engines, gateway, recovered, inline, storageDir: context.globalStorageUri.fsPath, reopen: openStore, apiKeys, workspaceContext }) }
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
