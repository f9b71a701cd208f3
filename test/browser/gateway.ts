// The real standalone gateway, in process: Ollama double → engine → chat service
// → file store → HTTP server serving the production webview build.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createChatService } from '../../src/gateway/chat/chatService';
import { createEngine } from '../../src/gateway/engine';
import { startGatewayServer, type GatewayServer } from '../../src/gateway/server';
import { FileSessionStore } from '../../src/gateway/sessions/fileStore';
import { startOllamaDouble, type OllamaDouble } from '../double';
import { buildWebview } from './webviewBuild';

export const TEST_MODEL = 'browsertest:1b';

export interface GatewayFixture {
  server: GatewayServer;
  double: OllamaDouble;
  token: string;
  /** The URL a user opens (token in the fragment). */
  openUrl: string;
  stop(): Promise<void>;
}

export async function startGateway(): Promise<GatewayFixture> {
  const webviewDir = buildWebview();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hearth-browser-data-'));
  const double = await startOllamaDouble({ models: [TEST_MODEL] });
  const engine = createEngine({ provider: 'ollama', baseUrl: double.url, requestTimeoutMs: 120_000 });
  const store = new FileSessionStore({ dir: dataDir, fsync: false });
  const chatService = createChatService({ store, engine, settings: () => ({}), flushIntervalMs: 100 });
  const token = randomBytes(16).toString('hex');
  const server = await startGatewayServer({ port: 0, token, provider: () => ({ kind: 'ollama', url: double.url }), engine, chatService, store, webviewDir, heartbeatMs: 1000 });
  return {
    server,
    double,
    token,
    openUrl: `${server.url}/#token=${token}`,
    async stop() {
      await server.close();
      await chatService.dispose().catch(() => undefined);
      await engine.close().catch(() => undefined);
      await double.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
