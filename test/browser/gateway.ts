// The real standalone gateway, in process (the same wiring as `npm start`): Ollama
// double → engine → chat service → file store → conversation core → HTTP server
// serving the production webview build.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine } from '../../src/gateway/engine';
import type { GatewayServer } from '../../src/gateway/server';
import { FileSessionStore } from '../../src/gateway/sessions/fileStore';
import { startStandaloneGateway } from '../../src/standalone/gateway';
import { MemoryMemento } from '../support/memento';
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
  const token = randomBytes(16).toString('hex');
  const gateway = await startStandaloneGateway({ port: 0, token, engine, store, prefs: new MemoryMemento(), provider: () => ({ kind: 'ollama', url: double.url }), webviewDir, heartbeatMs: 1000, chat: { flushIntervalMs: 100 } });
  const server = gateway.server;
  return {
    server,
    double,
    token,
    openUrl: `${server.url}/#token=${token}`,
    async stop() {
      await gateway.close().catch(() => undefined);
      await engine.close().catch(() => undefined);
      await double.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
