/**
 * What integration tests may inspect without scraping the UI: sessions, the
 * open chat, what went to the webview (types only), the status bar, the model
 * pick. Only exposed outside production mode.
 */
import type { PostedRecord } from '../core/channel';
import type { Conversation, TurnInfo } from '../core/conversation';
import type { ModelState } from '../core/models';
import type { ContextResult } from '../core/platform';
import type { ContextCandidate } from '../shared/protocol';
import type { Session, SessionSummary } from '../shared/session';
import type { ProposalManager } from './apply/proposals';
import type { GatewayCommands } from './commands/gatewayCommands';
import type { VsCodeWorkspaceContext } from './context/workspaceContext';
import type { ModelPicker } from './commands/selectModel';
import type { EmbeddingModelPicker } from './commands/selectEmbeddingModel';
import type { EmbeddingsProgress } from './codebase/embeddings';
import type { EngineHolder } from './engine/engineHolder';
import type { ExtensionSessionStore } from './sessions/extensionSessionStore';
import type { LazySessionStore } from './sessions/lazySessionStore';
import type { ApiKeyStore } from './secrets';
import type { ModelStatusBar } from './statusBar';
import type { ChatViewProvider } from './view/chatViewProvider';
import type { InlineCompletions } from './completion/inlineCompletions';
import type { SchedulerStats } from '../shared/completion/scheduler';

export interface HearthTestApi {
  listSessions(): Promise<SessionSummary[]>;
  getSession(id: string): Promise<Session | undefined>;
  currentSessionId(): string | undefined;
  /** The open session with the live reply folded in. */
  currentSession(): Session | null;
  streaming(): TurnInfo | undefined;
  /** Resolves when no reply is streaming. */
  idle(): Promise<void>;
  /** Messages posted to the webview so far (types, event types and text lengths only). */
  posted(): PostedRecord[];
  viewReady(): boolean;
  /** How many snapshots the webview has been sent (one per `ready`). */
  snapshotsSent(): number;
  statusBar(): { text: string; warning: boolean };
  selectedModel(): string | undefined;
  /** Model names in the open "Select Model" pick (undefined when none is open). */
  modelPickItems(): string[] | undefined;
  acceptModelPick(model: string): boolean;
  engineBuilds(): number;
  gatewayUrl(): string | undefined;
  storageDir: string;
  /** Runs session recovery (as activation does) and returns how many replies it marked. */
  recoverInterrupted(): Promise<number>;
  /** Waits for the start-up recovery. */
  recovered(): Promise<void>;
  /** Routes a message as if the webview had sent it (validated like a real one). */
  simulateWebviewMessage(raw: unknown): Promise<void>;
  /**
   * A brand-new store on the same globalState and folder, with empty caches: what a
   * reloaded window would read.
   */
  reopenStore(): { list(): Promise<SessionSummary[]>; get(id: string): Promise<Session | undefined> };
  /** Apply proposals waiting for Accept/Reject: the diff's right-hand URI, the target file, the proposed text. */
  proposals(): { uri: string; target: string; text: string; summary: string }[];
  /** Stores (or with undefined, removes) the API key, as "Hearth: Set API Key" does. */
  setApiKey(key: string | undefined): Promise<void>;
  /** What the `@` picker offers for a query, and what adding one of them gives. */
  contextSearch(query: string): Promise<ContextCandidate[]>;
  contextResolve(id: string): Promise<ContextResult>;
  /** The workspace context's current-file state, as the page is told it (once the current file's real path is checked). */
  contextState(): Promise<ReturnType<VsCodeWorkspaceContext['state']>>;
  /** Inline completions: the status-bar item, the scheduler's counts and what the provider showed or dropped. */
  completion(): {
    status: { text: string; tooltip: string; warning: boolean };
    stats: SchedulerStats;
    counts: { shown: number; staleDropped: number; skippedBinary: number };
  };
  /** The codebase index: a search (paths and lines, best first), once every change notified so far is in; its status. */
  codebaseSearch(query: string, limit?: number): Promise<{ path: string; startLine: number; endLine: number; symbol: string | null }[]>;
  codebaseStatus(): Promise<{ state: string; files: number; indexedFiles: number } | undefined>;
  /** Search by meaning (hearth.codebase.embeddingModel): chunks embedded over every folder, whether searches are fused now. */
  codebaseEmbeddings(): Promise<{ progress: EmbeddingsProgress | undefined; fused: boolean }>;
  /** The models in the open "Select Embedding Model" pick ('' is None; undefined when none is open), and choosing one. */
  embeddingPickItems(): string[] | undefined;
  acceptEmbeddingPick(model: string): boolean;
}

export function createTestApi(d: {
  store: LazySessionStore;
  /** Creates the window's conversation if needed. */
  conversation: () => Promise<Conversation>;
  /** The conversation if it exists yet. */
  current: () => Conversation | undefined;
  proposals: () => ProposalManager | undefined;
  view: ChatViewProvider;
  models: ModelState;
  statusBar: ModelStatusBar;
  picker: ModelPicker;
  embeddingPicker: EmbeddingModelPicker;
  engines: EngineHolder;
  gateway: GatewayCommands;
  recovered: () => Promise<void>;
  storageDir: string;
  reopen: () => Promise<ExtensionSessionStore>;
  apiKeys: ApiKeyStore;
  workspaceContext: () => Promise<VsCodeWorkspaceContext>;
  inline: InlineCompletions;
}): HearthTestApi {
  return {
    listSessions: () => d.store.list(),
    getSession: (id) => d.store.get(id),
    currentSessionId: () => d.current()?.currentSessionId,
    currentSession: () => d.current()?.currentSession() ?? null,
    streaming: () => d.current()?.streaming,
    idle: async () => d.current()?.idle(),
    posted: () => [...d.view.posted],
    viewReady: () => d.view.isReady,
    snapshotsSent: () => d.view.readyCount,
    statusBar: () => ({ text: d.statusBar.text, warning: d.statusBar.warning }),
    selectedModel: () => d.models.selected,
    modelPickItems: () => d.picker.current?.items(),
    acceptModelPick: (m) => d.picker.current?.accept(m) ?? false,
    engineBuilds: () => d.engines.buildCount,
    gatewayUrl: () => d.gateway.url,
    storageDir: d.storageDir,
    recoverInterrupted: () => d.store.recoverInterrupted(),
    recovered: () => d.recovered(),
    simulateWebviewMessage: (raw) => d.view.receive(raw),
    reopenStore: () => {
      const s = d.reopen();
      return { list: async () => (await s).list(), get: async (id) => (await s).get(id) };
    },
    setApiKey: (key) => (key ? d.apiKeys.set(key) : d.apiKeys.clear()),
    proposals: () => d.proposals()?.pending ?? [],
    contextSearch: async (query) => (await d.workspaceContext()).search(query),
    contextResolve: async (id) => (await d.workspaceContext()).resolve(id),
    contextState: async () => (await d.workspaceContext()).settledState(),
    completion: () => ({ status: d.inline.status(), stats: { ...d.inline.scheduler.stats }, counts: { ...d.inline.counts } }),
    codebaseSearch: async (query, limit = 10) => {
      const c = (await d.workspaceContext()).codebase;
      c.start();
      await c.settled();
      return (await c.search(query, limit)).map((h) => ({ path: h.displayPath, startLine: h.start_line, endLine: h.end_line, symbol: h.symbol }));
    },
    codebaseStatus: async () => {
      const s = (await d.workspaceContext()).codebase.status();
      return { state: s.state, files: s.files, indexedFiles: s.indexedFiles };
    },
    codebaseEmbeddings: async () => {
      const e = (await d.workspaceContext()).embeddings;
      return { progress: e.progress(), fused: e.complete() };
    },
    embeddingPickItems: () => d.embeddingPicker.current?.items(),
    acceptEmbeddingPick: (m) => d.embeddingPicker.current?.accept(m) ?? false,
  };
}
