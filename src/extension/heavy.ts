/**
 * The extension's heavy half, loaded on first use through loadHeavy(): the
 * engine (undici), the chat service, the session store, the validators (zod),
 * the conversation core and the gateway server. esbuild builds this as its own
 * file (dist/heavy.js), so activation never parses it — a single bundle made
 * VS Code spend ~150 ms loading code that activation does not run.
 */
export { createEngine, providerCanPull, providerPresentation } from '../gateway/engine';
export { createChatService } from '../gateway/chat/chatService';
export { CompletionService, completionCandidates } from '../gateway/completion/completionService';
export { startGatewayServer } from '../gateway/server';
export { ConversationHub } from '../core/hub';
export { PageConnections } from '../core/pageConnections';
export { ExtensionSessionStore } from './sessions/extensionSessionStore';
export { ProposalManager } from './apply/proposals';
export { VsCodeWorkspaceContext } from './context/workspaceContext';
