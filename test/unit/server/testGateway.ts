/** Starts a real gateway server (port 0) over a temp FileSessionStore, with the double + real engine or a fake engine. */
import { promises as fs } from 'node:fs';
import type { PageConnections } from '../../../src/core/pageConnections';
import type { ChatService, TurnSettings } from '../../../src/gateway/chat/types';
import { createEngine } from '../../../src/gateway/engine';
import type { ChatEngine } from '../../../src/gateway/engine/types';
import type { GatewayServer, GatewayServerOptions, Logger } from '../../../src/gateway/server';
import { FileSessionStore, type FileSessionStoreOptions } from '../../../src/gateway/sessions/fileStore';
import { startStandaloneGateway, type StandaloneOptions } from '../../../src/standalone/gateway';
import { tempDir } from '../chat/helpers';
import { MemoryMemento } from '../../support/memento';

export const TOKEN = 'test-token-0123456789';

export interface TestGateway {
  port: number;
  server: GatewayServer;
  store: FileSessionStore;
  service: ChatService;
  /** The browser pages' conversations (the /ui routes). */
  pages: PageConnections;
  engine: ChatEngine;
  dir: string;
  logs: string[];
  close(): Promise<void>;
}

export function engineFor(doubleUrl: string): ChatEngine {
  return createEngine({ provider: 'ollama', baseUrl: doubleUrl, requestTimeoutMs: 60_000 }, { coalesceMs: 0, loadingHintMs: 50 });
}

export async function startTestGateway(
  o: { engine: ChatEngine; settings?: TurnSettings; dir?: string; pageGraceMs?: number; maxPages?: number; storeOptions?: Omit<FileSessionStoreOptions, 'dir'>; workspace?: StandaloneOptions['workspace'] } & Partial<
    Omit<GatewayServerOptions, 'engine' | 'chatService' | 'store' | 'ui'>
  >,
): Promise<TestGateway> {
  const dir = o.dir ?? (await tempDir('hearth-gw-'));
  const logs: string[] = [];
  const store = new FileSessionStore({ dir, fsync: false, log: (line) => logs.push(`store ${line}`), ...o.storeOptions });
  const logger: Logger = {
    info: (m) => logs.push(`info ${m}`),
    warn: (m) => logs.push(`warn ${m}`),
    error: (m, e) => logs.push(`error ${m} ${String(e)}`),
  };
  const { settings, dir: _dir, ...rest } = o;
  const gw = await startStandaloneGateway({
    port: 0,
    token: TOKEN,
    provider: () => ({ kind: 'ollama', url: 'http://127.0.0.1:11434' }),
    heartbeatMs: 15_000,
    logger,
    pollMs: 0,
    ...rest,
    prefs: new MemoryMemento(),
    settings: () => settings ?? {},
    chat: { flushIntervalMs: 20 },
    engine: o.engine,
    store,
  });
  const server = gw.server;
  return {
    port: server.port,
    server,
    store,
    service: gw.chatService,
    pages: gw.pages,
    engine: o.engine,
    dir,
    logs,
    async close() {
      await gw.close();
      await o.engine.close();
      if (!o.dir) await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}
