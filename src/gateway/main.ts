/**
 * `npm start`: the standalone gateway. Reads the environment (config.ts), binds
 * the port first (so a second copy fails before touching anyone's sessions),
 * recovers interrupted turns, then prints exactly one line on stdout: the URL to
 * open. Everything else goes to stderr; the token is never logged.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createChatService } from './chat/chatService';
import { ConfigError, parseGatewayConfig, startUrl } from './config';
import { createEngine } from './engine';
import { PortInUseError, startGatewayServer, type Logger } from './server';
import { DataDirInUseError, lockDataDir } from './sessions/dataDirLock';
import { FileSessionStore } from './sessions/fileStore';

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const logger: Logger = {
  info: (m) => process.stderr.write(`[hearth] ${m}\n`),
  warn: (m, e) => process.stderr.write(`[hearth] warning: ${m}${e ? `: ${describe(e)}` : ''}\n`),
  error: (m, e) => process.stderr.write(`[hearth] error: ${m}${e ? `: ${e instanceof Error && e.stack ? e.stack : describe(e)}` : ''}\n`),
};

/** dist/webview next to the bundle (dist/gateway.js), or from the source tree under tsx. */
function findWebviewDir(): string {
  const fromEnv = process.env.HEARTH_WEBVIEW_DIR?.trim();
  if (fromEnv) return path.resolve(fromEnv);
  const candidates = [path.join(__dirname, 'webview'), path.resolve(__dirname, '..', '..', 'dist', 'webview')];
  return candidates.find((d) => existsSync(path.join(d, 'manifest.json'))) ?? candidates[0]!;
}

async function main(): Promise<void> {
  let config;
  try {
    config = parseGatewayConfig(process.env, os.homedir());
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`hearth gateway: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  // One gateway per data folder: a second one would mark the first one's live replies interrupted.
  await lockDataDir(config.dataDir).catch((e) => {
    if (!(e instanceof DataDirInUseError)) throw e;
    process.stderr.write(`hearth gateway: ${e.message}\n`);
    process.exit(1);
  });
  const engine = createEngine(config.provider);
  const store = new FileSessionStore({
    dir: config.dataDir,
    maxSessions: config.maxSessions,
    onCorrupt: (file, reason, movedTo) => logger.warn(`moved a corrupt session file aside (${reason}): ${movedTo ?? file}`),
    log: (line) => logger.warn(line),
  });
  const systemPrompt = config.systemPrompt;
  const chatService = createChatService({
    store,
    engine,
    settings: () => (systemPrompt ? { systemPrompt } : {}),
    log: (m, e) => logger.warn(m, e),
  });

  let server;
  try {
    server = await startGatewayServer({
      port: config.port,
      host: '127.0.0.1',
      token: config.token,
      engine,
      chatService,
      store,
      heartbeatMs: config.heartbeatMs,
      webviewDir: findWebviewDir(),
      logger,
    });
  } catch (e) {
    await engine.close().catch(() => {});
    if (e instanceof PortInUseError) {
      process.stderr.write(`hearth gateway: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }

  const recovered = await store.recoverInterrupted();
  if (recovered > 0) logger.info(`marked ${recovered} reply(ies) interrupted by an earlier stop`);
  logger.info(`sessions in ${config.dataDir}; model server ${config.provider.baseUrl} (${config.provider.provider})`);
  process.stdout.write(startUrl(server.port, config.token) + '\n');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    logger.info(`${signal}: stopping`);
    await server.close().catch((e) => logger.warn('closing the server', e));
    await chatService.dispose().catch((e) => logger.warn('finishing open replies', e));
    await engine.close().catch(() => {});
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('unhandledRejection', (e) => logger.error('unhandled rejection', e));
}

main().catch((e) => {
  process.stderr.write(`hearth gateway: ${e instanceof Error && e.stack ? e.stack : String(e)}\n`);
  process.exit(1);
});
