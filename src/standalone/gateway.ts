/**
 * The standalone gateway assembled: engine, session store, chat service, the
 * conversation core for the browser UI, and the HTTP server — the one wiring
 * that `npm start` (main.ts) and the tests that need a real gateway share.
 * Binds the port first, then recovers interrupted replies (a second copy fails
 * before touching anyone's sessions); pages wait for that recovery.
 */
import { BrowserContext, type BrowserCodebase } from '../core/browserContext';
import { STANDALONE_SETTINGS_HELP } from '../core/browserPlatform';
import { ConversationHub } from '../core/hub';
import { ModelState } from '../core/models';
import { PageConnections } from '../core/pageConnections';
import type { KeyValueStore } from '../core/platform';
import { createChatService, type ChatServiceOptions } from '../gateway/chat/chatService';
import type { ChatService, TurnSettings } from '../gateway/chat/types';
import { providerPresentation } from '../gateway/engine';
import type { ChatEngine } from '../gateway/engine/types';
import { silentLogger, startGatewayServer, type GatewayServer, type GatewayServerOptions, type Logger } from '../gateway/server';
import { DEFAULT_MAX_FILE_KB } from '../shared/contextRules';
import { FileSessionStore } from '../gateway/sessions/fileStore';
import type { SessionStore } from '../shared/session';
import type { CodebaseIndex, CodebaseIndexOptions } from '../shared/codebase/codebaseIndex';
import { createWorkspaceIndex } from '../gateway/codebase/workspaceIndex';
import { attachEmbeddings, type WorkspaceEmbeddings } from './codebaseEmbeddings';

/**
 * The gateway's session store, as `npm start` runs it. Only for a folder this
 * process has locked (lockDataDir): it is then the only writer, so sessions need
 * no lock files of their own.
 */
export function standaloneStore(dir: string, maxSessions: number | undefined, logger: Logger = silentLogger): FileSessionStore {
  return new FileSessionStore({
    dir,
    ...(maxSessions !== undefined ? { maxSessions } : {}),
    onCorrupt: (file, reason, movedTo) => logger.warn(`moved a corrupt session file aside (${reason}): ${movedTo ?? file}`),
    log: (line) => logger.warn(line),
    lock: { processOwnsFolder: true },
  });
}
import { estimateMessageTokens } from '../shared/tokens';
import { settingRow } from '../shared/settingsTable';

export interface StandaloneOptions extends Omit<GatewayServerOptions, 'chatService' | 'ui' | 'engine' | 'store'> {
  engine: ChatEngine;
  store: SessionStore;
  /** Small preferences that outlive the process (the chosen model, the last open chat). */
  prefs: KeyValueStore;
  settings?: () => TurnSettings;
  /** Chat service tuning (tests shorten the flush interval). */
  chat?: Pick<ChatServiceOptions, 'flushIntervalMs' | 'replayTtlMs'>;
  /** How long a browser page whose stream dropped may come back (default 30 s). */
  pageGraceMs?: number;
  /** At most this many browser pages at once (default 64). */
  maxPages?: number;
  /** How often an unreachable server is asked again (default 10 s). */
  pollMs?: number;
  /** The workspace to index (HEARTH_WORKSPACE / --workspace) and the data folder its index is stored under. */
  workspace?: { folder: string; dataDir: string; index?: Partial<CodebaseIndexOptions>; embeddings?: WorkspaceEmbeddings };
}

export interface StandaloneGateway {
  server: GatewayServer;
  chatService: ChatService;
  hub: ConversationHub;
  pages: PageConnections;
  models: ModelState;
  /** Replies start-up recovery marked interrupted. */
  recovered: number;
  /** The workspace's index, when a workspace was given; it builds in the background. */
  codebase?: CodebaseIndex;
  /** Stops the server, the pages' conversations and open replies (their text is stored); the engine is the caller's. */
  close(): Promise<void>;
}

export async function startStandaloneGateway(o: StandaloneOptions): Promise<StandaloneGateway> {
  const logger: Logger = o.logger ?? silentLogger;
  const { engine, store, prefs } = o;
  const chatService = createChatService({ store, engine, settings: o.settings ?? (() => ({})), log: (m, e) => logger.warn(m, e), ...o.chat });
  let recoveryDone!: () => void;
  const recovery = new Promise<void>((r) => (recoveryDone = r));
  const models = new ModelState({ source: () => engine, memento: prefs, configuredModel: () => '', baseUrl: () => o.provider().url, server: () => providerPresentation(o.provider().kind), ...(o.pollMs !== undefined ? { pollMs: o.pollMs } : {}) });
  const hub = new ConversationHub({
    store,
    chat: async () => chatService,
    models,
    puller: () => ({
      pull: async (model, onProgress, signal) => {
        if (!engine.pull) throw new Error('This model server cannot pull models.');
        return engine.pull(model, onProgress, signal);
      },
    }),
    canPull: () => engine.pull !== undefined,
    ready: () => recovery,
    prepare: async () => {},
    prefs,
    log: (m) => logger.info(m),
    // The browser's fit check uses the configured window (HEARTH_CONTEXT_LENGTH) and counts the system prompt too.
    fitSettings: () => {
      const turn = o.settings?.();
      const system = turn?.systemPrompt;
      return { contextLength: turn?.options?.contextLength ?? 0, reservedTokens: system ? estimateMessageTokens({ content: system }) : 0, maxFileKB: DEFAULT_MAX_FILE_KB };
    },
  });
  const { engine: _e, store: _s, prefs: _p, settings: _t, chat: _c, pageGraceMs: _g, maxPages: _x, pollMs: _m, workspace, ...serverOptions } = o;
  const codebase = workspace ? createWorkspaceIndex(workspace.folder, workspace.dataDir, { log: (m) => logger.warn(m), ...workspace.index }) : undefined;
  // Optional meaning-based search: the routes see the index with its embeddings' progress, and search fused once they are complete.
  const hybrid = codebase && workspace?.embeddings ? attachEmbeddings(codebase, workspace.folder, workspace.dataDir, workspace.embeddings, (m) => logger.warn(m)) : undefined;
  const searched = hybrid ?? codebase;
  // Each browser page's `@` picker: `@codebase` over this index (or a row saying how to give the gateway a workspace).
  const pageCodebase: BrowserCodebase | undefined =
    codebase && searched ? { state: () => searched.state(), search: (q, opts) => searched.search(q, opts), onProgress: (l) => codebase.onProgress(() => l()) } : undefined;
  const codebaseSettings = { auto: settingRow('codebase.auto').default, maxSnippets: settingRow('codebase.maxSnippets').default };
  const pages = new PageConnections(hub, {
    settingsHelp: STANDALONE_SETTINGS_HELP,
    context: () => new BrowserContext({ ...(pageCodebase ? { codebase: pageCodebase } : {}), settings: () => codebaseSettings, log: (m) => logger.info(m) }),
    ...(o.pageGraceMs !== undefined ? { graceMs: o.pageGraceMs } : {}),
    ...(o.maxPages !== undefined ? { maxPages: o.maxPages } : {}),
  });
  let server: GatewayServer;
  try {
    server = await startGatewayServer({ ...serverOptions, engine, store, chatService, ui: pages, ...(codebase ? { codebase: hybrid ?? codebase } : {}) });
  } catch (e) {
    await hybrid?.close();
    codebase?.dispose();
    pages.dispose();
    hub.dispose();
    models.dispose();
    await chatService.dispose();
    throw e;
  }
  const recovered = await store.recoverInterrupted().finally(recoveryDone);
  if (codebase) {
    const t0 = Date.now();
    void codebase.start().then(() => {
      const s = codebase.state();
      if (s.state !== 'ready') return;
      logger.info(`codebase index: ${s.indexed_files} files, ${s.chunks} chunks in ${((Date.now() - t0) / 1000).toFixed(1)} s${s.message ? ` — ${s.message}` : ''}`);
    });
  }
  return {
    server,
    chatService,
    hub,
    pages,
    models,
    recovered,
    ...(codebase ? { codebase } : {}),
    async close() {
      await server.close();
      await hybrid?.close().catch((e) => logger.warn('saving the codebase embeddings', e));
      await codebase?.close().catch((e) => logger.warn('saving the codebase index', e));
      pages.dispose();
      hub.dispose();
      models.dispose();
      await chatService.dispose();
    },
  };
}
