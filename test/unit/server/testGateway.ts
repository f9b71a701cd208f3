/** Starts a real gateway server (port 0) over a temp FileSessionStore, with the double + real engine or a fake engine. */
import { promises as fs } from 'node:fs';
import { createChatService } from '../../../src/gateway/chat/chatService';
import type { ChatService, TurnSettings } from '../../../src/gateway/chat/types';
import { createEngine } from '../../../src/gateway/engine';
import type { ChatEngine } from '../../../src/gateway/engine/types';
import { startGatewayServer, type GatewayServer, type GatewayServerOptions, type Logger } from '../../../src/gateway/server';
import { FileSessionStore, type FileSessionStoreOptions } from '../../../src/gateway/sessions/fileStore';
import { tempDir } from '../chat/helpers';

export const TOKEN = 'test-token-0123456789';

export interface TestGateway {
  port: number;
  server: GatewayServer;
  store: FileSessionStore;
  service: ChatService;
  engine: ChatEngine;
  dir: string;
  logs: string[];
  close(): Promise<void>;
}

export function engineFor(doubleUrl: string): ChatEngine {
  return createEngine({ provider: 'ollama', baseUrl: doubleUrl, requestTimeoutMs: 60_000 }, { coalesceMs: 0, loadingHintMs: 50 });
}

export async function startTestGateway(
  o: { engine: ChatEngine; settings?: TurnSettings; dir?: string; storeOptions?: Omit<FileSessionStoreOptions, 'dir'> } & Partial<
    Omit<GatewayServerOptions, 'engine' | 'chatService' | 'store'>
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
  const service = createChatService({ store, engine: o.engine, settings: () => o.settings ?? {}, flushIntervalMs: 20 });
  const server = await startGatewayServer({
    port: 0,
    token: TOKEN,
    heartbeatMs: 15_000,
    logger,
    ...o,
    engine: o.engine,
    chatService: service,
    store,
  });
  return {
    port: server.port,
    server,
    store,
    service,
    engine: o.engine,
    dir,
    logs,
    async close() {
      await server.close();
      await service.dispose();
      await o.engine.close();
      if (!o.dir) await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
