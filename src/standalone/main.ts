/**
 * `npm start`: the standalone gateway. Reads the environment (config.ts), takes
 * the data folder's lock and binds the port (a second copy fails before touching
 * anyone's sessions), recovers interrupted turns, then prints exactly one line on
 * stdout: the URL to open. Everything else goes to stderr; the token is never logged.
 *
 * The composition root of the browser transport: the gateway (engine, chat
 * service, store, HTTP server) plus the conversation core that answers the
 * browser UI's messages, the same core the VS Code extension runs.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, parseGatewayConfig, startUrl } from '../gateway/config';
import { createEngine } from '../gateway/engine';
import { PortInUseError, type Logger } from '../gateway/server';
import { redactUrl } from '../gateway/net/redact';
import { DataDirInUseError, lockDataDir } from '../gateway/sessions/dataDirLock';
import { resolveWorkspace, WorkspaceError } from '../gateway/codebase/workspaceIndex';
import { createOllamaEmbedder } from '../gateway/codebase/ollamaEmbedder';
import type { WorkspaceEmbeddings } from './codebaseEmbeddings';
import { standaloneStore, startStandaloneGateway } from './gateway';
import { PrefsFile } from './prefsFile';
import { turnSettingsOf } from '../gateway/turnSettings';

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
    config = parseGatewayConfig(process.env, os.homedir(), process.argv.slice(2));
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`hearth gateway: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  let workspace: string | undefined;
  try {
    workspace = config.workspace !== undefined ? resolveWorkspace(config.workspace) : undefined;
  } catch (e) {
    if (!(e instanceof WorkspaceError)) throw e;
    process.stderr.write(`hearth gateway: ${e.message} (HEARTH_WORKSPACE or --workspace)\n`);
    process.exit(2);
  }
  // One gateway per data folder: a second one would mark the first one's live replies interrupted.
  await lockDataDir(config.dataDir).catch((e) => {
    if (!(e instanceof DataDirInUseError)) throw e;
    process.stderr.write(`hearth gateway: ${e.message}\n`);
    process.exit(1);
  });
  const engine = createEngine(config.provider);
  const store = standaloneStore(config.dataDir, config.maxSessions, logger);
  const turn = turnSettingsOf(config.turn);
  const prefs = await PrefsFile.open(config.dataDir, (m) => logger.warn(m));

  // Meaning-based search is optional: only Ollama embeds, and only with a workspace to index.
  let embeddings: WorkspaceEmbeddings | undefined;
  if (config.embeddingModel && workspace) {
    if (config.provider.provider !== 'ollama') logger.warn(`HEARTH_EMBEDDING_MODEL is ignored: only an Ollama server embeds (the provider is ${config.provider.provider})`);
    else {
      const embedder = createOllamaEmbedder(config.embeddingModel, config.provider);
      embeddings = { model: config.embeddingModel, embed: embedder.embed, close: () => embedder.close() };
    }
  }

  let gateway;
  try {
    gateway = await startStandaloneGateway({
      port: config.port,
      host: '127.0.0.1',
      token: config.token,
      provider: () => ({ kind: config.provider.provider, url: config.provider.baseUrl }),
      engine,
      store,
      prefs,
      settings: () => turn,
      heartbeatMs: config.heartbeatMs,
      webviewDir: findWebviewDir(),
      logger,
      ...(workspace ? { workspace: { folder: workspace, dataDir: config.dataDir, ...(embeddings ? { embeddings } : {}) } } : {}),
    });
  } catch (e) {
    await engine.close().catch(() => {});
    if (e instanceof PortInUseError) {
      process.stderr.write(`hearth gateway: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }

  if (gateway.recovered > 0) logger.info(`marked ${gateway.recovered} reply(ies) interrupted by an earlier stop`);
  if (workspace) logger.info(`indexing ${workspace} for codebase search (GET /index, GET /search)${embeddings ? `; embeddings by ${embeddings.model}` : ''}`);
  logger.info(`sessions in ${config.dataDir}; model server ${redactUrl(config.provider.baseUrl)} (${config.provider.provider})`);
  process.stdout.write(startUrl(gateway.server.port, config.token) + '\n');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    logger.info(`${signal}: stopping`);
    await gateway.close().catch((e) => logger.warn('closing the gateway', e));
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
