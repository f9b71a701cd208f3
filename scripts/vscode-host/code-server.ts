// Starts code-server (the VS Code 1.100.3 server + web workbench) on a random
// loopback port with a sandbox's folders, and stops it with its whole process
// group (the extension host, file watcher and pty host are its children).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Sandbox } from './sandbox';

export interface CodeServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  process: ChildProcess;
  /** code-server's own output, for diagnosing a failed start. */
  logFile: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  installDir: string;
  sandbox: Sandbox;
  /** Extra environment for code-server and so for the extension host it forks. */
  env?: Record<string, string>;
  startTimeoutMs?: number;
  /** Echo code-server's output (HEARTH_VSCODE_VERBOSE=1 does the same). */
  verbose?: boolean;
}

export async function startCodeServer(options: StartOptions): Promise<CodeServer> {
  const { installDir, sandbox } = options;
  const bin = path.join(installDir, 'node_modules', '.bin', 'code-server');
  // Keep code-server's config and data out of $HOME so runs stay hermetic.
  const configFile = path.join(sandbox.root, 'code-server.yaml');
  await writeFile(configFile, 'auth: none\n');
  const xdg = path.join(sandbox.root, 'xdg');
  await mkdir(xdg, { recursive: true });
  const logFile = path.join(sandbox.root, 'code-server.log');
  const log = createWriteStream(logFile);
  const verbose = options.verbose ?? process.env.HEARTH_VSCODE_VERBOSE === '1';

  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, XDG_CONFIG_HOME: path.join(xdg, 'config'), XDG_DATA_HOME: path.join(xdg, 'data') };
  // Inherited VS Code variables (a developer running this from VS Code's terminal)
  // would confuse the server about which instance it is.
  for (const key of Object.keys(env)) if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE') delete env[key];

  const child = spawn(
    bin,
    [
      '--config', configFile,
      '--auth', 'none',
      '--bind-addr', '127.0.0.1:0',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--user-data-dir', sandbox.userDataDir,
      '--extensions-dir', sandbox.extensionsDir,
      sandbox.workspaceDir,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );

  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  // Last resort when our process ends without cleanup (mocha --exit, an uncaught
  // error): 'exit' handlers must be synchronous, so kill the group outright.
  const onProcessExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', onProcessExit);

  const stop = async () => {
    if (exited) return;
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
    await exitPromise;
    clearTimeout(timer);
    // Children (extension host) may outlive the leader: make sure the group is gone.
    killGroup(child, 'SIGKILL');
    process.off('exit', onProcessExit);
    log.end();
  };

  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const ms = options.startTimeoutMs ?? 120_000;
    const timeout = setTimeout(() => fail(new Error(`code-server did not start within ${ms / 1000} s`)), ms);
    function fail(err: Error) {
      clearTimeout(timeout);
      reject(new Error(`${err.message}\n--- code-server output (${logFile}) ---\n${buffered.slice(-4000)}`));
    }
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log.write(text);
      if (verbose) process.stderr.write(`[code-server] ${text}`);
      buffered += text;
      const m = /HTTP server listening on (http:\/\/[^\s/]+)/.exec(buffered);
      if (m) {
        clearTimeout(timeout);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`code-server exited early (code ${code}, signal ${signal})`)));
  }).catch(async (err) => {
    await stop();
    throw err;
  });

  const port = Number(new URL(url).port);
  return { url, port, process: child, logFile, stop };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
