/**
 * The extension's heavy code, loaded on first use through loadCore(): the
 * engine (undici), the chat service, the session store, the validators (zod)
 * and the gateway server. esbuild builds this as its own file (dist/core.js),
 * so activation never parses it — a single bundle made VS Code spend ~150 ms
 * loading code that activation does not run.
 */
export { createEngine } from '../gateway/engine';
export { createChatService } from '../gateway/chat/chatService';
export { startGatewayServer } from '../gateway/server';
export { ExtensionSessionStore } from './sessions/extensionSessionStore';
export { routeWebviewMessage } from './view/messageRouter';
